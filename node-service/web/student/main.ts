// "Mi asistencia" (students, phone first): per course the overall rate against the course minimum and how many
// more absences the student can afford, then each session with its date, room, status and the rounds
// confirmed out of those run.
import { basePath, type Identity } from '../src/lib/api';
import { formatDate, formatTime } from '../src/lib/dates';
import { startPage } from '../src/lib/page';
import { el, errorText, required, showMessage } from '../src/lib/ui';
import { messages, type StudentI18n } from './messages';
import type { CourseAttendance, JustificationRequest, SessionResult } from './model';
import { myDataPanel } from './my-data';
import { verdictOf } from '../src/lib/standing';
import { policyName } from '../src/lib/grade';
import { announceSent, justificationBlock } from './justify';

const { i18n, api } = startPage(messages);
const who = required('#who');
const message = required('#message');
const coursesBody = required('#courses');
const deviceNotice = required('#device-notice');
/**
 * A change to the student's devices this recent is announced on this page (their enrol page lists them all):
 * ENROLLMENT_CHANGE_NOTICE_DAYS, from the client config (7 days if an older service does not send it).
 */
let noticeMs = 7 * 24 * 60 * 60 * 1000;
const myData = myDataPanel({ i18n, api });
required('#my-data').append(myData.element);

let me: Identity | undefined;
let courses: readonly CourseAttendance[] | undefined;
/** My requests to justify absences (an empty list if they cannot be read: the attendance still shows). */
let justifications: readonly JustificationRequest[] = [];
let failure: unknown;
let timeZone: string | undefined;
/** When the student's devices last changed (or an attempt was refused), if recently: someone with their password may have done it. */
let recentChange: string | null = null;

function render(): void {
  if (failure !== undefined) {
    coursesBody.removeAttribute('aria-busy');
    coursesBody.replaceChildren();
    showMessage(message, 'error', errorText(failure, i18n));
    return;
  }
  if (!me) return;
  who.textContent = i18n.t('student.for', { name: me.name });
  who.hidden = false;
  if (me.role !== 'student') {
    coursesBody.removeAttribute('aria-busy');
    coursesBody.replaceChildren();
    showMessage(message, 'info', i18n.t('student.notStudent', { role: i18n.t(`role.${me.role}`) }));
    return;
  }
  myData.render();
  required('#my-data').hidden = false;
  if (recentChange) showMessage(deviceNotice, 'info', i18n.t('devices.recentChange', { at: `${formatDate(recentChange, i18n.lang, timeZone)} · ${formatTime(recentChange, i18n.lang, timeZone)}` }));
  if (!courses) return;
  coursesBody.removeAttribute('aria-busy');
  coursesBody.replaceChildren(
    ...(courses.length ? courses.map((course) => courseCard(course, i18n)) : [el('p', { class: 'muted' }, i18n.t('student.noCourses'))]),
  );
}

/** The course minimum, and how many more absences the student can afford (or that they are below it). */
function standingLines({ minimum, standing }: CourseAttendance, i18n: StudentI18n): HTMLElement[] {
  if (minimum.percent === 0) return [el('p', { class: 'muted course__standing' }, i18n.t('course.noMinimum'))];
  const minimumText = new Intl.NumberFormat(i18n.lang, { style: 'percent', maximumFractionDigits: 1 }).format(minimum.percent / 100);
  const lines = [el('p', { class: 'course__minimum' }, i18n.t('course.minimum', { minimum: minimumText }))];
  if (standing.planned === 0) return lines;
  // Early in the term or with absences to spare, how many more may be missed; a warning only when it means one.
  const { key, vars } = verdictOf(standing);
  const verdict = {
    outOfReach: () => i18n.t('course.outOfReach', vars),
    pace: () => i18n.t('course.pace', vars),
    noneLeft: () => i18n.t('course.noAbsencesLeft'),
    leftOne: () => i18n.t('course.absencesLeftOne'),
    left: () => i18n.t('course.absencesLeft', vars),
  }[key]();
  lines.push(
    el('p', { class: 'course__standing', 'data-at-risk': String(standing.atRisk) }, verdict),
    el('p', { class: 'muted course__note' }, i18n.t('course.plannedNote', { planned: standing.planned })),
  );
  return lines;
}

/** My attendance grade, always with the policy it is under. */
function gradeLine({ policy, grade }: CourseAttendance, i18n: StudentI18n): HTMLElement {
  const value = grade.score === null ? i18n.t('course.noGrade') : new Intl.NumberFormat(i18n.lang, { style: 'percent', maximumFractionDigits: 1 }).format(grade.score);
  return el('p', { class: 'course__grade' }, i18n.t('course.grade', { grade: value, policy: policyName(policy, i18n.lang) }));
}

