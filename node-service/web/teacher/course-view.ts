// One course (?course=<id>): where every student stands (those at risk marked, with a CSV for whoever sends
// the warnings), the students' requests to justify absences, the course's exports, its minimum attendance
// (the teacher may set another, with a reason), its grade policy, and attendance per class over the semester.
import { basePath, type ApiClient } from '../src/lib/api';
import { clearMessage, el, errorText, required, showError, showMessage } from '../src/lib/ui';
import { attendanceChart, attendanceTable } from './course-chart';
import { download } from './exports';
import { justificationsPanel } from './justifications-panel';
import { lmsPanel } from './lms-panel';
import { gradePolicyCard } from './grade-policy-card';
import { policyName } from '../src/lib/grade';
import { verdictOf } from '../src/lib/standing';
import type { TeacherI18n } from './messages';
import type { CourseRight } from '../../src/shared/course-rights';
import { coursePath, percentText, type CourseAttendance, type CourseMinimum, type StudentStanding } from './model';

export async function showCourse({ i18n, api, courseId, timeZone }: { i18n: TeacherI18n; api: ApiClient; courseId: string; timeZone: string | undefined }): Promise<void> {
  required('#course-view').hidden = false;
  const body = required('#course-body');
  const message = required('#course-message');
  const path = coursePath(courseId);
  let data: CourseAttendance | undefined;

  const title = el('h1', { tabindex: '-1' });
  const summary = el('p', { class: 'muted' });

  // The minimum: built once (typing survives a re-render), its words refreshed on render.
  const minimumHeading = el('h2', { id: 'minimum-heading' });
  const minimumNow = el('p', { class: 'course-minimum__now' });
  const percentLabel = el('label', { for: 'minimum-percent' });
  const percentInput = el('input', { id: 'minimum-percent', type: 'number', min: '0', max: '100', step: '0.1', inputmode: 'decimal', 'aria-describedby': 'minimum-percent-hint minimum-error' });
  const percentHint = el('p', { id: 'minimum-percent-hint', class: 'form-field__hint' });
  const reasonLabel = el('label', { for: 'minimum-reason' });
  const reasonInput = el('input', { id: 'minimum-reason', type: 'text', maxlength: '500', autocomplete: 'off', 'aria-describedby': 'minimum-error' });
  const formError = el('p', { id: 'minimum-error', class: 'form-field__error', hidden: true });
  const save = el('button', { type: 'submit', class: 'button' });
  const reset = el('button', { type: 'button', class: 'button button--secondary' });
  const form = el(
    'form',
    { class: 'session-form', novalidate: true },
    el('div', { class: 'form-row' }, el('div', { class: 'form-field form-field--narrow' }, percentLabel, percentInput, percentHint), el('div', { class: 'form-field' }, reasonLabel, reasonInput)),
    formError,
    el('div', { class: 'form-actions' }, save, reset),
  );

  const riskHeading = el('h2', { id: 'risk-heading' });
  const riskHint = el('p', { class: 'muted' });
  // Every grade in the table is under the course's policy: named above it.
  const riskPolicy = el('p', { id: 'risk-policy' });
  const riskBody = el('div', {});
  const riskCsv = el('button', { type: 'button', class: 'button button--secondary', 'data-export': 'at-risk-csv' });
  // The course's own exports, here as well as on each session's page.
  const exportHeading = el('h2', { id: 'course-export-heading' });
  const exportHint = el('p', { class: 'muted' });
  const exportButtons = (['csv', 'xlsx'] as const).map((format) => {
    const button = el('button', { type: 'button', class: 'button button--secondary', 'data-export': `course-${format}` });
    button.addEventListener('click', () => {
      download(api, i18n, `${path}/export?format=${format}`, `asistencia-${courseId}.${format}`)
        .then((file) => showMessage(message, 'success', i18n.t('export.done', { file })))
        .catch((error: unknown) => showMessage(message, 'error', errorText(error, i18n)));
    });
    return { format, button };
  });
  /** Whether the viewer has this right here: a card they could not use is not shown (the API refuses it too). */
  const can = (right: CourseRight): boolean => data?.access.rights.includes(right) ?? false;
  const roleNote = el('p', { class: 'muted', 'data-course-role': '' });
  const lms = lmsPanel({ i18n, api, courseId, timeZone, message });
  const justifications = justificationsPanel({ i18n, api, courseId, timeZone, message, onDecided: () => load() });
  const policyCard = gradePolicyCard({ i18n, api, path, message, onSaved: () => load() });
  const chartHeading = el('h2', { id: 'chart-heading' });
  const chartBody = el('div', {});

  function render(): void {
    if (!data) return;
    title.textContent = i18n.t('course.heading', { course: data.course.name });
    roleNote.textContent = data.access.role === 'admin' ? '' : i18n.t('course.yourRole', { role: i18n.t(`role.${data.access.role}`) });
    roleNote.hidden = roleNote.textContent === '';
    document.title = `${data.course.name} · ${i18n.t('teacher.title')}`;
    summary.textContent = i18n.t('course.summary', { held: data.sessions.length, planned: data.plannedSessions });
    renderMinimum(data.minimum);
    policyCard.render(data.policy, data.minimum);
    renderRisk(data);
    exportHeading.textContent = i18n.t('courseExport.heading');
    exportHint.textContent = i18n.t('courseExport.hint');
    for (const { format, button } of exportButtons) button.textContent = i18n.t(format === 'csv' ? 'export.csv' : 'export.xlsx');
    justifications.render();
    chartHeading.textContent = i18n.t('chart.heading');
    chartBody.replaceChildren(attendanceChart(data, i18n, timeZone), attendanceTable(data, i18n, timeZone));
  }

  function renderMinimum(minimum: CourseMinimum): void {
    minimumHeading.textContent = i18n.t('minimum.heading');
    const vars = { minimum: percentText(minimum.percent / 100, i18n.lang), default: percentText(minimum.defaultPercent / 100, i18n.lang) };
    minimumNow.textContent = i18n.t(minimum.source === 'course' ? 'minimum.course' : 'minimum.default', vars);
    percentLabel.textContent = i18n.t('minimum.percent');
    percentHint.textContent = i18n.t('minimum.percentHint');
    reasonLabel.textContent = i18n.t('correction.reason');
    save.textContent = i18n.t('minimum.save');
    reset.textContent = i18n.t('minimum.reset', vars);
    reset.hidden = minimum.source === 'default';
    if (document.activeElement !== percentInput && percentInput.value === '') percentInput.value = String(minimum.percent);
  }

  function renderRisk(current: CourseAttendance): void {
    const atRisk = current.students.filter((s) => s.atRisk);
    riskHeading.textContent = i18n.t('risk.heading', { count: atRisk.length });
    riskHint.textContent = i18n.t('risk.hint');
    riskPolicy.textContent = i18n.t('risk.policy', { policy: policyName(current.policy, i18n.lang) });
    riskCsv.textContent = i18n.t('risk.csv');
    riskBody.replaceChildren(current.students.length === 0 ? el('p', { class: 'muted', 'data-risk-empty': true }, i18n.t('risk.none')) : riskTable(current.students));
  }

  /** A standing in a few words: how many more classes may be missed, or why the student is at risk. */
  function standingText(s: StudentStanding): string {
    const { key, vars } = verdictOf(s);
    if (key === 'outOfReach') return i18n.t('risk.outOfReach');
    if (key === 'pace') return i18n.t('risk.pace', vars);
    if (key === 'noneLeft') return i18n.t('risk.noneLeft');
    if (key === 'leftOne') return i18n.t('risk.leftOne');
    return i18n.t('risk.left.count', vars);
  }

  function riskTable(students: readonly StudentStanding[]): HTMLElement {
    const th = (text: string): HTMLTableCellElement => el('th', { scope: 'col' }, text);
    return el(
      'div',
      { class: 'roster-scroll' },
      el(
        'table',
        { class: 'roster risk-table' },
        el('caption', { class: 'visually-hidden' }, i18n.t('risk.caption')),
        el(
          'thead',
          {},
          el('tr', {}, th(i18n.t('roster.student')), th(i18n.t('chart.rate')), th(i18n.t('risk.grade')), th(i18n.t('risk.absences')), th(i18n.t('risk.excused')), th(i18n.t('risk.left')), th(i18n.t('risk.reason'))),
        ),
        el(
          'tbody',
          {},
          ...students.map((s) =>
            el(
              'tr',
              { 'data-student': s.studentId, 'data-at-risk': String(s.atRisk) },
              // The name opens the student's printable report (web/report/), for whoever may export it.
              el(
                'th',
                { scope: 'row' },
                can('export_data') ? el('a', { href: `${basePath}report/?course=${encodeURIComponent(courseId)}&student=${encodeURIComponent(s.studentId)}` }, s.studentName) : s.studentName,
              ),
              el('td', { class: 'roster__total' }, s.rate === null ? '—' : percentText(s.rate, i18n.lang)),
              el('td', { class: 'roster__total', 'data-grade': true }, s.grade.score === null ? '—' : percentText(s.grade.score, i18n.lang)),
              el('td', { class: 'roster__total' }, s.absences.toLocaleString(i18n.lang === 'es' ? 'es-CL' : 'en-GB')),
              el('td', { class: 'roster__total' }, String(s.totals.excused)),
              el('td', { class: 'roster__total' }, String(s.absencesLeft)),
              el(
                'td',
                {},
                ...(s.atRisk ? [el('span', { class: 'result-badge', 'data-status': 'absent' }, i18n.t('risk.atRisk')), ' '] : []),
                standingText(s),
              ),
            ),
          ),
        ),
      ),
    );
  }

  async function load(): Promise<void> {
    data = await api.apiFetch<CourseAttendance>(`${path}/attendance`);
    if (can('decide_justifications')) await justifications.load();
    render();
  }

  async function setMinimum(percent: number | null): Promise<void> {
    clearMessage(message);
    const reason = reasonInput.value.trim();
    const problem =
      reason.length < 3
        ? i18n.t('correction.reasonShort')
        : percent !== null && (!Number.isFinite(percent) || percent < 0 || percent > 100 || Math.round(percent * 10) !== percent * 10)
          ? i18n.t('minimum.invalid')
          : '';
    formError.textContent = problem;
    formError.hidden = problem === '';
    percentInput.setAttribute('aria-invalid', String(problem === i18n.t('minimum.invalid')));
    if (problem) {
      (reason.length < 3 ? reasonInput : percentInput).focus();
      return;
    }
    save.disabled = reset.disabled = true;
    try {
      const minimum = await api.apiFetch<CourseMinimum>(`${path}/minimum`, { method: 'PUT', body: { percent, reason } });
      reasonInput.value = '';
      percentInput.value = String(minimum.percent);
      await load();
      showMessage(message, 'success', i18n.t('minimum.saved', { minimum: percentText(minimum.percent / 100, i18n.lang) }));
    } catch (error) {
      showMessage(message, 'error', errorText(error, i18n));
    } finally {
      save.disabled = reset.disabled = false;
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void setMinimum(percentInput.value.trim() === '' ? Number.NaN : Number(percentInput.value));
  });
  reset.addEventListener('click', () => void setMinimum(null));
  riskCsv.addEventListener('click', () => {
    download(api, i18n, `${path}/at-risk?format=csv`, `asistencia-${courseId}-en-riesgo.csv`)
      .then((file) => showMessage(message, 'success', i18n.t('export.done', { file })))
      .catch((error: unknown) => showMessage(message, 'error', errorText(error, i18n)));
  });

  try {
    await load();
  } catch (error) {
    body.replaceChildren();
    showError(message, error, i18n);
    return;
  }
  const exporting = can('export_data');
  const settingUp = can('change_settings');
  if (!settingUp) policyCard.element.querySelector('form')?.remove();
  body.replaceChildren(
    title,
    roleNote,
    summary,
    el('section', { class: 'card', 'aria-labelledby': 'risk-heading' }, riskHeading, riskHint, riskPolicy, riskBody, ...(exporting ? [el('div', { class: 'form-actions' }, riskCsv)] : [])),
    ...(can('decide_justifications') ? [justifications.element] : []),
    // The LMS link (its roster, the grades sent) is the course's setting: the LTI routes refuse an assistant too.
    ...(settingUp ? [lms.element] : []),
    ...(exporting
      ? [
          el(
            'section',
            { class: 'card', 'aria-labelledby': 'course-export-heading' },
            exportHeading,
            exportHint,
            el('div', { class: 'form-actions' }, ...exportButtons.map(({ button }) => button)),
          ),
        ]
      : []),
    // Minimum and grade policy: shown to an assistant as they are, without the forms that change them.
    el('section', { class: 'card', 'aria-labelledby': 'minimum-heading' }, minimumHeading, minimumNow, ...(settingUp ? [form] : [])),
    policyCard.element,
    el('section', { class: 'card', 'aria-labelledby': 'chart-heading' }, chartHeading, chartBody),
  );
  i18n.onChange(render);
  i18n.onChange(lms.render);
  // The LMS panel loads on its own: a course without an LMS link keeps it hidden, and a failure shows in the message.
  if (settingUp) lms.load().catch((error: unknown) => showError(message, error, i18n));
}
