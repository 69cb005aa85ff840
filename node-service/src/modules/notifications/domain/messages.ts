import type { Locale } from '../../../shared/errors.js';
import { PERCENT_EPSILON } from '../../../shared/percent.js';

/** One e-mail, in plain text and in simple HTML (the same words). */
export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

/** What a student's warning says: where they stand in one course (attendance/domain/standing.ts). */
export interface StudentWarning {
  studentName: string;
  courseId: string;
  courseName: string;
  teacherName: string;
  minimumPercent: number;
  /** Attended over counted, 0–1; null with nothing counted yet. */
  rate: number | null;
  attended: number;
  counted: number;
  absences: number;
  /** Sessions still to come or in progress. */
  pending: number;
  planned: number;
  absencesLeft: number;
}

interface DigestSession {
  plannedStart: string;
  room: string;
  attended: number;
  /** Those who count (excused left out). */
  counted: number;
  rate: number | null;
}

interface DigestStudent {
  name: string;
  number: string | null;
  rate: number | null;
  absences: number;
  absencesLeft: number;
}

/** What a teacher's weekly digest says about one course. */
export interface TeacherDigest {
  teacherName: string;
  courseId: string;
  courseName: string;
  /** Local dates, YYYY-MM-DD, both included. */
  firstDay: string;
  lastDay: string;
  minimumPercent: number;
  sessions: DigestSession[];
  atRisk: DigestStudent[];
}

const numberFormat = { es: new Intl.NumberFormat('es-CL', { maximumFractionDigits: 1 }), en: new Intl.NumberFormat('en', { maximumFractionDigits: 1 }) };
const percentOf = (locale: Locale, value: number) => `${numberFormat[locale].format(value)} %`;
const rateText = (locale: Locale, rate: number | null) => (rate === null ? '—' : percentOf(locale, Math.round(rate * 1000) / 10));
const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Paragraphs and lists, as text and as HTML. A list is an array of lines. */
type Block = string | string[];

function render(subject: string, blocks: Block[]): MailContent {
  const text = blocks.map((b) => (typeof b === 'string' ? b : b.map((line) => `- ${line}`).join('\n'))).join('\n\n');
  const body = blocks
    .map((b) => (typeof b === 'string' ? `<p>${escapeHtml(b)}</p>` : `<ul>${b.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`))
    .join('\n');
  const html = `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>\n<body>\n${body}\n</body></html>\n`;
  return { subject, text: `${text}\n`, html };
}

/** Whether attending every class still to come brings the rate up to the minimum. */
function canStillReach(w: Pick<StudentWarning, 'attended' | 'counted' | 'pending' | 'minimumPercent'>): boolean {
  const total = w.counted + w.pending;
  return total === 0 || ((w.attended + w.pending) / total) * 100 >= w.minimumPercent - PERCENT_EPSILON;
}

/** The warning a student gets the first time they are at risk in a course. */
export function studentWarningMail(locale: Locale, w: StudentWarning): MailContent {
  const course = `${w.courseName} (${w.courseId})`;
  const reach = canStillReach(w);
  if (locale === 'en') {
    const outlook = !reach
      ? `Even if you attend every class still planned (${w.pending}), you can no longer reach the minimum.`
      : w.absencesLeft > 0
        ? `You can still miss ${plural(w.absencesLeft, 'class', 'classes')} of the ${w.planned} planned and reach the minimum.`
        : `You cannot miss any more of the ${w.planned} planned classes without falling below the minimum.`;
    return render(`Attendance at risk: ${w.courseName}`, [
      `Hello ${w.studentName},`,
      `Your attendance in ${course} is at risk. It is ${rateText(locale, w.rate)} so far (${w.attended} of ${w.counted} classes counted); the course’s minimum is ${percentOf(locale, w.minimumPercent)}. You have missed ${plural(w.absences, 'class', 'classes')}.`,
      outlook,
      `What this means: finishing the course below its minimum attendance may fail you for attendance. Talk to your teacher, ${w.teacherName}, and if you missed a class for a reason that can be justified (a medical certificate, for example), ask them for a justification.`,
      'This warning is sent once per course and term.',
    ]);
  }
  const outlook = !reach
    ? `Aunque asistas a todas las clases que quedan (${w.pending}), ya no puedes alcanzar el mínimo.`
    : w.absencesLeft > 0
      ? `Aún puedes faltar a ${plural(w.absencesLeft, 'clase', 'clases')} de las ${w.planned} planificadas y alcanzar el mínimo.`
      : `No puedes faltar a ninguna clase más de las ${w.planned} planificadas sin quedar bajo el mínimo.`;
  return render(`Asistencia en riesgo: ${w.courseName}`, [
    `Hola, ${w.studentName}:`,
    `Tu asistencia en ${course} está en riesgo. Llevas ${rateText(locale, w.rate)} (${w.attended} de ${w.counted} clases contadas); el mínimo del curso es ${percentOf(locale, w.minimumPercent)}. Has faltado a ${plural(w.absences, 'clase', 'clases')}.`,
    outlook,
    `Qué significa: si terminas el curso bajo el mínimo de asistencia, puedes reprobar por asistencia. Habla con tu docente, ${w.teacherName}, y si faltaste por un motivo justificable (un certificado médico, por ejemplo), pídele una justificación.`,
    'Este aviso se envía una sola vez por curso y semestre.',
  ]);
}

