import type { Locale } from '../../../shared/errors.js';
import { localDate, localDateTime } from '../../../shared/local-time.js';
import type { Identity } from '../../auth/index.js';
import { may, type CourseDirectory } from '../../directory/index.js';
import { studentWarningMail, teacherDigestMail, type MailContent } from '../domain/messages.js';
import { latestDigestWeek, warningPeriod, type DigestWeek } from '../domain/schedule.js';
import type { MailLedger, MailTransport, SentKey } from './ports.js';

/** What the job reads of a course's standings: the attendance module's StandingService answers it. */
export interface CourseStandings {
  courseAttendance(
    actor: Identity,
    courseId: string,
  ): Promise<{
    course: { id: string; name: string };
    minimum: { percent: number };
    sessions: ReadonlyArray<{ plannedStart: Date; room: string; state: 'open' | 'closed'; registered: number; attended: number; excused: number; rate: number | null }>;
    students: ReadonlyArray<{
      studentId: string;
      studentName: string;
      studentNumber: string | null;
      onRoster: boolean;
      atRisk: boolean;
      rate: number | null;
      attended: number;
      counted: number;
      absences: number;
      pending: number;
      planned: number;
      absencesLeft: number;
    }>;
  }>;
}

export interface MailSettings {
  /** The most messages one run sends; the rest wait for the next run (MAIL_MAX_PER_RUN). */
  maxPerRun: number;
  /** Student warnings are looked for at most this often (MAIL_WARNINGS_EVERY_MINUTES). */
  warningsEveryMs: number;
  /** Only courses with a class held this recently are read (MAIL_COURSE_ACTIVE_DAYS): past terms are left alone. */
  courseActiveMs: number;
  /** The digest's day (ISO, 1 = Monday) and hour in TIME_ZONE (MAIL_DIGEST_DAY, MAIL_DIGEST_HOUR). */
  digestDay: number;
  digestHour: number;
  timeZone: string;
}

export interface MailRunCounts {
  warningsSent: number;
  digestsSent: number;
  /** Recipients the portal knows no e-mail address for. */
  withoutAddress: number;
  /** Messages or courses that failed; they are tried again at the next run. */
  failed: number;
  /** True when MAIL_MAX_PER_RUN stopped the run: the rest goes at the next one. */
  capped: boolean;
}

/** The standings are read as an administrator would: every course, no teacher's restriction. */
const JOB_ACTOR: Identity = { id: 'system:mail', name: 'Asistencia', role: 'admin' };
const WARNINGS_JOB = 'student_warnings';
const DIGEST_JOB = 'teacher_digest';
/** The service keeps no language per person: every message is in Spanish, the institution's language. */
const LOCALE: Locale = 'es';
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Warnings by e-mail. Each run, under one advisory lock across instances: a warning to each student at risk
 * in a course who was never warned for it this term, at most every `warningsEveryMs`; then once a week, after
 * the digest's day and hour, a digest to each course's teacher. A message is remembered as soon as the SMTP
 * server accepts it, so a run that fails part-way is completed by the next without sending anything twice;
 * a run is recorded as done only when nothing failed and nothing was left for later.
 */
