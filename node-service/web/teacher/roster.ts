// The live roster: one row per student, one column per round run so far, ✓ where the student confirmed;
// a teacher's correction shows beside the name, with the button that makes one.
import { el } from '../src/lib/ui';
import type { TeacherI18n } from './messages';
import { correctionOf, type CorrectedResult, type Overview, type RosterRow } from './model';

export interface RosterCorrections {
  /** Corrections made on this page, newer than the overview. */
  readonly corrected: ReadonlyMap<string, CorrectedResult>;
  /** Whether the session's results can be corrected now (it has been opened). */
  readonly enabled: boolean;
}

export function rosterView(overview: Overview, i18n: TeacherI18n, corrections?: RosterCorrections): HTMLElement[] {
  const { roster, rounds, session } = overview;
  if (roster.length === 0) {
    return session.state === 'scheduled' ? [el('p', { class: 'muted' }, i18n.t('roster.empty'))] : [];
  }
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
        el('th', { scope: 'col' }, i18n.t('roster.student')),
        ...numbers.map(roundHeader),
        ...(numbers.length ? [el('th', { scope: 'col', class: 'roster__total' }, i18n.t('roster.total'))] : []),
      ),
    ),
    el('tbody', {}, ...roster.map((row) => rosterRow(row, numbers, i18n, corrections))),
    ...(numbers.length ? [totals(overview, numbers, i18n)] : []),
  );
  return [...note, el('div', { class: 'roster-scroll' }, table)];
}

function rosterRow(row: RosterRow, numbers: readonly number[], i18n: TeacherI18n, corrections?: RosterCorrections): HTMLTableRowElement {
  const badges: HTMLElement[] = [];
  if (row.source === 'walk_in') badges.push(el('span', { class: 'roster__badge' }, i18n.t('roster.walkIn')));
  if (row.flagged) badges.push(el('span', { class: 'roster__badge roster__badge--flagged' }, i18n.t('roster.flagged')));
  for (const alert of row.alerts) {
    const known = ['shared_phone', 'synced_passkey', 'frequent_rebinds', 'rebound_recently'].includes(alert);
    const text = known ? i18n.t(`alert.${alert as 'shared_phone'}`) : alert;
    badges.push(el('span', { class: 'roster__badge roster__badge--alert', 'data-alert': alert }, text));
  }
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
  const correct = corrections?.enabled
    ? [
        el(
          'button',
          { type: 'button', class: 'roster__correct', 'data-correct': row.studentId, 'aria-label': i18n.t('roster.correctFor', { name: row.studentName }) },
          i18n.t('roster.correct'),
        ),
      ]
    : [];
  const confirmed = new Set(row.roundsConfirmed);
  return el(
    'tr',
    { 'data-student': row.studentId },
    el('th', { scope: 'row', class: 'roster__name' }, el('div', { class: 'roster__name-cell' }, el('span', {}, row.studentName, ...badges), ...correct)),
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

function totals(overview: Overview, numbers: readonly number[], i18n: TeacherI18n): HTMLTableSectionElement {
  const byNumber = new Map(overview.rounds.map((round) => [round.number, round.confirmed]));
  return el(
    'tfoot',
    {},
    el(
      'tr',
      {},
      el('th', { scope: 'row' }, i18n.t('roster.totals')),
      ...numbers.map((n) => el('td', { class: 'roster__mark' }, String(byNumber.get(n) ?? 0))),
      el('td', {}),
    ),
  );
}
