// Device administration (admins): look up a student by name, username or id (a list when several match),
// see their devices and waiting period, revoke a device or reset the waiting period (each with a reason),
// and read the history of it all, with people named as the portal knows them; download a student's data or
// erase the student at their request (both audited by the service). The lookup and the student
// opened stay in the address (?q=, ?student=), so a reload or a shared link shows the same.
import { basePath, type Identity } from '../src/lib/api';
import { download } from '../src/lib/download';
import { startPage } from '../src/lib/page';
import { clearMessage, el, errorText, required, showError, showMessage } from '../src/lib/ui';
import { holidayPanel } from './holidays';
import { lmsPanel } from './lms';
import { messages, type Key } from './messages';
import { adminPath, searchPath, type Attention, type Device, type DeviceOverview, type DeviceHistory, type Person, type StudentSearch } from './model';
import { attentionList, deviceList, eraseControl, historyTable, matchList, personText, policyText, resetControl, showTimesIn, type Editing } from './views';

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
  matches: required('#matches'),
  data: required('#student-data'),
  dataHeading: required('#student-data-heading'),
  dataJson: required<HTMLButtonElement>('#data-json'),
  dataCsv: required<HTMLButtonElement>('#data-csv'),
  dataStatus: required('#data-status'),
  erase: required('#erase'),
};

let studentId: string | undefined;
let overview: DeviceOverview | undefined;
let log: DeviceHistory | undefined;
/** Blocked devices and devices with alerts, listed before any lookup. */
let attention: readonly Device[] | undefined;
/** Why the list of devices to review could not be loaded: said in its place, with a way to try again. */
let attentionFailure: unknown;
/** The last lookup's matches (shown when several students matched). */
let search: StudentSearch | undefined;
/** Everyone the service named so far, by id. */
const names = new Map<string, Person>();
let editing: Editing = null;
let busy = false;
// The last outcome, kept as a key so that it follows a change of language.
let outcome: { readonly kind: 'success' | 'info'; readonly key: Key; readonly vars: Record<string, string> } | undefined;

function remember(people: readonly Person[] | undefined): void {
  for (const person of people ?? []) names.set(person.id, person);
}

/** "Luis Pérez (luis.estudiante)", or "estudiante 2" when the portal did not name them. */
const studentText = (id: string): string => personText(id, names, 'student', i18n);

const actions = { edit, revoke, reset, erase };

function render(): void {
  if (outcome) showMessage(ui.message, outcome.kind, i18n.t(outcome.key, outcome.vars));
  ui.submit.disabled = busy;
  ui.devices.hidden = !overview;
  ui.history.hidden = !log;
  ui.matches.hidden = !search || search.students.length < 2;
  if (search && search.students.length > 1) ui.matches.replaceChildren(matchList(search, i18n));
  if (overview) {
    const known = names.has(overview.studentId);
    ui.devicesHeading.textContent = i18n.t('devices.heading', { name: studentText(overview.studentId) });
    ui.policy.textContent = [...(known ? [] : [i18n.t('devices.unknownStudent', { studentId: overview.studentId })]), policyText(overview, i18n)].join(' ');
    ui.reset.replaceChildren(resetControl(editing, i18n, actions));
    ui.devicesBody.replaceChildren(deviceList(overview, editing, i18n, actions, names));
  }
  if (log) ui.historyBody.replaceChildren(historyTable(log, i18n, names));
  ui.data.hidden = !overview;
  if (overview) {
    ui.dataHeading.textContent = i18n.t('data.heading', { name: studentText(overview.studentId) });
    ui.dataJson.disabled = busy;
    ui.dataCsv.disabled = busy;
    ui.erase.replaceChildren(eraseControl(editing, i18n, actions));
  }
  ui.attention.hidden = !attention && attentionFailure === undefined;
  if (attention) ui.attentionBody.replaceChildren(attentionList(attention, i18n, names));
  else if (attentionFailure !== undefined) {
    const retry = el('button', { type: 'button', class: 'button button--secondary' }, i18n.t('attention.retry'));
    retry.addEventListener('click', () => void loadAttention());
    const failure = el('p', { class: 'message', role: 'alert' });
    showMessage(failure, 'error', i18n.t('attention.failed', { reason: errorText(attentionFailure, i18n) }));
    ui.attentionBody.replaceChildren(failure, retry);
  }
}

/** The devices to review: blocked ones and those with alerts. A failure is shown, never an empty list. */
async function loadAttention(): Promise<void> {
  try {
    const flagged = await api.apiFetch<Attention>(`${adminPath}/attention`);
    remember(flagged.people);
    attention = flagged.devices;
    attentionFailure = undefined;
  } catch (error) {
    attentionFailure = error;
  }
  render();
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
  remember(devices.people);
  remember(entries.people);
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
    // A revoked device leaves the devices to review.
    await loadAttention();
    return { kind: 'success', key: 'done.revoked', vars: { name: device.name } };
  });
}

