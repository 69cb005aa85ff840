// A student's recent trend in a course: their last few decided classes as small marks (a symbol and a
// colour each, so colour is never the only cue), with the same said in words for screen readers.
import { el } from '../src/lib/ui';
import type { TeacherI18n } from './messages';
import { percentText, type ResultStatus, type StudentStanding } from './model';

const SYMBOLS: Readonly<Record<ResultStatus, string>> = {
  present: '✓',
  manual_present: '✓',
  late: '◐',
  partial: '◐',
  absent: '✕',
  manual_absent: '✕',
  excused: 'J',
};

export function trendView(standing: StudentStanding | undefined, i18n: TeacherI18n): HTMLElement {
  if (!standing || standing.recent.length === 0) return el('span', { class: 'muted' }, i18n.t('trend.none'));
  const statuses = standing.recent.map((status) => i18n.t(`result.${status}`)).join(', ');
  const rate = standing.rate === null ? '—' : percentText(standing.rate, i18n.lang);
  const words = i18n.t('trend.text', { count: standing.recent.length, statuses, rate });
  return el(
    'span',
    { class: 'trend', 'data-at-risk': String(standing.atRisk) },
    el(
      'span',
      { class: 'trend__marks', 'aria-hidden': 'true' },
      ...standing.recent.map((status) => el('span', { class: 'trend__mark', 'data-status': status }, SYMBOLS[status])),
    ),
    el('span', { class: 'trend__rate', 'aria-hidden': 'true' }, rate),
    el('span', { class: 'visually-hidden' }, words),
  );
}
