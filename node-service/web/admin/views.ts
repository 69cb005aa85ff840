// The admin page's pieces: a student's devices (revoke each with a reason), the cooldown reset, and the
// history table. Every action opens a small inline form asking why.
import { flagReasonText } from '../src/lib/flag-reason';
import { formatDateTime } from '../src/lib/dates';
import { el } from '../src/lib/ui';
import type { AdminI18n } from './messages';
import type { Device, DeviceOverview, DeviceHistory, HistoryEntry, Names, StudentSearch } from './model';

/** The institution's time zone (TIME_ZONE, from the service's client configuration): every time is shown in it. */
let timeZone: string | undefined;
export function showTimesIn(zone: string | undefined): void {
  timeZone = zone;
}
const formatTime = (at: string | Date, lang: AdminI18n['lang']): string => formatDateTime(at, lang, timeZone);

export type Editing = { readonly kind: 'revoke'; readonly deviceId: number } | { readonly kind: 'reset' } | { readonly kind: 'erase' } | null;

export interface AdminActions {
  edit(editing: Editing): void;
  revoke(device: Device, reason: string): void;
  reset(reason: string): void;
  erase(reason: string): void;
}

/** "Luis Pérez (luis.estudiante)" when the portal named them; else "estudiante 2", as before names. */
export function personText(id: string, names: Names, role: HistoryEntry['actorRole'], i18n: AdminI18n): string {
  const person = names.get(id);
  return person ? i18n.t('person.named', { name: person.name, username: person.username }) : i18n.t('person.unnamed', { role: i18n.t(`actor.${role}`), id });
}

/** The students matching a lookup, each a link that opens their devices. */
export function matchList(search: StudentSearch, i18n: AdminI18n): HTMLElement {
  const items = search.students.map((student) =>
    el(
      'li',
      { class: 'admin-match' },
      el('a', { href: `?student=${encodeURIComponent(student.id)}`, 'data-student': student.id, 'aria-label': i18n.t('lookup.open', { name: student.name }) }, student.name),
      el(
        'span',
        { class: 'muted' },
        i18n.t('lookup.match', { username: student.username, id: student.id, devices: i18n.t('lookup.devices', { count: student.devicesInUse }) }),
      ),
    ),
  );
  return el(
    'div',
    {},
    el('h2', { id: 'matches-heading' }, i18n.t('lookup.matches', { query: search.query })),
    el('ul', { class: 'admin-matches', 'aria-labelledby': 'matches-heading' }, ...items),
    ...(search.truncated ? [el('p', { class: 'muted' }, i18n.t('lookup.truncated', { limit: search.limit }))] : []),
  );
}

export function policyText(overview: DeviceOverview, i18n: AdminI18n): string {
  const { policy } = overview;
  const next = policy.nextEnrollmentAt && new Date(policy.nextEnrollmentAt) > new Date() ? policy.nextEnrollmentAt : null;
  return [
    i18n.t('devices.policy', { count: policy.devicesInUse, max: policy.maxDevices }),
    next ? i18n.t('devices.cooldown', { at: formatTime(next, i18n.lang) }) : i18n.t('devices.noCooldown'),
  ].join(' ');
}

export function resetControl(editing: Editing, i18n: AdminI18n, actions: AdminActions): HTMLElement {
  if (editing?.kind === 'reset') {
    return reasonForm('reset-reason', i18n, {
      submit: i18n.t('action.confirmReset'),
      hint: i18n.t('action.resetHint'),
      onSubmit: (reason) => actions.reset(reason),
      onCancel: () => actions.edit(null),
    });
  }
  const button = el('button', { type: 'button', class: 'button button--secondary', 'data-action': 'reset' }, i18n.t('action.reset'));
  button.addEventListener('click', () => actions.edit({ kind: 'reset' }));
  return el('div', { class: 'admin-reset' }, button);
}

/** Erasure at the student's request: a reason and a second, explicit button, as for revoking. */
export function eraseControl(editing: Editing, i18n: AdminI18n, actions: AdminActions): HTMLElement {
  if (editing?.kind === 'erase') {
    return reasonForm('erase-reason', i18n, {
      submit: i18n.t('action.confirmErase'),
      hint: i18n.t('action.eraseHint'),
      danger: true,
      onSubmit: (reason) => actions.erase(reason),
      onCancel: () => actions.edit(null),
    });
  }
  const button = el('button', { type: 'button', class: 'button button--secondary button--danger', 'data-action': 'erase' }, i18n.t('action.erase'));
  button.addEventListener('click', () => actions.edit({ kind: 'erase' }));
  return el('div', { class: 'admin-erase' }, button);
}