function courseCard(attendance: CourseAttendance, i18n: StudentI18n): HTMLElement {
  const { course, rate, sessions } = attendance;
  const headingId = `course-${course.id}`;
  const rateText =
    rate === null
      ? i18n.t('course.noRate')
      : i18n.t('course.rate', { rate: new Intl.NumberFormat(i18n.lang, { style: 'percent', maximumFractionDigits: 0 }).format(rate) });
  return el(
    'section',
    { class: 'card course', 'aria-labelledby': headingId, 'data-course': course.id },
    el(
      'div',
      { class: 'course__title' },
      el('h2', { id: headingId }, course.name),
      ...(sessions.length ? [el('p', { class: 'course__rate' }, rateText)] : []),
    ),
    gradeLine(attendance, i18n),
    ...standingLines(attendance, i18n),
    ...(sessions.some((s) => s.status === 'excused') ? [el('p', { class: 'muted course__note' }, i18n.t('course.rateNote'))] : []),
    sessions.length
      ? el('ul', { class: 'attendance-list', 'aria-label': i18n.t('course.sessions', { course: course.name }) }, ...sessions.map((s) => sessionItem(s, i18n)))
      : el('p', { class: 'muted' }, i18n.t('course.noSessions')),
    el('p', { class: 'course__report' }, el('a', { href: `${basePath}report/?course=${encodeURIComponent(course.id)}&student=${encodeURIComponent(me!.id)}` }, i18n.t('course.report', { course: course.name }))),
  );
}

function sessionItem(session: SessionResult, i18n: StudentI18n): HTMLLIElement {
  const date = formatDate(session.plannedStart, i18n.lang, timeZone);
  const time = formatTime(session.plannedStart, i18n.lang, timeZone);
  // While the class runs, not having confirmed yet is Pendiente, not Ausente.
  const pending = !session.final && session.status === 'absent';
  const badges = [
    el('span', { class: 'result-badge', 'data-status': pending ? 'running' : session.status }, i18n.t(pending ? 'result.pending' : `result.${session.status}`)),
  ];
  if (!session.final) badges.push(el('span', { class: 'result-badge', 'data-status': 'running' }, i18n.t('session.running')));
  // A spot check the teacher marked: said in words, with what to do if it was a mistake.
  const spotCheck = session.spotCheck === 'no_answer' || session.spotCheck === 'answered' ? session.spotCheck : null;
  return el(
    'li',
    { class: 'attendance-item', 'data-session': session.sessionId },
    el('span', { class: 'attendance-item__when' }, `${date} · ${time}`),
    el('span', { class: 'attendance-item__status' }, ...badges),
    el(
      'span',
      { class: 'attendance-item__where muted' },
      `${session.room} · ${i18n.t('session.rounds', { confirmed: session.roundsConfirmed, run: session.roundsRun })}`,
    ),
    ...(spotCheck ? [el('span', { class: 'attendance-item__note', 'data-spot-check': spotCheck }, i18n.t(`spotCheck.${spotCheck}`))] : []),
    ...justificationBlock(session, justifications, { i18n, api, timeZone, onSent: justificationSent }).map((part) => {
      part.classList.add('attendance-item__note');
      return part;
    }),
  );
}

const readJustifications = () =>
  api.apiFetch<{ justifications: JustificationRequest[] }>(`${basePath}api/me/justifications`).then(
    (answer) => answer.justifications,
    () => [] as JustificationRequest[],
  );

/** After a request is sent: the attendance and the requests again (the class now shows it waiting). */
async function justificationSent(): Promise<void> {
  const [attendance, requests] = await Promise.all([api.apiFetch<{ courses: CourseAttendance[] }>(`${basePath}api/me/attendance`), readJustifications()]);
  courses = attendance.courses;
  justifications = requests;
  render();
  announceSent(message, i18n);
}

async function load(): Promise<void> {
  try {
    const config = await api.config();
    timeZone = config.timeZone;
    if (config.deviceChangeNoticeDays) noticeMs = config.deviceChangeNoticeDays * 24 * 60 * 60 * 1000;
    me = await api.apiFetch<Identity>(`${basePath}api/me`);
    render();
    if (me.role !== 'student') return;
    const [attendance, devices, requests] = await Promise.all([
      api.apiFetch<{ courses: CourseAttendance[] }>(`${basePath}api/me/attendance`),
      // The notice is a courtesy: the attendance shows even if the devices cannot be read.
      api.apiFetch<{ changes: ReadonlyArray<{ occurredAt: string }> }>(`${basePath}api/enrollment/devices`).catch(() => ({ changes: [] })),
      readJustifications(),
    ]);
    courses = attendance.courses;
    justifications = requests;
    const latest = devices.changes[0]?.occurredAt;
    recentChange = latest && Date.now() - Date.parse(latest) < noticeMs ? latest : null;
  } catch (error) {
    failure = error;
  }
  render();
}

i18n.onChange(render);
await load();
