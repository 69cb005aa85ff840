// The live roster: one row per student with a checkbox (for bulk corrections), the status and the first
// confirmation time, the student's recent trend in the course, one column per round run so far (✓ where the student confirmed); a teacher's
// correction shows beside the name, with the button that makes one. The search, the "only missing" filter
// and the order come from the toolbar above it.
import { PageErrorCode } from '../../src/shared/contract';
import { formatTime } from '../src/lib/dates';
import { el } from '../src/lib/ui';
import type { TeacherI18n } from './messages';
import { correctionOf, filterRoster, rosterStatus, type CorrectedResult, type Overview, type RosterFilter, type RosterRow, type StudentStanding } from './model';
import { trendView } from './trend';

export interface RosterCorrections {
  /** Corrections made on this page, newer than the overview. */
  readonly corrected: ReadonlyMap<string, CorrectedResult>;
  /** Whether the session's results can be corrected now (it has been opened). */
  readonly enabled: boolean;
  /** Students ticked for a bulk correction. */
  readonly selected?: ReadonlySet<string>;
  readonly filter?: RosterFilter;
  readonly timeZone?: string;
  /** Each student's standing in the course, for the trend column (absent: no such column). */
  readonly trends?: ReadonlyMap<string, StudentStanding>;
}

export function rosterView(overview: Overview, i18n: TeacherI18n, corrections?: RosterCorrections): HTMLElement[] {
  const { rounds, session } = overview;
  if (overview.roster.length === 0) {
    return session.state === 'scheduled' ? [el('p', { class: 'muted' }, i18n.t('roster.empty'))] : [];
  }
  const statusOf = (row: RosterRow) => rosterStatus(row, session.state, corrections?.corrected.get(row.studentId));
  const roster = filterRoster(overview.roster, corrections?.filter ?? { query: '', onlyMissing: false, sort: 'surname' }, statusOf);
  if (roster.length === 0) return [el('p', { class: 'muted', role: 'status' }, i18n.t('roster.noMatch'))];
  const numbers = rounds.map((round) => round.number).sort((a, b) => a - b);
  const note = numbers.length === 0 ? [el('p', { class: 'muted' }, i18n.t('roster.noRounds'))] : [];
  const roundHeader = (n: number): HTMLTableCellElement =>
    el('th', { scope: 'col', class: 'roster__round' }, el('abbr', { title: i18n.t('roster.roundFull', { round: n }) }, i18n.t('roster.round', { round: n })));

  const table = el(
    'table',
    { class: 'roster' },
    el('caption', { class: 'visually-hidden' }, i18n.t('roster.caption')),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ...(corrections?.enabled ? [el('th', { scope: 'col', class: 'roster__select' }, el('span', { class: 'visually-hidden' }, i18n.t('roster.selectColumn')))] : []),
        el('th', { scope: 'col' }, i18n.t('roster.student')),
        el('th', { scope: 'col' }, i18n.t('roster.status')),
        ...(corrections?.trends ? [el('th', { scope: 'col', class: 'roster__trend' }, i18n.t('trend.heading'))] : []),
        ...numbers.map(roundHeader),
        ...(numbers.length ? [el('th', { scope: 'col', class: 'roster__total' }, i18n.t('roster.total'))] : []),
      ),
    ),
    el('tbody', {}, ...roster.map((row) => rosterRow(row, numbers, i18n, statusOf(row), corrections))),
    ...(numbers.length ? [totals(overview, numbers, i18n, Boolean(corrections?.enabled), Boolean(corrections?.trends))] : []),
  );
  return [...note, el('div', { class: 'roster-scroll' }, table)];
}

function statusCell(row: RosterRow, status: ReturnType<typeof rosterStatus>, i18n: TeacherI18n, timeZone: string | undefined): HTMLTableCellElement {
  const label = i18n.t(status === 'pending' ? 'roster.pending' : `result.${status}`);
  const text = row.firstConfirmedAt ? i18n.t('roster.statusAt', { status: label, time: formatTime(row.firstConfirmedAt, i18n.lang, timeZone) }) : label;
  return el('td', { class: 'roster__status' }, el('span', { class: 'result-badge', 'data-status': status }, text));
}