export function deviceList(overview: DeviceOverview, editing: Editing, i18n: AdminI18n, actions: AdminActions, names: Names): HTMLElement {
  if (overview.devices.length === 0) return el('p', { class: 'muted' }, i18n.t('devices.none'));
  return el('ul', { class: 'admin-devices' }, ...overview.devices.map((device) => deviceItem(device, editing, i18n, actions, names)));
}

function deviceItem(device: Device, editing: Editing, i18n: AdminI18n, actions: AdminActions, names: Names): HTMLLIElement {
  const when = (iso: string): string => formatTime(iso, i18n.lang);
  const facts = [
    i18n.t('devices.enrolled', { at: when(device.createdAt) }),
    device.lastUsedAt ? i18n.t('devices.lastUsed', { at: when(device.lastUsedAt) }) : i18n.t('devices.neverUsed'),
    i18n.t('devices.credential', { prefix: device.credentialId.slice(0, 12) }),
  ];
  if (device.state === 'revoked' && device.revokedAt) {
    facts.push(i18n.t('devices.revokedAt', { at: when(device.revokedAt), reason: device.revokedReason ?? '' }));
  }
  if (device.state === 'flagged') facts.push(i18n.t('devices.flagged', { reason: flagReasonText(device.flaggedReason, i18n.lang) }));
  facts.push(...bindingFacts(device, i18n, names));
  const item = el(
    'li',
    { class: 'admin-device', 'data-state': device.state, 'data-device-id': String(device.id) },
    el(
      'div',
      { class: 'admin-device__title' },
      el('h3', { class: 'admin-device__name' }, device.name),
      el('span', { class: 'admin-device__state' }, i18n.t(`state.${device.state}`)),
    ),
    ...facts.map((fact) => el('p', { class: 'admin-device__fact muted' }, fact)),
  );
  if (device.state === 'revoked') return item;
  if (editing?.kind === 'revoke' && editing.deviceId === device.id) {
    item.append(
      reasonForm(`revoke-${device.id}-reason`, i18n, {
        submit: i18n.t('action.confirmRevoke'),
        danger: true,
        onSubmit: (reason) => actions.revoke(device, reason),
        onCancel: () => actions.edit(null),
      }),
    );
    return item;
  }
  const revoke = el('button', { type: 'button', class: 'button button--secondary button--danger', 'data-action': 'revoke' }, i18n.t('action.revoke'));
  revoke.addEventListener('click', () => actions.edit({ kind: 'revoke', deviceId: device.id }));
  item.append(el('div', { class: 'admin-device__actions' }, revoke));
  return item;
}

/** Verified or not, synced or device-bound (BE/BS), the phone binding, re-links, and every alert with its reason. */
function bindingFacts(device: Device, i18n: AdminI18n, names: Names = new Map()): string[] {
  const facts = [
    i18n.t(device.attestationVerified ? 'devices.verified' : 'devices.unverified', { format: device.attestationFormat, aaguid: device.aaguid }),
    i18n.t(device.backupEligible ? 'devices.synced' : 'devices.deviceBound'),
    device.phoneKeyBoundAt ? i18n.t('devices.phoneBound', { at: formatTime(device.phoneKeyBoundAt, i18n.lang) }) : i18n.t('devices.phoneUnbound'),
    i18n.t('devices.rebinds', { count: device.rebindsLast30Days }),
  ];
  for (const alert of device.alerts) {
    const others = Array.isArray(alert.details['otherStudents'])
      ? (alert.details['otherStudents'] as unknown[]).map((id) => personText(String(id), names, 'student', i18n)).join(', ')
      : '';
    const count = Number(alert.details['rebindsLast30Days'] ?? device.rebindsLast30Days);
    if (alert.reason === 'shared_device') facts.push(sharedUseText(alert.details, i18n));
    else if (alert.reason === 'spot_check_missed') facts.push(i18n.t('alert.spot_check_missed', { course: String(alert.details['courseName'] ?? '?'), at: formatTime(String(alert.details['markedAt'] ?? ''), i18n.lang) }));
    else facts.push(i18n.t(`alert.${alert.reason}`, { others, count }));
  }
  return facts;
}

/** The evidence of a device used in two places or at once: what was seen, and each use's network and time. */
function sharedUseText(details: Record<string, unknown>, i18n: AdminI18n): string {
  const kinds = ['two_places', 'two_at_once', 'confirmed_twice'] as const;
  const kind = kinds.find((known) => known === details['kind']) ?? 'two_places';
  const uses = Array.isArray(details['uses']) ? (details['uses'] as Array<{ network?: unknown; at?: unknown }>) : [];
  return i18n.t('alert.shared_device', {
    kind: i18n.t(`shared.${kind}`),
    refused: details['refused'] === true ? i18n.t('shared.refused') : '',
    uses: uses.map((use) => i18n.t('shared.use', { network: String(use.network ?? '?'), at: formatTime(String(use.at ?? ''), i18n.lang) })).join('; '),
  });
}

