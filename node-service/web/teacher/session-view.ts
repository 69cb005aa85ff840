// One session (?session=<id>): the actions valid in its state, the projector link, and the live roster,
// refreshed every few seconds while the session is open and the page is in view.
import { basePath, type ApiClient } from '../src/lib/api';
import { formatDate, localDateOf } from '../src/lib/dates';
import type { Vars } from '../src/lib/i18n';
import { clearMessage, el, required, showError, showMessage } from '../src/lib/ui';
import { correctionDialog } from './correction';
import { exportPanel } from './exports';
import type { Key, TeacherI18n } from './messages';
import {
  coursePath,
  seriesPath,
  sessionsPath,
  type CorrectedResult,
  type CourseAttendance,
  type CourseRight,
  type Overview,
  type ResultStatus,
  type RosterFilter,
  type RosterRow,
  type RosterSort,
  type Session,
  type StudentStanding,
} from './model';
import { attemptReason, rosterView } from './roster';
import { sessionEditDialog } from './session-edit';
import { spotCheckPanel } from './spot-check';
import { walkInDialog, type WalkInDecision } from './walk-in';
import { stateBadges, whenText } from './session-list';

const pollEveryMs = 3000;

interface Action {
  readonly path: 'open' | 'rounds' | 'rounds/current/end' | 'close';
  readonly label: Key;
  readonly done: Key;
  readonly vars?: Vars;
  readonly danger?: boolean;
}

