// One session (?session=<id>): its heading and state, then one panel each (session-*.ts, roster-panel.ts,
// spot-check.ts, exports.ts): the actions valid in its state with the projector link, the live roster, the
// spot check, the exports and the settings. This file reads the session, refreshing it every few seconds
// while it is open and the page is in view, and renders every panel from what it read.
import type { ApiClient } from '../src/lib/api';
import { el, required, showError, showMessage } from '../src/lib/ui';
import { exportPanel } from './exports';
import type { TeacherI18n } from './messages';
import { sessionsPath, type Overview } from './model';
import { rosterPanel } from './roster-panel';
import { actionsPanel } from './session-actions';
import { stateBadges, whenText } from './session-list';
import { refreshQuietly, type Outcome, type SessionContext } from './session-context';
import { settingsPanel } from './session-settings';
import { spotCheckPanel } from './spot-check';

const pollEveryMs = 3000;

export async function showSession({
  i18n,
  api,
  sessionId,
  timeZone,
  campusNetworks = [],
}: {
  i18n: TeacherI18n;
  api: ApiClient;
  sessionId: string;
  timeZone: string | undefined;
  /** CAMPUS_NETWORKS: what this session accepts when it lists no networks of its own. */
  campusNetworks?: readonly string[];
}): Promise<void> {
  required('#session-view').hidden = false;
  const body = required('#session-body');
  const message = required('#session-message');
  const path = `${sessionsPath}/${encodeURIComponent(sessionId)}`;

  // Built once, then updated in place: re-creating them every few seconds would steal the focus.
  const title = el('h1', { tabindex: '-1' });
  const meta = el('p', { class: 'session-meta muted' });
  const status = el('p', { class: 'session-status' });
  const courseLink = el('a', { class: 'session-course-link' });

  let overview: Overview | undefined;
  let refreshFailed = false;
  let pollTimer: number | undefined;
  let latestRequest = 0;
  let outcome: Outcome | undefined;

  const showOutcome = (): void => {
    if (!outcome) return;
    const vars = outcome.status ? { ...outcome.vars, status: i18n.t(`result.${outcome.status}`) } : outcome.vars;
    const kept = outcome.kept ? ` ${i18n.t('edit.seriesKept', { kept: outcome.kept })}` : '';
    showMessage(message, 'success', `${i18n.t(outcome.key, vars)}${kept}`);
  };

  const page: SessionContext = {
    i18n,
    api,
    path,
    timeZone,
    message,
    title,
    current: () => overview,
    can: (right) => overview?.access.rights.includes(right) ?? false,
    busy: false,
    announce(next) {
      outcome = next;
      showOutcome();
    },
    render,
    refresh,
  };
  const actions = actionsPanel(page);
  const roster = rosterPanel(page);
  const spotChecks = spotCheckPanel({ i18n, api, path, onMarked: () => refreshQuietly(page) });
  const exports = exportPanel({ i18n, api, message });
  const settings = settingsPanel({ i18n, campusNetworks });

  function render(): void {
    if (!overview) return;
    const { session } = overview;
    title.textContent = `${session.courseName} · ${session.room}`;
    document.title = `${session.courseName} · ${i18n.t('teacher.title')}`;
    meta.textContent = `${whenText(session, i18n, timeZone)} · ${i18n.t('session.rounds', { started: session.roundsStarted, planned: session.roundsPlanned })}`;
    courseLink.href = `?course=${encodeURIComponent(session.courseId)}`;
    courseLink.textContent = i18n.t('course.linkFor', { course: session.courseName });
    status.replaceChildren(...stateBadges(session, i18n));
    actions.render(session);
    roster.render(overview, refreshFailed);
    exports.render(session);
    // Exports carry students' personal data: not offered to an assistant (the API refuses them too).
    if (!page.can('export_data')) exports.element.hidden = true;
    spotChecks.render(session);
    settings.render(session);
  }

  async function refresh(): Promise<void> {
    window.clearTimeout(pollTimer);
    const request = ++latestRequest;
    try {
      const fresh = await api.apiFetch<Overview>(path);
      if (request !== latestRequest) return; // a newer answer (e.g. after an action) is on its way
      overview = fresh;
      refreshFailed = false;
    } catch (error) {
      if (!overview) throw error;
      if (request !== latestRequest) return;
      refreshFailed = true;
    }
    render();
    schedulePoll();
  }

  function schedulePoll(): void {
    window.clearTimeout(pollTimer);
    if (overview?.session.state !== 'open') return;
    pollTimer = window.setTimeout(() => {
      if (document.visibilityState === 'visible') refreshQuietly(page);
      else schedulePoll();
    }, pollEveryMs);
  }

  try {
    await refresh();
  } catch (error) {
    body.replaceChildren();
    showError(message, error, i18n);
    return;
  }
  body.replaceChildren(
    title,
    meta,
    el('p', {}, courseLink),
    status,
    ...actions.elements,
    roster.element,
    spotChecks.element,
    exports.element,
    settings.element,
  );
  i18n.onChange(() => {
    actions.relabel();
    render();
    showOutcome();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && overview?.session.state === 'open') refreshQuietly(page);
  });
}
