// Enrolment page (students, phone first): one sentence on what a passkey is, one button that makes one,
// the precise reason when it fails, and the list of my devices with rename and revoke.
import type { Identity } from '../src/lib/api';
import { startPage } from '../src/lib/page';
import { clearMessage, required, showError, showMessage } from '../src/lib/ui';
import { existingPhoneKey } from '../src/lib/phone-key';
import { CeremonyFailure, enrolPasskey, rebindPhone } from './ceremony';
import { deviceList, formatTime, type Editing } from './device-list';
import { messages } from './messages';
import { blocker, needsRebind, type DeviceView, type Overview } from './model';

const { i18n, api } = startPage(messages);
const message = required('#message');
const who = required('#who');
const enrolSection = required('#enrol');
const enrolButton = required<HTMLButtonElement>('#enrol-button');
const policyNote = required('#policy');
const devicesSection = required('#devices');
const devicesBody = required('#devices-body');
const rebindSection = required('#rebind');
const rebindButton = required<HTMLButtonElement>('#rebind-button');
const backToScan = required('#back-to-scan');
// The scan page sends a student here (?next=scan) when this phone holds no key of theirs; once enrolled or
// linked, the way back to scanning is the main next step.
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
  enrolSection.hidden = false;
  devicesSection.hidden = false;
  if (!overview) return;
  const blocked = blocker(overview);
  policyNote.hidden = blocked === null;
  if (blocked?.kind === 'limit') {
    policyNote.textContent = i18n.t('enroll.limit', { count: overview.policy.devicesInUse, max: overview.policy.maxDevices });
  } else if (blocked?.kind === 'cooldown') {
    policyNote.textContent = i18n.t('enroll.cooldown', { at: formatTime(blocked.until, i18n.lang, timeZone) });
  }
  enrolButton.disabled = busy || blocked !== null;
  enrolButton.textContent = busy ? i18n.t('enroll.working') : i18n.t('enroll.button');
  rebindSection.hidden = !needsRebind(overview, localPhoneKeyId);
  rebindButton.disabled = busy;
  rebindButton.textContent = busy ? i18n.t('enroll.working') : i18n.t('rebind.button');
  backToScan.hidden = !(cameFromScan && linked);
  devicesBody.removeAttribute('aria-busy');
  devicesBody.replaceChildren(deviceList(overview.devices, editing, i18n, { edit, rename, revoke }, timeZone));
}

function fail(error: unknown): void {
  if (error instanceof CeremonyFailure) showMessage(message, 'error', error.message);
  else showError(message, error, i18n);
}

async function refresh(): Promise<void> {
  localPhoneKeyId = (await existingPhoneKey().catch(() => null))?.id ?? null;
  overview = await api.apiFetch<Overview>('/asistencia/api/enrollment/devices');
  linked = !needsRebind(overview, localPhoneKeyId) && overview.devices.some((device) => device.state === 'active');
  render();
}

/** Runs one action with the page busy, then reloads the list whatever happened. */
async function act(work: () => Promise<string>): Promise<void> {
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
  }
}

function edit(next: Editing): void {
  editing = next;
  render();
}

function rename(device: DeviceView, name: string): void {
  void act(async () => {
    const { device: renamed } = await api.apiFetch<{ device: DeviceView }>(`/asistencia/api/enrollment/devices/${device.id}`, {
      method: 'PATCH',
      body: { name },
    });
    return i18n.t('devices.renamed', { name: renamed.name });
  });
}

function revoke(device: DeviceView, reason: string): void {
  void act(async () => {
    await api.apiFetch(`/asistencia/api/enrollment/devices/${device.id}/revoke`, { method: 'POST', body: { reason } });
    return i18n.t('devices.revokedDone', { name: device.name });
  });
}

enrolButton.addEventListener('click', () => {
  void act(async () => {
    const device = await enrolPasskey(api, i18n);
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
    me = await api.apiFetch<Identity>('/asistencia/api/me');
    render();
    if (me.role === 'student') await refresh();
  } catch (error) {
    fail(error);
  }
}

i18n.onChange(render);
await load();