/** The actions the session's state allows, first the one the teacher most likely wants. */
function actionsFor(session: Session): Action[] {
  const close: Action = { path: 'close', label: 'session.close', done: 'session.closed', danger: true };
  if (session.state === 'scheduled') return [{ path: 'open', label: 'session.open', done: 'session.opened' }, close];
  if (session.state === 'closed') return [];
  if (session.currentRound !== null) {
    const vars = { round: session.currentRound };
    return [{ path: 'rounds/current/end', label: 'session.endRound', done: 'session.roundEnded', vars }, close];
  }
  if (session.roundsStarted < session.roundsPlanned) {
    const vars = { round: session.roundsStarted + 1 };
    return [{ path: 'rounds', label: 'session.startRound', done: 'session.roundStarted', vars }, close];
  }
  return [close];
}

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

  // Built once, then updated in place: re-creating the buttons every few seconds would steal the focus.
  const title = el('h1', { tabindex: '-1' });
  const meta = el('p', { class: 'session-meta muted' });
  const status = el('p', { class: 'session-status' });
  const actions = el('div', { class: 'session-actions', role: 'group' });
  const actionNote = el('p', { class: 'session-action-note muted' });
  const count = el('p', { class: 'session-count' });
  const stale = el('p', { class: 'session-stale', role: 'status' });
  // On a phone the table scrolls inside its own box instead of widening the page.
  const roster = el('div', { class: 'roster-scroll' });
  // The roster's search, filter and order, and the bulk correction bar: built once, outside the roster the
  // live refresh rebuilds, so typing and focus survive it.
  const search = el('input', { type: 'search', id: 'roster-search', autocomplete: 'off' });
  const searchLabel = el('label', { for: 'roster-search' });
  const onlyMissing = el('input', { type: 'checkbox', id: 'roster-missing' });
  const onlyMissingLabel = el('label', { for: 'roster-missing' });
  const sort = el('select', { id: 'roster-sort' });
  const sortLabel = el('label', { for: 'roster-sort' });
  const sorts = ['surname', 'status', 'time'] as const;
  const sortKeys = { surname: 'roster.sortSurname', status: 'roster.sortStatus', time: 'roster.sortTime' } as const;
  const tools = el(
    'div',
    { class: 'roster-tools', role: 'search' },
    el('div', { class: 'form-field' }, searchLabel, search),
    el('div', { class: 'form-field' }, sortLabel, sort),
    el('div', { class: 'form-field form-field--check' }, onlyMissing, onlyMissingLabel),
  );
  const selectedCount = el('span', { role: 'status' });
  const correctSelected = el('button', { type: 'button', class: 'button' });
  const clearSelection = el('button', { type: 'button', class: 'button button--secondary' });
  const bulkBar = el('div', { class: 'roster-bulk', hidden: true }, selectedCount, correctSelected, clearSelection);
  const selected = new Set<string>();
  const filter = (): RosterFilter => ({ query: search.value, onlyMissing: onlyMissing.checked, sort: (sort.value || 'surname') as RosterSort });
  const rosterHeading = el('h2', { id: 'roster-heading' });
  const courseLink = el('a', { class: 'session-course-link' });
  // Each student's standing in the course (the roster's trend column): read when the page opens, when the
  // session closes and after each correction, not on every live refresh.
  let trends: ReadonlyMap<string, StudentStanding> | undefined;
  let trendsFor = '';
  const settings = el('dl', { class: 'session-settings' });
  const settingsSummary = el('summary', {});

  let overview: Overview | undefined;
  let refreshFailed = false;
  let busy = false;
  let actionsKey = '';
  let pollTimer: number | undefined;
  let latestRequest = 0;
  // The last outcome shown, kept as a key so that it follows a change of language.
  let outcome: { readonly key: Key; readonly vars?: Vars; readonly status?: ResultStatus; readonly kept?: number } | undefined;
  const corrected = new Map<string, CorrectedResult>();

  const showOutcome = (): void => {
    if (!outcome) return;
    const vars = outcome.status ? { ...outcome.vars, status: i18n.t(`result.${outcome.status}`) } : outcome.vars;
    // A series change says how many classes it kept because they already ran.
    const kept = outcome.kept ? ` ${i18n.t('edit.seriesKept', { kept: outcome.kept })}` : '';
    showMessage(message, 'success', `${i18n.t(outcome.key, vars)}${kept}`);
  };

  const exports = exportPanel({ i18n, api, message });
  const spotChecks = spotCheckPanel({ i18n, api, path, onMarked: () => void refresh().catch(() => undefined) });
  /** Whether the viewer has this right in the session's course (an assistant runs the class, nothing more). */
  const can = (right: CourseRight): boolean => overview?.access.rights.includes(right) ?? false;
  const correction = correctionDialog({
    i18n,
    api,
    path,
    allowed: () => (can('correct_attendance') ? ['excused', 'manual_present', 'manual_absent', 'computed'] : can('mark_present') ? ['manual_present'] : []),
    onCorrected(result, choice) {
      corrected.set(result.studentId, result);
      outcome = { key: choice === 'computed' ? 'correction.reverted' : 'correction.done', vars: { name: result.studentName }, status: result.status };
      trendsFor = ''; // the standing changed with it
      showOutcome();
      render();
      void refresh().catch(() => undefined);
    },
    onCorrectedMany(results, choice) {
      for (const result of results) corrected.set(result.studentId, result);
      trendsFor = '';
      const status = results[0]?.status;
      outcome = choice === 'computed' ? { key: 'correction.revertedMany', vars: { count: results.length } } : { key: 'correction.doneMany', vars: { count: results.length }, ...(status ? { status } : {}) };
      selected.clear();
      showOutcome();
      render();
      void refresh().catch(() => undefined);
    },
    onClosed(studentId) {
      if (studentId === null) (bulkBar.hidden ? search : correctSelected).focus();
      else correctButton(studentId)?.focus();
    },
  });
  const walkIns = walkInDialog({
    i18n,
    api,
    path,
    onReviewed(row, decision) {
      outcome = { key: decision === 'accepted' ? 'walkIn.accepted' : 'walkIn.rejected', vars: { name: row.studentName } };
      showOutcome();
      void refresh().catch(() => undefined);
    },
  });
  const editor = sessionEditDialog({
    i18n,
    api,
    path,
    timeZone,
    onSaved() {
      outcome = { key: 'edit.saved' };
      showOutcome();
      void refresh().catch(() => undefined);
    },
    onSeriesSaved(edited) {
      outcome = { key: 'edit.seriesSaved', vars: { changed: edited.changed.length }, ...(edited.kept.length > 0 ? { kept: edited.kept.length } : {}) };
      showOutcome();
      void refresh().catch(() => undefined);
    },
    onClosed: () => actions.querySelector<HTMLElement>('[data-action="edit"]')?.focus(),
  });
  const correctButton = (studentId: string): HTMLElement | null => roster.querySelector(`[data-correct="${CSS.escape(studentId)}"]`);

  function render(): void {
    if (!overview) return;
    const { session } = overview;
    title.textContent = `${session.courseName} · ${session.room}`;
    document.title = `${session.courseName} · ${i18n.t('teacher.title')}`;
    meta.textContent = `${whenText(session, i18n, timeZone)} · ${i18n.t('session.rounds', { started: session.roundsStarted, planned: session.roundsPlanned })}`;
    courseLink.href = `?course=${encodeURIComponent(session.courseId)}`;
    courseLink.textContent = i18n.t('course.linkFor', { course: session.courseName });
    void loadTrends(session);
    status.replaceChildren(...stateBadges(session, i18n));
    renderActions(session);
    count.textContent =
      overview.count.round !== null
        ? i18n.t('session.count', { confirmed: overview.count.confirmed, expected: overview.count.expected, round: overview.count.round })
        : i18n.t('session.expected', { expected: overview.count.expected });
    stale.textContent = refreshFailed ? i18n.t('session.stale') : '';
    stale.hidden = !refreshFailed;
    rosterHeading.textContent = i18n.t('roster.heading');
    renderTools(overview);
    renderRoster(overview);
    exports.render(session);
    // Exports carry students' personal data: not offered to an assistant (the API refuses them too).
    if (!can('export_data')) exports.element.hidden = true;
    spotChecks.render(session);
    settingsSummary.textContent = i18n.t('session.settings');
    settings.replaceChildren(...settingRows(session));
  }

  async function loadTrends(session: Session): Promise<void> {
    const key = `${session.courseId}|${session.state}`;
    if (key === trendsFor) return;
    trendsFor = key;
    try {
      const course = await api.apiFetch<CourseAttendance>(`${coursePath(session.courseId)}/attendance`);
      trends = new Map(course.students.map((s) => [s.studentId, s]));
      if (overview) renderRoster(overview);
    } catch {
      trendsFor = ''; // the roster works without its trend column; the next refresh tries again
    }
  }

  /** Rebuilt on every refresh: a focused "Corregir" button keeps the focus across it. */
  function renderRoster(current: Overview): void {
    // A correction the service now reports itself no longer needs this page's memory of it.
    for (const row of current.roster) {
      const mine = corrected.get(row.studentId);
      if (mine && row.status === mine.status && (row.overrideReason ?? null) === mine.overrideReason) corrected.delete(row.studentId);
    }
    const active = document.activeElement;
    const focused = active instanceof HTMLElement && roster.contains(active) ? active.dataset['correct'] : undefined;
    const ticked = active instanceof HTMLElement && roster.contains(active) ? active.dataset['select'] : undefined;
    const enabled = current.session.state !== 'scheduled' && can('mark_present');
    for (const id of selected) if (!current.roster.some((r) => r.studentId === id)) selected.delete(id);
    roster.replaceChildren(...rosterView(current, i18n, { corrected, enabled, selected, filter: filter(), timeZone, ...(trends ? { trends } : {}) }));
    if (focused) correctButton(focused)?.focus();
    if (ticked) roster.querySelector<HTMLElement>(`[data-select="${CSS.escape(ticked)}"]`)?.focus();
    bulkBar.hidden = !enabled || selected.size === 0;
    selectedCount.textContent = i18n.t('roster.selected', { count: selected.size });
  }

  function renderTools(current: Overview): void {
    tools.hidden = current.roster.length === 0;
    tools.setAttribute('aria-label', i18n.t('roster.tools'));
    searchLabel.textContent = i18n.t('roster.search');
    onlyMissingLabel.textContent = i18n.t('roster.onlyMissing');
    sortLabel.textContent = i18n.t('roster.sort');
    const chosen = sort.value || 'surname';
    sort.replaceChildren(...sorts.map((key) => el('option', { value: key, ...(key === chosen ? { selected: true } : {}) }, i18n.t(sortKeys[key]))));
    correctSelected.textContent = i18n.t('roster.correctSelected');
    clearSelection.textContent = i18n.t('roster.clearSelection');
  }

  function renderActions(session: Session): void {
    const list = actionsFor(session);
    const key = `${i18n.lang}|${session.state}|${session.currentRound}|${session.roundsStarted}`;
    if (key !== actionsKey) {
      actionsKey = key;
      actions.setAttribute('aria-label', i18n.t('session.actions'));
      actions.replaceChildren(...(can('run_classes') ? list.map(actionButton) : []), ...planButtons(session), ...projectLink(session));
      const done = session.state === 'open' && session.currentRound === null && session.roundsStarted >= session.roundsPlanned;
      actionNote.textContent = done
        ? i18n.t('session.allRoundsDone')
        : session.state === 'closed'
          ? ''
          : i18n.t('session.projectHint');
      actionNote.hidden = actionNote.textContent === '';
    }
    for (const button of actions.querySelectorAll('button')) button.disabled = busy;
  }

  function actionButton(action: Action): HTMLButtonElement {
    const classes = action.danger ? 'button button--secondary button--danger' : 'button';
    const button = el('button', { type: 'button', class: classes, 'data-action': action.path }, i18n.t(action.label, action.vars));
    button.addEventListener('click', () => void run(action));
    return button;
  }

  /** Before the session opens, its plan can change or the session can go. */
  function planButtons(session: Session): HTMLElement[] {
    if (session.state !== 'scheduled' || !can('change_settings')) return [];
    const edit = el('button', { type: 'button', class: 'button button--secondary', 'data-action': 'edit' }, i18n.t('edit.button'));
    edit.addEventListener('click', () => {
      if (overview) editor.open(overview.session);
    });
    const remove = el('button', { type: 'button', class: 'button button--secondary button--danger', 'data-action': 'delete' }, i18n.t('delete.button'));
    remove.addEventListener('click', () => void removeSession());
    if (!session.seriesId) return [edit, remove];
    const seriesId = session.seriesId;
    const removeFrom = el('button', { type: 'button', class: 'button button--secondary button--danger', 'data-action': 'delete-from' }, i18n.t('delete.fromHere'));
    removeFrom.addEventListener('click', () => void removeFromHere(seriesId, session.id));
    return [edit, remove, removeFrom];
  }

  /** This class and every later one of its series that has not opened; the list says how many went. */
  async function removeFromHere(seriesId: string, sessionId: string): Promise<void> {
    if (busy || !window.confirm(i18n.t('delete.fromHereConfirm'))) return;
    busy = true;
    render();
    clearMessage(message);
    outcome = undefined;
    try {
      const done = await api.apiFetch<{ deleted: number; kept: unknown[] }>(`${seriesPath}/${encodeURIComponent(seriesId)}?from=${encodeURIComponent(sessionId)}`, { method: 'DELETE' });
      location.assign(`${basePath}teacher/?seriesDeleted=${done.deleted}&kept=${done.kept.length}`);
      return;
    } catch (error) {
      showError(message, error, i18n);
    }
    busy = false;
    await refresh().catch(() => undefined);
  }

  async function removeSession(): Promise<void> {
    if (busy || !window.confirm(i18n.t('delete.confirm'))) return;
    busy = true;
    render();
    clearMessage(message);
    outcome = undefined;
    try {
      await api.apiFetch<void>(path, { method: 'DELETE' });
      location.assign(`${basePath}teacher/?deleted=1`);
      return;
    } catch (error) {
      showError(message, error, i18n); // e.g. opened meanwhile in another tab: the refresh shows it
    }
    busy = false;
    await refresh().catch(() => undefined);
  }

  function projectLink(session: Session): HTMLElement[] {
    if (session.state === 'closed' || !can('project')) return [];
    const href = `${basePath}projector/?session=${encodeURIComponent(session.id)}`;
    return [el('a', { class: 'button button--secondary', href, target: '_blank', rel: 'noopener' }, i18n.t('session.project'))];
  }

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

  async function run(action: Action): Promise<void> {
    const session = overview?.session;
    if (!session || busy) return;
    if (action.path === 'open' && localDateOf(session.plannedStart, timeZone) !== localDateOf(new Date(), timeZone)) {
      const date = formatDate(session.plannedStart, i18n.lang, timeZone);
      if (!window.confirm(i18n.t('session.confirmOtherDay', { date }))) return;
    }
    if (action.path === 'close') {
      const question =
        session.currentRound !== null
          ? i18n.t('session.confirmCloseRound', { round: session.currentRound })
          : i18n.t('session.confirmClose');
      if (!window.confirm(question)) return;
    }
    busy = true;
    render();
    clearMessage(message);
    outcome = undefined;
    try {
      await api.apiFetch<Session>(`${path}/${action.path}`, { method: 'POST' });
      outcome = { key: action.done, ...(action.vars ? { vars: action.vars } : {}) };
      showOutcome();
    } catch (error) {
      showError(message, error, i18n); // e.g. another tab acted first: the refresh shows where things stand
    }
    busy = false;
    await refresh();
    (actions.querySelector<HTMLElement>('button, a') ?? title).focus();
  }

  /** One click for a student who tried and could not: present, with the reason said for the audit trail. */
  async function markPresent(row: RosterRow, code: string): Promise<void> {
    if (busy) return;
    busy = true;
    clearMessage(message);
    try {
      const why = attemptReason(code, i18n);
      const result = await api.apiFetch<CorrectedResult>(`${path}/students/${encodeURIComponent(row.studentId)}/correction`, {
        method: 'POST',
        body: { status: 'manual_present', reason: i18n.t('attempt.reason', { why }).slice(0, 500) },
      });
      corrected.set(result.studentId, result);
      outcome = { key: 'attempt.marked', vars: { name: row.studentName } };
      showOutcome();
    } catch (error) {
      showError(message, error, i18n);
    }
    busy = false;
    await refresh().catch(() => undefined);
    correctButton(row.studentId)?.focus();
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
      if (document.visibilityState === 'visible') void refresh().catch(() => undefined);
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
    actions,
    actionNote,
    el('section', { class: 'card', 'aria-labelledby': 'roster-heading' }, rosterHeading, count, stale, tools, bulkBar, roster),
    spotChecks.element,
    exports.element,
    el('details', { class: 'card session-details' }, settingsSummary, settings),
  );
  const rerender = (): void => {
    if (overview) renderRoster(overview);
  };
  search.addEventListener('input', rerender);
  onlyMissing.addEventListener('change', rerender);
  sort.addEventListener('change', rerender);
  roster.addEventListener('change', (event) => {
    const box = event.target as HTMLInputElement;
    const id = box.dataset['select'];
    if (!id) return;
    if (box.checked) selected.add(id);
    else selected.delete(id);
    rerender();
  });
  correctSelected.addEventListener('click', () => {
    const rows = overview?.roster.filter((r) => selected.has(r.studentId)) ?? [];
    if (rows.length === 1) correction.open(rows[0]!);
    else if (rows.length > 1) correction.openMany(rows);
  });
  clearSelection.addEventListener('click', () => {
    selected.clear();
    rerender();
    search.focus();
  });
  roster.addEventListener('click', (event) => {
    const walkIn = (event.target as Element).closest<HTMLElement>('[data-walk-in]');
    const walkInRow = walkIn && overview?.roster.find((r) => r.studentId === walkIn.dataset['studentId']);
    if (walkIn && walkInRow) walkIns.open(walkInRow, walkIn.dataset['walkIn'] as WalkInDecision);
  });
  roster.addEventListener('click', (event) => {
    const studentId = (event.target as Element).closest<HTMLElement>('[data-mark-present]')?.dataset['markPresent'];
    const row = overview?.roster.find((r) => r.studentId === studentId);
    if (row?.attempt) void markPresent(row, row.attempt.code);
  });
  roster.addEventListener('click', (event) => {
    const studentId = (event.target as Element).closest<HTMLElement>('[data-correct]')?.dataset['correct'];
    const row = overview?.roster.find((r) => r.studentId === studentId);
    if (row) correction.open(row);
  });
  i18n.onChange(() => {
    actionsKey = '';
    render();
    showOutcome();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && overview?.session.state === 'open') void refresh().catch(() => undefined);
  });
}
