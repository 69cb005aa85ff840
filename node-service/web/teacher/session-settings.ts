// The session's settings, folded away under the roster: rotation, grace, lateness, networks, fallback code
// and the roster policy.
import { el } from '../src/lib/ui';
import type { Key, TeacherI18n } from './messages';
import type { Session } from './model';

export function settingsPanel({ i18n, campusNetworks }: { i18n: TeacherI18n; campusNetworks: readonly string[] }) {
  const settings = el('dl', { class: 'session-settings' });
  const summary = el('summary', {});

  /** The session's own networks, else the institution's campus networks (its default), else any network. */
  function networksText(own: readonly string[]): string {
    if (own.length > 0) return own.join(', ');
    return campusNetworks.length > 0 ? i18n.t('session.campusNetworks', { networks: campusNetworks.join(', ') }) : i18n.t('session.anyNetwork');
  }

  function settingRows(session: Session): HTMLElement[] {
    const row = (key: Key, value: string): HTMLElement[] => [el('dt', {}, i18n.t(key)), el('dd', {}, value)];
    const seconds = (ms: number): string => i18n.t('session.seconds', { seconds: (ms / 1000).toLocaleString(i18n.lang) });
    return [
      ...row('session.period', seconds(session.rotationPeriodMs)),
      ...row('session.grace', seconds(session.graceMs)),
      ...row('session.late', i18n.t('session.minutes', { minutes: session.lateAfterMinutes })),
      ...row('session.networks', networksText(session.allowedNetworks)),
      ...row('session.fallback', i18n.t(session.fallbackCodeEnabled ? 'session.yes' : 'session.no')),
      ...row('session.policy', i18n.t(session.rosterPolicy === 'flag' ? 'form.policyFlag' : 'form.policyRefuse')),
    ];
  }

  return {
    element: el('details', { class: 'card session-details' }, summary, settings),
    render(session: Session): void {
      summary.textContent = i18n.t('session.settings');
      settings.replaceChildren(...settingRows(session));
    },
  };
}
