// The roster card of one session: the live count, the roster (rebuilt on every refresh, keeping the focus),
// its tools, the students ticked for a bulk correction, and what its buttons open: a correction, a walk-in
// review, "mark present" for a student who tried and could not. Corrections follow the viewer's rights
// (page.can): an assistant only marks present.
import { clearMessage, el, showError } from '../src/lib/ui';
import { correctionDialog } from './correction';
import { coursePath, type CorrectedResult, type CourseAttendance, type Overview, type RosterRow, type Session, type StudentStanding } from './model';
import { attemptReason, rosterView } from './roster';
import { rosterTools } from './roster-tools';
import { refreshQuietly, type SessionContext } from './session-context';
import { walkInDialog, type WalkInDecision } from './walk-in';

export function rosterPanel(page: SessionContext) {
  const { i18n, api, path, timeZone, message } = page;
  const heading = el('h2', { id: 'roster-heading' });
  const count = el('p', { class: 'session-count' });
  const stale = el('p', { class: 'session-stale', role: 'status' });
  // On a phone the table scrolls inside its own box instead of widening the page.
  const roster = el('div', { class: 'roster-scroll' });
  const rerender = (): void => {
    const current = page.current();
    if (current) renderRoster(current);
  };
  const tools = rosterTools(i18n, rerender);
  const selected = new Set<string>();
  const selectedCount = el('span', { role: 'status' });
  const correctSelected = el('button', { type: 'button', class: 'button' });
  const clearSelection = el('button', { type: 'button', class: 'button button--secondary' });
  const bulkBar = el('div', { class: 'roster-bulk', hidden: true }, selectedCount, correctSelected, clearSelection);
  // Corrections made here that the last overview did not show yet.
  const corrected = new Map<string, CorrectedResult>();
  // Each student's standing in the course (the roster's trend column): read when the page opens, when the
  // session closes and after each correction, not on every live refresh.
  let trends: ReadonlyMap<string, StudentStanding> | undefined;
  let trendsFor = '';

  const correctButton = (studentId: string): HTMLElement | null => roster.querySelector(`[data-correct="${CSS.escape(studentId)}"]`);
  const afterCorrection = (): void => {
    trendsFor = ''; // the standing changed with it
    page.render();
    refreshQuietly(page);
  };
  const correction = correctionDialog({
    i18n,
    api,
    path,
    allowed: () => (page.can('correct_attendance') ? ['excused', 'manual_present', 'manual_absent', 'computed'] : page.can('mark_present') ? ['manual_present'] : []),
    onCorrected(result, choice) {
      corrected.set(result.studentId, result);
      page.announce({ key: choice === 'computed' ? 'correction.reverted' : 'correction.done', vars: { name: result.studentName }, status: result.status });
      afterCorrection();
    },
    onCorrectedMany(results, choice) {
      for (const result of results) corrected.set(result.studentId, result);
      const status = results[0]?.status;
      selected.clear();
      page.announce(
        choice === 'computed'
          ? { key: 'correction.revertedMany', vars: { count: results.length } }
          : { key: 'correction.doneMany', vars: { count: results.length }, ...(status ? { status } : {}) },
      );
      afterCorrection();
    },
    onClosed(studentId) {
      if (studentId === null) (bulkBar.hidden ? tools.search : correctSelected).focus();
      else correctButton(studentId)?.focus();
    },
  });
  const walkIns = walkInDialog({
    i18n,
    api,
    path,
    onReviewed(row, decision) {
      page.announce({ key: decision === 'accepted' ? 'walkIn.accepted' : 'walkIn.rejected', vars: { name: row.studentName } });
      refreshQuietly(page);
    },
  });

  async function loadTrends(session: Session): Promise<void> {
    const key = `${session.courseId}|${session.state}`;
    if (key === trendsFor) return;
    trendsFor = key;
    try {
      const course = await api.apiFetch<CourseAttendance>(`${coursePath(session.courseId)}/attendance`);
      trends = new Map(course.students.map((s) => [s.studentId, s]));
      rerender();
    } catch {
      trendsFor = ''; // the roster works without its trend column; the next refresh tries again
    }
  }

  /** What the roster was last drawn from: a refresh that changes none of it leaves the table alone. */
  let drawnFrom = '';

  /**
   * Rebuilt when what it shows changed, not on every refresh (every 3 s while the class is open): a button
   * replaced between a teacher's press and release loses the click. A focused "Corregir" button keeps the
   * focus across a rebuild.
   */
  function renderRoster(current: Overview): void {
    // A correction the service now reports itself no longer needs this page's memory of it.
    for (const row of current.roster) {
      const mine = corrected.get(row.studentId);
      if (mine && row.status === mine.status && (row.overrideReason ?? null) === mine.overrideReason) corrected.delete(row.studentId);
    }
    const active = document.activeElement;
    const focused = active instanceof HTMLElement && roster.contains(active) ? active.dataset['correct'] : undefined;
    const ticked = active instanceof HTMLElement && roster.contains(active) ? active.dataset['select'] : undefined;
    const enabled = current.session.state !== 'scheduled' && page.can('mark_present');
    for (const id of selected) if (!current.roster.some((r) => r.studentId === id)) selected.delete(id);
    const filter = tools.filter();
    const from = JSON.stringify([i18n.lang, current.session, current.rounds, current.roster, [...corrected], enabled, [...selected], filter, trends && [...trends]]);
    bulkBar.hidden = !enabled || selected.size === 0;
    selectedCount.textContent = i18n.t('roster.selected', { count: selected.size });
    if (from === drawnFrom) return;
    drawnFrom = from;
    roster.replaceChildren(...rosterView(current, i18n, { corrected, enabled, selected, filter, timeZone, ...(trends ? { trends } : {}) }));
    if (focused) correctButton(focused)?.focus();
    if (ticked) roster.querySelector<HTMLElement>(`[data-select="${CSS.escape(ticked)}"]`)?.focus();
  }

  /** One click for a student who tried and could not: present, with the reason said for the audit trail. */
  async function markPresent(row: RosterRow, code: string): Promise<void> {
    if (page.busy) return;
    page.busy = true;
    clearMessage(message);
    try {
      const why = attemptReason(code, i18n);
      const result = await api.apiFetch<CorrectedResult>(`${path}/students/${encodeURIComponent(row.studentId)}/correction`, {
        method: 'POST',
        body: { status: 'manual_present', reason: i18n.t('attempt.reason', { why }).slice(0, 500) },
      });
      corrected.set(result.studentId, result);
      page.announce({ key: 'attempt.marked', vars: { name: row.studentName } });
    } catch (error) {
      showError(message, error, i18n);
    }
    page.busy = false;
    await page.refresh().catch(() => undefined);
    correctButton(row.studentId)?.focus();
  }

  const rowOf = (studentId: string | undefined): RosterRow | undefined => page.current()?.roster.find((r) => r.studentId === studentId);
  roster.addEventListener('change', (event) => {
    const box = event.target as HTMLInputElement;
    const id = box.dataset['select'];
    if (!id) return;
    if (box.checked) selected.add(id);
    else selected.delete(id);
    rerender();
  });
  correctSelected.addEventListener('click', () => {
    const rows = page.current()?.roster.filter((r) => selected.has(r.studentId)) ?? [];
    if (rows.length === 1) correction.open(rows[0]!);
    else if (rows.length > 1) correction.openMany(rows);
  });
  clearSelection.addEventListener('click', () => {
    selected.clear();
    rerender();
    tools.search.focus();
  });
  roster.addEventListener('click', (event) => {
    const target = event.target as Element;
    const walkIn = target.closest<HTMLElement>('[data-walk-in]');
    const walkInRow = walkIn && rowOf(walkIn.dataset['studentId']);
    if (walkIn && walkInRow) walkIns.open(walkInRow, walkIn.dataset['walkIn'] as WalkInDecision);
    const tried = rowOf(target.closest<HTMLElement>('[data-mark-present]')?.dataset['markPresent']);
    if (tried?.attempt) void markPresent(tried, tried.attempt.code);
    const row = rowOf(target.closest<HTMLElement>('[data-correct]')?.dataset['correct']);
    if (row) correction.open(row);
  });

  return {
    element: el('section', { class: 'card', 'aria-labelledby': 'roster-heading' }, heading, count, stale, tools.element, bulkBar, roster),
    /** The count, whether the last refresh failed, the tools and the roster itself. */
    render(current: Overview, refreshFailed: boolean): void {
      void loadTrends(current.session);
      const { count: live } = current;
      count.textContent =
        live.round !== null
          ? i18n.t('session.count', { confirmed: live.confirmed, expected: live.expected, round: live.round })
          : i18n.t('session.expected', { expected: live.expected });
      stale.textContent = refreshFailed ? i18n.t('session.stale') : '';
      stale.hidden = !refreshFailed;
      heading.textContent = i18n.t('roster.heading');
      tools.render(current.roster.length);
      correctSelected.textContent = i18n.t('roster.correctSelected');
      clearSelection.textContent = i18n.t('roster.clearSelection');
      renderRoster(current);
    },
  };
}