function reset(reason: string): void {
  const id = studentId;
  if (!id) return;
  void act(async () => {
    await api.apiFetch(`${adminPath}/reset`, { method: 'POST', body: { studentId: id, reason } });
    await load(id);
    return { kind: 'success', key: 'done.reset', vars: { name: studentText(id) } };
  });
}

/** Erases the student opened, at their request: devices and receipts go, results stay anonymous. */
function erase(reason: string): void {
  const id = studentId;
  if (!id) return;
  void act(async () => {
    const name = studentText(id);
    const { anonymousId } = await api.apiFetch<{ anonymousId: string }>(`${basePath}api/admin/students/${encodeURIComponent(id)}/erasure`, {
      method: 'POST',
      body: { reason },
    });
    await load(id);
    await loadAttention();
    return { kind: 'success', key: 'done.erased', vars: { name, anonymousId } };
  });
}

/** The opened student's data, as the service holds it (each download audited there). */
function downloadData(format: 'json' | 'csv'): void {
  const id = studentId;
  if (!id || busy) return;
  showMessage(ui.dataStatus, 'info', i18n.t('data.working'));
  download(api, i18n, `${basePath}api/admin/students/${encodeURIComponent(id)}/data?format=${format}`, `datos-${id}.${format}`)
    .then((file) => showMessage(ui.dataStatus, 'success', i18n.t('data.done', { file })))
    .catch((error: unknown) => showError(ui.dataStatus, error, i18n));
}
ui.dataJson.addEventListener('click', () => downloadData('json'));
ui.dataCsv.addEventListener('click', () => downloadData('csv'));

/** A lookup the service refused: asked again after a language switch, so its reason reads in that language. */
let refusedLookup: (() => void) | undefined;

/** Keeps the address in step: ?q= for the lookup typed, ?student= for the student opened. */
function address(params: { q?: string; student?: string }): void {
  const url = new URL(location.href);
  for (const name of ['q', 'student'] as const) {
    const value = params[name];
    if (value === undefined) url.searchParams.delete(name);
    else url.searchParams.set(name, value);
  }
  history.replaceState(history.state, '', url);
}

/** Opens one student's devices and history. */
function open(id: string): void {
  address({ ...(search ? { q: search.query } : {}), student: id });
  editing = null;
  clearMessage(ui.dataStatus);
  refusedLookup = () => open(id);
  void act(async () => {
    overview = undefined;
    log = undefined;
    await load(id);
    refusedLookup = undefined;
    return undefined;
  });
}

/** Finds students by what the admin typed: none is said, one is opened, several are listed to choose. */
function lookUp(text: string): void {
  address({ q: text });
  editing = null;
  clearMessage(ui.dataStatus);
  refusedLookup = () => lookUp(text);
  void act(async () => {
    overview = undefined;
    log = undefined;
    search = undefined;
    const found = await api.apiFetch<StudentSearch>(`${searchPath}?q=${encodeURIComponent(text)}`);
    for (const student of found.students) names.set(student.id, { ...student, role: 'student' });
    search = found;
    refusedLookup = undefined;
    if (found.students.length === 0) return { kind: 'info', key: 'lookup.none', vars: { query: found.query } };
    if (found.students.length === 1) {
      address({ q: text, student: found.students[0]!.id });
      await load(found.students[0]!.id);
    }
    return undefined;
  });
}

// A match is a link (it works in a new tab too); here it opens the student without leaving the list.
ui.matches.addEventListener('click', (event) => {
  const link = (event.target as Element).closest<HTMLAnchorElement>('a[data-student]');
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  open(link.dataset['student']!);
});

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = ui.input.value.trim();
  if (!text) {
    ui.input.setAttribute('aria-invalid', 'true');
    showMessage(ui.message, 'error', i18n.t('lookup.required'));
    ui.input.focus();
    return;
  }
  ui.input.removeAttribute('aria-invalid');
  lookUp(text);
});

async function start(): Promise<void> {
  // Without the configuration (the service unreachable) the device's zone is the best guess.
  showTimesIn((await api.config().catch(() => undefined))?.timeZone);
  let me: Identity;
  try {
    me = await api.apiFetch<Identity>(`${basePath}api/me`);
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
    if (refusedLookup !== undefined && !busy) refusedLookup();
    else render();
  });
  await loadAttention();
  await holidayPanel({ i18n, api, message: ui.message }).catch((error: unknown) => showError(ui.message, error, i18n));
  await lmsPanel({ i18n, api, message: ui.message }).catch((error: unknown) => showError(ui.message, error, i18n));
  const params = new URLSearchParams(location.search);
  const asked = params.get('q')?.trim();
  const student = params.get('student')?.trim();
  if (student) {
    if (asked) ui.input.value = asked;
    open(student);
  } else if (asked) {
    ui.input.value = asked;
    lookUp(asked);
  } else {
    ui.input.focus();
  }
}

await start();
