// The changes to the student's devices, newest first, each with when, what and by whom: someone who signs in
// with the student's portal password can enrol a first phone, and the student must be able to see it.
import { formatDateTime } from '../src/lib/dates';
import type { I18n } from '../src/lib/i18n';
import { el } from '../src/lib/ui';
import type { Key } from './messages';
import type { DeviceChange, Overview } from './model';

const REFUSALS = ['passkey_required', 'rebind_cooldown', 'rebind_limit'] as const;

export function changeList(overview: Overview, i18n: I18n<Key>, timeZone?: string): HTMLElement {
  if (overview.changes.length === 0) return el('p', { class: 'muted' }, i18n.t('changes.none'));
  const names = new Map(overview.devices.map((device) => [device.id, device.name]));
  return el(
    'ul',
    { class: 'change-list' },
    ...overview.changes.map((change) =>
      el(
        'li',
        { class: 'change', 'data-action': change.action },
        el('span', { class: 'change__when muted' }, formatDateTime(change.occurredAt, i18n.lang, timeZone)),
        ' ',
        el('span', { class: 'change__what' }, changeText(change, names, i18n)),
      ),
    ),
  );
}

function changeText(change: DeviceChange, names: ReadonlyMap<number, string>, i18n: I18n<Key>): string {
  const vars = {
    device: (change.deviceId !== null ? names.get(change.deviceId) : undefined) ?? i18n.t('change.unknownDevice'),
    by: i18n.t(change.by === 'student' ? 'changes.byYou' : change.by === 'admin' || change.by === 'operator' ? 'changes.byAdmin' : 'changes.bySystem'),
    reason: change.reason ?? '',
  };
  if (change.action !== 'refused') return i18n.t(`change.${change.action}`, vars);
  const known = REFUSALS.find((reason) => reason === change.reason);
  return i18n.t(known ? `change.refused.${known}` : 'change.refused.other', vars);
}
