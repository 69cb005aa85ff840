// Attendance per class over the semester: a small bar chart drawn as inline SVG (no chart library), one bar
// per class held and closed, with the course minimum as a dashed line. The chart is an image with a short
// description; the table beside it carries every number, so nothing is only in the picture.
import { formatDate } from '../src/lib/dates';
import { el } from '../src/lib/ui';
import type { TeacherI18n } from './messages';
import { percentText, type CourseAttendance } from './model';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 640;
const HEIGHT = 220;
const PAD = { top: 12, right: 12, bottom: 28, left: 40 };

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: Array<Node | string>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

const shortDate = (at: string, lang: TeacherI18n['lang'], timeZone: string | undefined): string =>
  new Intl.DateTimeFormat(lang === 'es' ? 'es-CL' : 'en-GB', { day: '2-digit', month: '2-digit', timeZone }).format(new Date(at));

export function attendanceChart(data: CourseAttendance, i18n: TeacherI18n, timeZone: string | undefined): HTMLElement {
  const closed = data.sessions.filter((s) => s.rate !== null);
  if (closed.length === 0) return el('p', { class: 'muted' }, i18n.t('chart.none'));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const y = (share: number): number => PAD.top + plotH * (1 - share);
  const slot = plotW / closed.length;
  const barW = Math.max(4, Math.min(36, slot * 0.7));
  const labelEvery = Math.ceil(closed.length / 12);
  const rates = closed.map((s) => s.rate ?? 0);
  const titleId = 'chart-title';
  const descId = 'chart-desc';

  const grid = [0, 0.5, 1].map((share) =>
    svg(
      'g',
      { class: 'chart__grid' },
      svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(share), y2: y(share) }),
      svg('text', { x: PAD.left - 6, y: y(share) + 4, 'text-anchor': 'end' }, percentText(share, i18n.lang)),
    ),
  );
  const bars = closed.map((s, i) => {
    const x = PAD.left + slot * i + (slot - barW) / 2;
    const share = s.rate ?? 0;
    const below = share * 100 < data.minimum.percent;
    return svg(
      'g',
      {},
      svg('rect', { class: below ? 'chart__bar chart__bar--below' : 'chart__bar', x, y: y(share), width: barW, height: plotH * share }),
      ...(i % labelEvery === 0 ? [svg('text', { class: 'chart__label', x: x + barW / 2, y: HEIGHT - 8, 'text-anchor': 'middle' }, shortDate(s.plannedStart, i18n.lang, timeZone))] : []),
    );
  });
  const minimumShare = data.minimum.percent / 100;
  const minimum = svg(
    'g',
    { class: 'chart__minimum' },
    svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(minimumShare), y2: y(minimumShare) }),
    svg('text', { x: WIDTH - PAD.right, y: y(minimumShare) - 4, 'text-anchor': 'end' }, i18n.t('chart.minimum', { minimum: percentText(minimumShare, i18n.lang) })),
  );
  const picture = svg(
    'svg',
    { class: 'chart', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-labelledby': `${titleId} ${descId}`, focusable: 'false' },
    svg('title', { id: titleId }, i18n.t('chart.title')),
    svg(
      'desc',
      { id: descId },
      i18n.t('chart.desc', {
        count: closed.length,
        low: percentText(Math.min(...rates), i18n.lang),
        high: percentText(Math.max(...rates), i18n.lang),
        minimum: percentText(minimumShare, i18n.lang),
      }),
    ),
    ...grid,
    ...bars,
    minimum,
  );
  const figure = el('figure', { class: 'chart-figure' });
  figure.append(picture);
  return figure;
}

/** The same numbers as the chart, every class held (one still running says so). */
export function attendanceTable(data: CourseAttendance, i18n: TeacherI18n, timeZone: string | undefined): HTMLElement {
  const th = (text: string): HTMLTableCellElement => el('th', { scope: 'col' }, text);
  return el(
    'div',
    { class: 'roster-scroll' },
    el(
      'table',
      { class: 'roster course-sessions' },
      el('caption', {}, i18n.t('chart.tableCaption')),
      el('thead', {}, el('tr', {}, th(i18n.t('chart.date')), th(i18n.t('form.room')), th(i18n.t('chart.attended')), th(i18n.t('chart.absent')), th(i18n.t('chart.excused')), th(i18n.t('chart.rate')))),
      el(
        'tbody',
        {},
        ...data.sessions.map((s) =>
          el(
            'tr',
            { 'data-session': s.id },
            el('th', { scope: 'row' }, el('a', { href: `?session=${encodeURIComponent(s.id)}` }, formatDate(s.plannedStart, i18n.lang, timeZone))),
            el('td', {}, s.room),
            el('td', { class: 'roster__total' }, String(s.attended)),
            el('td', { class: 'roster__total' }, String(s.absent)),
            el('td', { class: 'roster__total' }, String(s.excused)),
            el('td', { class: 'roster__total' }, s.rate === null ? (s.state === 'open' ? i18n.t('chart.running') : '—') : percentText(s.rate, i18n.lang)),
          ),
        ),
      ),
    ),
  );
}