function rosterRow(
  row: RosterRow,
  numbers: readonly number[],
  i18n: TeacherI18n,
  status: ReturnType<typeof rosterStatus>,
  corrections?: RosterCorrections,
): HTMLTableRowElement {
  const badges: HTMLElement[] = [];
  if (row.source === 'walk_in') badges.push(el('span', { class: 'roster__badge' }, i18n.t('roster.walkIn')));
  if (row.flagged) badges.push(el('span', { class: 'roster__badge roster__badge--flagged' }, i18n.t('roster.flagged')));
  for (const alert of row.alerts) {
    const known = ['shared_phone', 'synced_passkey', 'frequent_rebinds', 'rebound_recently', 'shared_device', 'spot_check_missed'].includes(alert);
    const text = known ? i18n.t(`alert.${alert as 'shared_phone'}`) : alert;
    badges.push(el('span', { class: 'roster__badge roster__badge--alert', 'data-alert': alert }, text));
  }
  // A scan refused for a student still missing: when, why, and one click to mark them present.
  const missing = status === 'pending' || status === 'absent';
  if (row.attempt && missing) {
    badges.push(
      el(
        'span',
        { class: 'roster__badge roster__badge--attempt', 'data-attempt': row.attempt.code },
        i18n.t('attempt.badge', { time: formatTime(row.attempt.at, i18n.lang, corrections?.timeZone), why: attemptReason(row.attempt.code, i18n), count: row.attempt.count }),
      ),
    );
  }
  if (row.spotCheck) badges.push(el('span', { class: 'roster__badge', 'data-spot-check': row.spotCheck }, i18n.t(`spotCheck.mark.${row.spotCheck}`)));
  const correction = correctionOf(row, corrections?.corrected.get(row.studentId));
  if (correction) {
    const label = i18n.t(`result.${correction.status}`);
    badges.push(
      el(
        'span',
        { class: 'roster__badge roster__badge--corrected', 'data-status': correction.status, title: correction.reason },
        label,
        el('span', { class: 'visually-hidden' }, ` (${correction.reason})`),
      ),
    );
  }
  // An erased student keeps their place in the counts, without a name and without corrections.
  const name = row.erased ? i18n.t('roster.erased') : row.studentName;
  const correct = corrections?.enabled && !row.erased
    ? [
        el(
          'button',
          { type: 'button', class: 'roster__correct', 'data-correct': row.studentId, 'aria-label': i18n.t('roster.correctFor', { name: row.studentName }) },
          i18n.t('roster.correct'),
        ),
      ]
    : [];
  if (correct.length && row.attempt && missing) {
    correct.push(
      el(
        'button',
        { type: 'button', class: 'roster__correct', 'data-mark-present': row.studentId, 'aria-label': i18n.t('attempt.markPresentFor', { name }) },
        i18n.t('attempt.markPresent'),
      ),
    );
  }
  if (corrections?.enabled && row.source === 'walk_in' && row.flagged) {
    correct.push(
      el('button', { type: 'button', class: 'roster__correct', 'data-walk-in': 'accepted', 'data-student-id': row.studentId, 'aria-label': i18n.t('walkIn.acceptFor', { name: row.studentName }) }, i18n.t('walkIn.accept')),
      el('button', { type: 'button', class: 'roster__correct', 'data-walk-in': 'rejected', 'data-student-id': row.studentId, 'aria-label': i18n.t('walkIn.rejectFor', { name: row.studentName }) }, i18n.t('walkIn.reject')),
    );
  }
  const confirmed = new Set(row.roundsConfirmed);
  const select = corrections?.enabled
    ? row.erased
      ? [el('td', { class: 'roster__select' })]
      : [
        el(
          'td',
          { class: 'roster__select' },
          el('input', {
            type: 'checkbox',
            'data-select': row.studentId,
            'aria-label': i18n.t('roster.select', { name: row.studentName }),
            ...(corrections.selected?.has(row.studentId) ? { checked: true } : {}),
          }),
        ),
      ]
    : [];
  return el(
    'tr',
    { 'data-student': row.studentId, 'data-status': status },
    ...select,
    el('th', { scope: 'row', class: 'roster__name' }, el('div', { class: 'roster__name-cell' }, el('span', {}, name, ...badges), ...correct)),
    statusCell(row, status, i18n, corrections?.timeZone),
    ...(corrections?.trends ? [el('td', { class: 'roster__trend' }, trendView(corrections.trends.get(row.studentId), i18n))] : []),
    ...numbers.map((n) => mark(confirmed.has(n), i18n)),
    ...(numbers.length ? [el('td', { class: 'roster__total' }, `${numbers.filter((n) => confirmed.has(n)).length}/${numbers.length}`)] : []),
  );
}

function mark(yes: boolean, i18n: TeacherI18n): HTMLTableCellElement {
  return el(
    'td',
    { class: 'roster__mark', 'data-confirmed': String(yes) },
    el('span', { 'aria-hidden': 'true' }, yes ? '✓' : '—'),
    el('span', { class: 'visually-hidden' }, i18n.t(yes ? 'roster.confirmed' : 'roster.missing')),
  );
}

function totals(overview: Overview, numbers: readonly number[], i18n: TeacherI18n, selectable: boolean, trend: boolean): HTMLTableSectionElement {
  const byNumber = new Map(overview.rounds.map((round) => [round.number, round.confirmed]));
  return el(
    'tfoot',
    {},
    el(
      'tr',
      {},
      ...(selectable ? [el('td', {})] : []),
      el('th', { scope: 'row' }, i18n.t('roster.totals')),
      el('td', {}),
      ...(trend ? [el('td', {})] : []),
      ...numbers.map((n) => el('td', { class: 'roster__mark' }, String(byNumber.get(n) ?? 0))),
      el('td', {}),
    ),
  );
}

/** Why a scan was refused, in a few words the teacher can read aloud (the service's error code). */
const ATTEMPT_REASONS = {
  [PageErrorCode.scanDeviceFlagged]: 'attempt.flagged',
  [PageErrorCode.scanDeviceRevoked]: 'attempt.revoked',
  [PageErrorCode.scanCodeExpired]: 'attempt.expired',
  [PageErrorCode.scanWrongPhone]: 'attempt.wrongPhone',
  [PageErrorCode.scanNetworkRefused]: 'attempt.network',
  [PageErrorCode.scanNetworkChanged]: 'attempt.network',
  [PageErrorCode.scanCounterRegressed]: 'attempt.copied',
  [PageErrorCode.scanDeviceShared]: 'attempt.shared',
  [PageErrorCode.scanRoundNotOpen]: 'attempt.noRound',
  [PageErrorCode.scanSessionClosed]: 'attempt.noRound',
} as const;

export function attemptReason(code: string, i18n: TeacherI18n): string {
  const key = (ATTEMPT_REASONS as Readonly<Record<string, (typeof ATTEMPT_REASONS)[keyof typeof ATTEMPT_REASONS]>>)[code];
  return i18n.t(key ?? 'attempt.other');
}
