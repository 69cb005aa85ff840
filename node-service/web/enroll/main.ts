// Enrolment page (students, phone first): one sentence on what a passkey is, one button that makes one,
// the precise reason when it fails, and the list of my devices with rename and revoke.
import { basePath, type Identity } from '../src/lib/api';
import { startPage } from '../src/lib/page';
import { clearMessage, required, showError, showMessage } from '../src/lib/ui';
import { existingPhoneKey } from '../src/lib/phone-key';
import { changeList } from './change-list';
import { CeremonyFailure, enrollPasskey, rebindPhone, revokeDevice } from './ceremony';
import { deviceList, formatTime, type Editing } from './device-list';
import { messages } from './messages';
import { blocker, needsRebind, type DeviceView, type Overview } from './model';

const { i18n, api } = startPage(messages);
const message = required('#message');
const who = required('#who');
const enrollSection = required('#enroll');
const enrollButton = required<HTMLButtonElement>('#enroll-button');
const limitNote = required('#limit');
const waitSection = required('#wait');
const policyNote = required('#policy');
const devicesSection = required('#devices');
const devicesBody = required('#devices-body');
const changesSection = required('#changes');
const changesBody = required('#changes-body');
const rebindSection = required('#rebind');
const rebindButton = required<HTMLButtonElement>('#rebind-button');
const backToScan = required('#back-to-scan');
// The scan page sends a student here (?next=scan) when this phone holds no key of theirs; once enrolled or
// linked, the way back to the scan (which tries the kept code again) is the main next step.
const cameFromScan = new URLSearchParams(location.search).get('next') === 'scan';

let me: Identity | undefined;
let overview: Overview | undefined;
let editing: Editing = null;
let busy = false;
/** The id of the phone key this browser holds, if any (null: none yet). */
let localPhoneKeyId: string | null = null;
let linked = false;

function render(): void {
  if (!me) return;
  who.textContent = i18n.t('enroll.for', { name: me.name });
  who.hidden = false;
  if (me.role !== 'student') {
    showMessage(message, 'info', i18n.t('enroll.notStudent', { role: i18n.t(`role.${me.role}`) }));
    return;
  }
  enrollSection.hidden = false;
  devicesSection.hidden = false;
  if (!overview) return;
  const blocked = blocker(overview);
  limitNote.hidden = blocked?.kind !== 'limit';
  limitNote.textContent = i18n.t('enroll.limit', { count: overview.policy.devicesInUse, max: overview.policy.maxDevices });
  // A wait is what blocks a student who lost their phone: what it is, until when, and whom to ask.
  waitSection.hidden = blocked?.kind !== 'cooldown';
  policyNote.textContent = blocked?.kind === 'cooldown' ? i18n.t('enroll.cooldown', { at: formatTime(blocked.until, i18n.lang, timeZone) }) : '';
  enrollButton.disabled = busy || blocked !== null;
  enrollButton.textContent = busy ? i18n.t('enroll.working') : i18n.t('enroll.button');
  rebindSection.hidden = !needsRebind(overview, localPhoneKeyId);
  rebindButton.disabled = busy;
  rebindButton.textContent = busy ? i18n.t('enroll.working') : i18n.t('rebind.button');
  backToScan.hidden = !(cameFromScan && linked);
  devicesBody.removeAttribute('aria-busy');
  devicesBody.replaceChildren(deviceList(overview.devices, editing, i18n, { edit, rename, revoke }, timeZone));
  changesSection.hidden = false;
  changesBody.replaceChildren(changeList(overview, i18n, timeZone));
}

function fail(error: unknown): void {
  if (error instanceof CeremonyFailure) showMessage(message, 'error', error.message);
  else showError(message, error, i18n);
}

async function refresh(): Promise<void> {
  localPhoneKeyId = (await existingPhoneKey().catch(() => null))?.id ?? null;
  overview = await api.apiFetch<Overview>(`${basePath}api/enrollment/devices`);
  linked = !needsRebind(overview, localPhoneKeyId) && overview.devices.some((device) => device.state === 'active');
  render();
}

/** Runs one action with the page busy, then reloads the list whatever happened. */
async function act(work: () => Promise<string>): Promise<void> {
  const wasLinked = linked;
  if (busy) return;
  busy = true;
  clearMessage(message);
  render();
  try {
    const success = await work();
    editing = null;
    showMessage(message, 'success', success);
  } catch (error) {
    fail(error);
  } finally {
    busy = false;
    await refresh().catch(fail);
    // Just enrolled or linked on the way from a scan: the way back is the next thing to press.
    if (cameFromScan && linked && !wasLinked) backToScan.querySelector('a')?.focus();
  }
}

function edit(next: Editing): void {
  editing = next;
  render();
}

function rename(device: DeviceView, name: string): void {
  void act(async () => {
    const { device: renamed } = await api.apiFetch<{ device: DeviceView }>(`${basePath}api/enrollment/devices/${device.id}`, {
      method: 'PATCH',
      body: { name },
    });
    return i18n.t('devices.renamed', { name: renamed.name });
  });
}

function revoke(device: DeviceView, reason: string): void {
  void act(async () => {
    await revokeDevice(api, i18n, device.id, reason);
    return i18n.t('devices.revokedDone', { name: device.name });
  });
}

enrollButton.addEventListener('click', () => {
  void act(async () => {
    const device = await enrollPasskey(api, i18n, (overview?.policy.devicesInUse ?? 0) > 0);
    return i18n.t('enroll.success', { name: device.name });
  });
});

rebindButton.addEventListener('click', () => {
  void act(async () => {
    const device = await rebindPhone(api, i18n);
    return i18n.t('rebind.success', { name: device.name });
  });
});

let timeZone: string | undefined;

async function load(): Promise<void> {
  try {
    timeZone = (await api.config()).timeZone;
    me = await api.apiFetch<Identity>(`${basePath}api/me`);
    render();
    if (me.role === 'student') await refresh();
  } catch (error) {
    fail(error);
  }
}

i18n.onChange(render);
await load();