/** Blocked devices first, then those with alerts: each with its facts and a way to the student. */
export function attentionList(devices: readonly Device[], i18n: AdminI18n, names: Names): HTMLElement {
  if (devices.length === 0) return el('p', { class: 'muted' }, i18n.t('attention.none'));
  return el(
    'ul',
    { class: 'admin-devices' },
    ...devices.map((device) =>
      el(
        'li',
        { class: 'admin-device', 'data-state': device.state, 'data-device-id': String(device.id) },
        el(
          'div',
          { class: 'admin-device__title' },
          el('h3', { class: 'admin-device__name' }, device.name),
          el('span', { class: 'admin-device__state' }, i18n.t(`state.${device.state}`)),
        ),
        ...[
          i18n.t('attention.student', { name: personText(device.studentId, names, 'student', i18n) }),
          ...(device.state === 'flagged' ? [i18n.t('devices.flagged', { reason: flagReasonText(device.flaggedReason, i18n.lang) })] : []),
          ...bindingFacts(device, i18n, names),
        ].map((fact) => el('p', { class: 'admin-device__fact muted' }, fact)),
        el(
          'a',
          { href: `?student=${encodeURIComponent(device.studentId)}` },
          i18n.t('attention.open', { name: names.get(device.studentId)?.name ?? personText(device.studentId, names, 'student', i18n) }),
        ),
      ),
    ),
  );
}

function reasonForm(
  inputId: string,
  i18n: AdminI18n,
  options: { submit: string; hint?: string; danger?: boolean; onSubmit(reason: string): void; onCancel(): void },
): HTMLFormElement {
  const hintId = `${inputId}-hint`;
  const input = el('input', {
    id: inputId,
    type: 'text',
    required: true,
    autocomplete: 'off',
    maxlength: '200',
    ...(options.hint ? { 'aria-describedby': hintId } : {}),
  });
  const submit = el('button', { type: 'submit', class: options.danger ? 'button button--danger-solid' : 'button' }, options.submit);
  const cancel = el('button', { type: 'button', class: 'button button--secondary' }, i18n.t('action.cancel'));
  cancel.addEventListener('click', options.onCancel);
  const form = el(
    'form',
    { class: 'admin-reason', novalidate: true },
    el('label', { for: inputId }, i18n.t('action.reason')),
    input,
    ...(options.hint ? [el('p', { id: hintId, class: 'form-field__hint' }, options.hint)] : []),
    el('div', { class: 'admin-device__actions' }, submit, cancel),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const reason = input.value.trim();
    if (!reason) {
      input.setAttribute('aria-invalid', 'true');
      input.setCustomValidity(i18n.t('action.reasonShort'));
      input.reportValidity();
      return;
    }
    options.onSubmit(reason);
  });
  input.addEventListener('input', () => {
    input.removeAttribute('aria-invalid');
    input.setCustomValidity('');
  });
  queueMicrotask(() => input.focus());
  return form;
}

export function historyTable(history: DeviceHistory, i18n: AdminI18n, names: Names): HTMLElement {
  if (history.entries.length === 0) return el('p', { class: 'muted' }, i18n.t('history.none'));
  const head = (key: 'history.when' | 'history.action' | 'history.who' | 'history.device' | 'history.reason'): HTMLElement =>
    el('th', { scope: 'col' }, i18n.t(key));
  return el(
    'div',
    { class: 'admin-history-scroll' },
    el(
      'table',
      { class: 'admin-history' },
      el('caption', { class: 'visually-hidden' }, i18n.t('history.caption')),
      el('thead', {}, el('tr', {}, head('history.when'), head('history.action'), head('history.who'), head('history.device'), head('history.reason'))),
      el('tbody', {}, ...history.entries.map((entry) => historyRow(entry, i18n, names))),
    ),
  );
}

function historyRow(entry: HistoryEntry, i18n: AdminI18n, names: Names): HTMLTableRowElement {
  return el(
    'tr',
    { 'data-action': entry.action },
    el('td', {}, formatTime(entry.occurredAt, i18n.lang)),
    el('td', {}, i18n.t(`history.${entry.action}`)),
    el('td', {}, personText(entry.actorId, names, entry.actorRole, i18n)),
    el('td', {}, entry.deviceId === null ? '—' : `#${entry.deviceId}`),
    el('td', {}, entry.reason ?? '—'),
  );
}
