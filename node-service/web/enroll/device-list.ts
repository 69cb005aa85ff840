// The student's devices, each with its state and dates, and for those not revoked: rename and revoke,
// each opening a small inline form (no pop-up dialogs on a phone).
import { flagReasonText } from '../src/lib/flag-reason';
import type { I18n } from '../src/lib/i18n';
import { formatDateTime as formatTime } from '../src/lib/dates';
import { el } from '../src/lib/ui';
import type { Key } from './messages';
import type { DeviceView } from './model';

export type Editing = { readonly id: number; readonly kind: 'rename' | 'revoke' } | null;

export interface DeviceListActions {
  edit(editing: Editing): void;
  rename(device: DeviceView, name: string): void;
  revoke(device: DeviceView, reason: string): void;
}

export function deviceList(
  devices: readonly DeviceView[],
  editing: Editing,
  i18n: I18n<Key>,
  actions: DeviceListActions,
  /** The institution's zone (TIME_ZONE): dates are told in it, as on every page. */
  timeZone?: string,
): HTMLElement {
  if (devices.length === 0) return el('p', { class: 'muted' }, i18n.t('devices.none'));
  return el('ul', { class: 'device-list' }, ...devices.map((device) => deviceItem(device, editing, i18n, actions, timeZone)));
}

function deviceItem(device: DeviceView, editing: Editing, i18n: I18n<Key>, actions: DeviceListActions, timeZone?: string): HTMLLIElement {
  const when = (iso: string) => formatTime(iso, i18n.lang, timeZone);
  const facts = [
    ...(device.attestationVerified ? [i18n.t('devices.verified', { format: device.attestationFormat })] : []),
    i18n.t('devices.enrolled', { at: when(device.createdAt) }),
    device.lastUsedAt ? i18n.t('devices.lastUsed', { at: when(device.lastUsedAt) }) : i18n.t('devices.neverUsed'),
  ];
  if (device.state === 'revoked' && device.revokedAt) {
    facts.push(i18n.t('devices.revokedAt', { at: when(device.revokedAt), reason: device.revokedReason ?? '' }));
  }
  if (device.state === 'flagged') facts.push(i18n.t('devices.flagged', { reason: flagReasonText(device.flaggedReason, i18n.lang) }));
  if (device.state === 'active') {
    facts.push(device.phoneKeyBoundAt ? i18n.t('devices.phoneBound', { at: when(device.phoneKeyBoundAt) }) : i18n.t('devices.phoneUnbound'));
  }

  const item = el(
    'li',
    { class: 'device', 'data-state': device.state, 'data-device-id': String(device.id) },
    el(
      'div',
      { class: 'device__title' },
      el('h3', { class: 'device__name' }, device.name),
      el('span', { class: 'device__state' }, i18n.t(`state.${device.state}`)),
    ),
    ...facts.map((fact) => el('p', { class: 'device__fact muted' }, fact)),
  );
  if (device.state === 'revoked') return item;
  if (editing?.id === device.id) item.append(editForm(device, editing.kind, i18n, actions));
  else item.append(buttons(device, i18n, actions));
  return item;
}

function buttons(device: DeviceView, i18n: I18n<Key>, actions: DeviceListActions): HTMLElement {
  const rename = el('button', { type: 'button', class: 'button button--secondary' }, i18n.t('devices.rename'));
  const revoke = el('button', { type: 'button', class: 'button button--secondary button--danger' }, i18n.t('devices.revoke'));
  rename.addEventListener('click', () => actions.edit({ id: device.id, kind: 'rename' }));
  revoke.addEventListener('click', () => actions.edit({ id: device.id, kind: 'revoke' }));
  return el('div', { class: 'device__actions' }, rename, revoke);
}

function editForm(device: DeviceView, kind: 'rename' | 'revoke', i18n: I18n<Key>, actions: DeviceListActions): HTMLFormElement {
  const inputId = `device-${device.id}-${kind}`;
  const input = el('input', {
    id: inputId,
    type: 'text',
    required: true,
    autocomplete: 'off',
    maxlength: kind === 'rename' ? '60' : '200',
    minlength: kind === 'rename' ? '1' : '3',
  });
  if (kind === 'rename') input.value = device.name;
  const submit = el(
    'button',
    { type: 'submit', class: kind === 'rename' ? 'button' : 'button button--danger-solid' },
    i18n.t(kind === 'rename' ? 'devices.save' : 'devices.confirmRevoke'),
  );
  const cancel = el('button', { type: 'button', class: 'button button--secondary' }, i18n.t('devices.cancel'));
  cancel.addEventListener('click', () => actions.edit(null));
  const form = el(
    'form',
    { class: 'device__form' },
    el('label', { for: inputId }, i18n.t(kind === 'rename' ? 'devices.nameLabel' : 'devices.reasonLabel')),
    input,
    ...(kind === 'revoke' ? [el('p', { class: 'muted device__note' }, i18n.t('devices.revokeNote'))] : []),
    el('div', { class: 'device__actions' }, submit, cancel),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    if (kind === 'rename') actions.rename(device, input.value);
    else actions.revoke(device, input.value);
  });
  queueMicrotask(() => input.focus());
  return form;
}

export { formatDateTime as formatTime } from '../src/lib/dates';