/** A teacher's weekly digest of one course. */
export function teacherDigestMail(locale: Locale, d: TeacherDigest): MailContent {
  const counted = d.sessions.reduce((sum, s) => sum + s.counted, 0);
  const attended = d.sessions.reduce((sum, s) => sum + s.attended, 0);
  const weekRate = counted === 0 ? null : attended / counted;
  const es = locale === 'es';
  const sessionLines = d.sessions.map((s) =>
    es
      ? `${s.plannedStart}, sala ${s.room}: ${s.attended} de ${s.counted} (${rateText(locale, s.rate)})`
      : `${s.plannedStart}, room ${s.room}: ${s.attended} of ${s.counted} (${rateText(locale, s.rate)})`,
  );
  const riskLines = d.atRisk.map((s) => {
    const who = s.number ? `${s.name} (${s.number})` : s.name;
    return es
      ? `${who}: ${rateText(locale, s.rate)} de asistencia, ${plural(s.absences, 'ausencia', 'ausencias')}, aún puede faltar a ${plural(s.absencesLeft, 'clase', 'clases')}`
      : `${who}: ${rateText(locale, s.rate)} attendance, ${plural(s.absences, 'absence', 'absences')}, can still miss ${plural(s.absencesLeft, 'class', 'classes')}`;
  });
  if (!es) {
    return render(`Weekly attendance: ${d.courseName} (${d.firstDay} to ${d.lastDay})`, [
      `Hello ${d.teacherName},`,
      `This is the week of ${d.courseName} (${d.courseId}) from ${d.firstDay} to ${d.lastDay}.`,
      `Classes held: ${d.sessions.length}. Attendance this week: ${rateText(locale, weekRate)}.`,
      ...(sessionLines.length > 0 ? [sessionLines] : []),
      d.atRisk.length === 0
        ? `No student is at risk (minimum ${percentOf(locale, d.minimumPercent)}).`
        : `Students at risk (minimum ${percentOf(locale, d.minimumPercent)}): ${d.atRisk.length}.`,
      ...(riskLines.length > 0 ? [riskLines] : []),
    ]);
  }
  return render(`Resumen semanal de asistencia: ${d.courseName} (${d.firstDay} al ${d.lastDay})`, [
    `Hola, ${d.teacherName}:`,
    `Este es el resumen de ${d.courseName} (${d.courseId}) del ${d.firstDay} al ${d.lastDay}.`,
    `Clases realizadas: ${d.sessions.length}. Asistencia de la semana: ${rateText(locale, weekRate)}.`,
    ...(sessionLines.length > 0 ? [sessionLines] : []),
    d.atRisk.length === 0
      ? `Nadie está en riesgo (mínimo ${percentOf(locale, d.minimumPercent)}).`
      : `Estudiantes en riesgo (mínimo ${percentOf(locale, d.minimumPercent)}): ${d.atRisk.length}.`,
    ...(riskLines.length > 0 ? [riskLines] : []),
  ]);
}
