// The printable per-student report (?course=&student=): the course, the student, each session with its
// date and time in TIME_ZONE, its status in words, the rate and the standing. Printed by the browser
// (report.css: A4, only the report), which is also how it becomes a PDF.
import { basePath } from '../src/lib/api';
import { formatDate, formatDateTime, formatTime } from '../src/lib/dates';
import { startPage } from '../src/lib/page';
import { el, errorText, required, showMessage } from '../src/lib/ui';
import { verdictOf, type Standing } from '../src/lib/standing';
import { policyName, type Grade, type GradePolicy } from '../src/lib/grade';
import { messages, type ReportI18n } from './messages';

type Status = 'present' | 'partial' | 'late' | 'absent' | 'excused' | 'manual_present' | 'manual_absent';
interface Report {
  course: { id: string; name: string; teacherName: string | null };
  student: { id: string; name: string; studentNumber: string };
  rate: number | null;
  minimum: { percent: number };
  policy: GradePolicy;
  grade: Grade;
  standing: Standing;
  sessions: Array<{ sessionId: string; plannedStart: string; room: string; status: Status; roundsConfirmed: number; roundsRun: number; final: boolean }>;
  generatedAt: string;
}

const { i18n, api } = startPage(messages);
const message = required('#message');
const body = required('#report');
required('#print').addEventListener('click', () => window.print());

let report: Report | undefined;
let timeZone: string | undefined;

const percent = (value: number) => new Intl.NumberFormat(i18n.lang, { style: 'percent', maximumFractionDigits: 1 }).format(value);

function standingText(r: Report, t: ReportI18n['t']): string {
  if (r.minimum.percent === 0) return t('standing.noMinimum');
  if (r.standing.planned === 0) return t('standing.early');
  // The same verdict as the student's and the teacher's pages (web/src/lib/standing.ts), in the report's voice.
  const verdict = verdictOf(r.standing);
  if (verdict.key === 'outOfReach') return t('standing.below');
  if (verdict.key === 'pace') return t('standing.pace', { projected: verdict.vars.projected, allowed: verdict.vars.allowed });
  if (verdict.key === 'noneLeft') return t('standing.noneLeft');
  return t('standing.left', { count: r.standing.absencesLeft, planned: r.standing.planned });
}

function render(): void {
  if (!report) return;
  const r = report;
  const t = i18n.t;
  const fact = (term: string, value: string) => [el('dt', {}, term), el('dd', {}, value)];
  body.removeAttribute('aria-busy');
  body.replaceChildren(
    el(
      'dl',
      { class: 'report__facts' },
      ...fact(t('report.course'), `${r.course.id} ${r.course.name}`),
      ...(r.course.teacherName ? fact(t('report.teacher'), r.course.teacherName) : []),
      ...fact(t('report.student'), r.student.name),
      ...fact(t('report.studentNumber'), r.student.studentNumber),
      ...fact(t('report.rate'), r.rate === null ? t('report.noRate') : percent(r.rate)),
      ...fact(t('report.grade'), t('report.gradeValue', { grade: r.grade.score === null ? t('report.noRate') : percent(r.grade.score), policy: policyName(r.policy, i18n.lang) })),
      ...fact(t('report.minimum'), percent(r.minimum.percent / 100)),
      ...fact(t('report.standing'), standingText(r, t)),
      ...fact(t('report.generated'), formatDateTime(r.generatedAt, i18n.lang, timeZone)),
    ),
    el('h2', { id: 'sessions-heading' }, t('report.sessions')),
    r.sessions.length === 0
      ? el('p', { class: 'muted' }, t('report.noSessions'))
      : el(
          'table',
          { class: 'report__table', 'aria-labelledby': 'sessions-heading' },
          el('thead', {}, el('tr', {}, ...['report.date', 'report.time', 'report.room', 'report.status', 'report.rounds'].map((key) => el('th', { scope: 'col' }, t(key as 'report.date'))))),
          el(
            'tbody',
            {},
            ...r.sessions.map((s) =>
              el(
                'tr',
                {},
                el('td', {}, formatDate(s.plannedStart, i18n.lang, timeZone)),
                el('td', {}, formatTime(s.plannedStart, i18n.lang, timeZone)),
                el('td', {}, s.room),
                el('td', {}, !s.final && s.status === 'absent' ? t('result.pending') : t(`result.${s.status}`)),
                el('td', {}, t('report.roundsOf', { confirmed: s.roundsConfirmed, run: s.roundsRun })),
              ),
            ),
          ),
        ),
  );
}

async function load(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const course = params.get('course');
  const student = params.get('student');
  try {
    if (!course || !student) throw new Error(i18n.t('report.missing'));
    timeZone = (await api.config()).timeZone;
    report = await api.apiFetch<Report>(`${basePath}api/courses/${encodeURIComponent(course)}/students/${encodeURIComponent(student)}/report`);
    render();
  } catch (error) {
    body.removeAttribute('aria-busy');
    body.replaceChildren();
    showMessage(message, 'error', error instanceof Error && !('code' in error) ? error.message : errorText(error, i18n));
  }
}

i18n.onChange(render);
void load();
