// Device administration (admins): look up a student by id, see their devices and waiting period, revoke a
// device or reset the waiting period (each with a reason), and read the history of it all. The student
// looked up stays in the address (?student=), so a reload or a shared link shows the same.
import type { Identity } from '../src/lib/api';
import { startPage } from '../src/lib/page';
import { clearMessage, required, showError, showMessage } from '../src/lib/ui';
import { messages, type Key } from './messages';
import { adminPath, type Device, type DeviceOverview, type DeviceHistory } from './model';
import { attentionList, deviceList, historyTable, policyText, resetControl, type Editing } from './views';

const { i18n, api } = startPage(messages);
const ui = {
  message: required('#message'),
  lookup: required('#lookup'),
  form: required<HTMLFormElement>('#lookup-form'),
  input: required<HTMLInputElement>('#student-id'),
  submit: required<HTMLButtonElement>('#lookup-submit'),
  devices: required('#devices'),
  devicesHeading: required('#devices-heading'),
  policy: required('#policy'),
  reset: required('#reset'),
  devicesBody: required('#devices-body'),
  history: required('#history'),
  historyBody: required('#history-body'),
  attention: required('#attention'),
  attentionBody: required('#attention-body'),
};

let studentId: string | undefined;
let overview: DeviceOverview | undefined;
let log: DeviceHistory | undefined;
/** Blocked devices and devices with alerts, listed before any lookup. */
let attention: readonly Device[] | undefined;
let editing: Editing = null;
let busy = false;
// The last outcome, kept as a key so that it follows a change of language.
let outcome: { readonly kind: 'success' | 'info'; readonly key: Key; readonly vars: Record<string, string> } | undefined;

const actions = { edit, revoke, reset };

function render(): void {
  if (outcome) showMessage(ui.message, outcome.kind, i18n.t(outcome.key, outcome.vars));
  ui.submit.disabled = busy;
  ui.devices.hidden = !overview;
  ui.history.hidden = !log;
  if (overview) {
    ui.devicesHeading.textContent = i18n.t('devices.heading', { studentId: overview.studentId });
    ui.policy.textContent = policyText(overview, i18n);
    ui.reset.replaceChildren(resetControl(editing, i18n, actions));
    ui.devicesBody.replaceChildren(deviceList(overview, editing, i18n, actions));
  }
  if (log) ui.historyBody.replaceChildren(historyTable(log, i18n));
  ui.attention.hidden = !attention;
  if (attention) ui.attentionBody.replaceChildren(attentionList(attention, i18n));
}

function edit(next: Editing): void {
  editing = next;
  render();
}

async function load(id: string): Promise<void> {
  const query = `?studentId=${encodeURIComponent(id)}`;
  const [devices, entries] = await Promise.all([
    api.apiFetch<DeviceOverview>(`${adminPath}${query}`),
    api.apiFetch<DeviceHistory>(`${adminPath}/history${query}`),
  ]);
  studentId = id;
  overview = devices;
  log = entries;
}

/** Runs one step with the page busy; on failure the service's reason is shown and the data reloaded. */
async function act(work: () => Promise<typeof outcome>): Promise<void> {
  if (busy) return;
  busy = true;
  outcome = undefined;
  clearMessage(ui.message);
  render();
  try {
    outcome = await work();
    editing = null;
  } catch (error) {
    showError(ui.message, error, i18n);
  } finally {
    busy = false;
    render();
  }
}

function revoke(device: Device, reason: string): void {
  void act(async () => {
    await api.apiFetch(`${adminPath}/${device.id}/revoke`, { method: 'POST', body: { reason } });
    await load(device.studentId);
    return { kind: 'success', key: 'done.revoked', vars: { name: device.name } };
  });
}

function reset(reason: string): void {
  const id = studentId;
  if (!id) return;
  void act(async () => {
    await api.apiFetch(`${adminPath}/reset`, { method: 'POST', body: { studentId: id, reason } });
    await load(id);
    return { kind: 'success', key: 'done.reset', vars: { studentId: id } };
  });
}

/** A lookup the service refused: asked again after a language switch, so its reason reads in that language. */
let refusedLookup: string | undefined;

function lookUp(id: string): void {
  const url = new URL(location.href);
  url.searchParams.set('student', id);
  history.replaceState(history.state, '', url);
  editing = null;
  refusedLookup = id;
  void act(async () => {
    overview = undefined;
    await load(id);
    refusedLookup = undefined;
    return undefined;
  });
}

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  const id = ui.input.value.trim();
  if (!id) {
    ui.input.setAttribute('aria-invalid', 'true');
    showMessage(ui.message, 'error', i18n.t('lookup.required'));
    ui.input.focus();
    return;
  }
  ui.input.removeAttribute('aria-invalid');
  lookUp(id);
});

async function start(): Promise<void> {
  let me: Identity;
  try {
    me = await api.apiFetch<Identity>('/asistencia/api/me');
  } catch (error) {
    showError(ui.message, error, i18n);
    return;
  }
  if (me.role !== 'admin') {
    const explain = (): void => showMessage(ui.message, 'info', i18n.t('admin.notAdmin', { role: i18n.t(`role.${me.role}`) }));
    explain();
    i18n.onChange(explain);
    return;
  }
  ui.lookup.hidden = false;
  i18n.onChange(() => {
    // Accept-Language follows the switch: the service's own reason is asked for again in the new language.
    if (refusedLookup !== undefined && !busy) lookUp(refusedLookup);
    else render();
  });
  attention = (await api.apiFetch<{ devices: Device[] }>(`${adminPath}/attention`).catch(() => ({ devices: undefined }))).devices;
  render();
  const asked = new URLSearchParams(location.search).get('student')?.trim();
  if (asked) {
    ui.input.value = asked;
    lookUp(asked);
  } else {
    ui.input.focus();
  }
}

await start();