export function createMailJob(deps: {
  ledger: MailLedger;
  transport: MailTransport;
  standings: CourseStandings;
  directory: Pick<CourseDirectory, 'roster' | 'contacts'>;
  settings: MailSettings;
  now?: () => Date;
  report: (error: unknown, context: string) => void;
}) {
  const now = deps.now ?? (() => new Date());
  const { ledger, settings } = deps;

  async function run(at: Date): Promise<MailRunCounts> {
    const counts: MailRunCounts = { warningsSent: 0, digestsSent: 0, withoutAddress: 0, failed: 0, capped: false };
    let smtpFailed = false;
    const cache = new Map<string, ReturnType<CourseStandings['courseAttendance']>>();
    const attendanceOf = (courseId: string) => {
      if (!cache.has(courseId)) cache.set(courseId, deps.standings.courseAttendance(JOB_ACTOR, courseId));
      return cache.get(courseId)!;
    };
    /** Sends and remembers one message; false when it was not sent (cap reached, or the SMTP server failed). */
    const send = async (key: SentKey, to: string, mail: MailContent): Promise<boolean> => {
      if (counts.warningsSent + counts.digestsSent >= settings.maxPerRun) {
        counts.capped = true;
        return false;
      }
      try {
        await deps.transport.send({ to, ...mail });
      } catch (error) {
        counts.failed += 1;
        smtpFailed = true;
        deps.report(error, `mail: the SMTP server did not take the ${key.kind} for ${key.recipientId} in ${key.courseId}; the run stops and the next one tries again`);
        return false;
      }
      await ledger.recordSent(key, at);
      return true;
    };
    const stopped = () => smtpFailed || counts.capped;
    /** One course's part of a job; a failure is reported and the course tried again at the next run. */
    const eachCourse = async (courses: string[], work: (courseId: string) => Promise<void>) => {
      for (const courseId of courses) {
        if (stopped()) return;
        try {
          await work(courseId);
        } catch (error) {
          counts.failed += 1;
          deps.report(error, `mail: course ${courseId} failed; the next run tries again`);
        }
      }
    };

    const courses = await ledger.coursesWithClasses(new Date(at.getTime() - settings.courseActiveMs));

    const lastWarnings = await ledger.lastRun(WARNINGS_JOB, '');
    if (lastWarnings === null || at.getTime() - lastWarnings.getTime() >= settings.warningsEveryMs) {
      const period = warningPeriod(at, settings.timeZone);
      const failedBefore = counts.failed;
      await eachCourse(courses, async (courseId) => {
        const attendance = await attendanceOf(courseId);
        const keys = attendance.students
          .filter((s) => s.atRisk && s.onRoster)
          .map((s) => ({ student: s, key: { kind: 'student_at_risk' as const, recipientId: s.studentId, courseId, period } }));
        const unwarned = [];
        for (const entry of keys) if (!(await ledger.wasSent(entry.key))) unwarned.push(entry);
        if (unwarned.length === 0) return;
        const { course } = await deps.directory.roster(courseId);
        const contacts = new Map((await deps.directory.contacts([course.teacherId, ...unwarned.map((u) => u.student.studentId)])).map((c) => [c.id, c]));
        const teacherName = contacts.get(course.teacherId)?.name ?? '';
        for (const { student, key } of unwarned) {
          if (stopped()) return;
          const email = contacts.get(student.studentId)?.email;
          if (!email) {
            counts.withoutAddress += 1;
            continue;
          }
          const mail = studentWarningMail(LOCALE, {
            ...student,
            studentName: contacts.get(student.studentId)?.name ?? student.studentName,
            courseId,
            courseName: attendance.course.name,
            teacherName,
            minimumPercent: attendance.minimum.percent,
          });
          if (await send(key, email, mail)) counts.warningsSent += 1;
        }
      });
      if (!stopped() && counts.failed === failedBefore) await ledger.recordRun(WARNINGS_JOB, '', at, counts);
    }

    const week = latestDigestWeek(at, settings.timeZone, settings.digestDay, settings.digestHour);
    if (!stopped() && (await ledger.lastRun(DIGEST_JOB, week.period)) === null) {
      const failedBefore = counts.failed;
      await eachCourse(courses, (courseId) => digestOf(courseId, week));
      if (!stopped() && counts.failed === failedBefore) await ledger.recordRun(DIGEST_JOB, week.period, at, counts);
    }
    return counts;

    async function digestOf(courseId: string, week: DigestWeek): Promise<void> {
      const attendance = await attendanceOf(courseId);
      const held = attendance.sessions.filter((s) => s.plannedStart >= week.from && s.plannedStart < week.to);
      if (held.length === 0) return;
      const { course } = await deps.directory.roster(courseId);
      // The course's teacher and co-teachers (course-rights.ts: 'weekly_digest'); the portal's staff are teacher accounts.
      const recipients = [course.teacherId, ...course.staff.map((member) => member.id)].filter((id) => may(course, { id, role: 'teacher' }, 'weekly_digest'));
      const contacts = new Map((await deps.directory.contacts(recipients)).map((c) => [c.id, c]));
      for (const recipientId of recipients) {
        if (stopped()) return;
        const key = { kind: 'teacher_digest' as const, recipientId, courseId, period: week.period };
        if (await ledger.wasSent(key)) continue;
        const teacher = contacts.get(recipientId);
        if (!teacher?.email) {
          counts.withoutAddress += 1;
          continue;
        }
        const mail = teacherDigestMail(LOCALE, {
          teacherName: teacher.name,
          courseId,
          courseName: attendance.course.name,
          firstDay: localDate(week.from, settings.timeZone),
          lastDay: localDate(new Date(week.to.getTime() - DAY_MS), settings.timeZone),
          minimumPercent: attendance.minimum.percent,
          sessions: held.map((s) => ({
            plannedStart: localDateTime(s.plannedStart, settings.timeZone),
            room: s.room,
            attended: s.attended,
            counted: s.registered - s.excused,
            rate: s.rate,
          })),
          atRisk: attendance.students
            .filter((s) => s.atRisk && s.onRoster)
            .map((s) => ({ name: s.studentName, number: s.studentNumber, rate: s.rate, absences: s.absences, absencesLeft: s.absencesLeft })),
        });
        if (await send(key, teacher.email, mail)) counts.digestsSent += 1;
      }
    }
  }

  return {
    /** One run now, if no other instance is running one: its counts, or null when another one was. */
    runOnce: (): Promise<MailRunCounts | null> => ledger.exclusive(() => run(now())),
  };
}
