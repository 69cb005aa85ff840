import { z } from 'zod';
import { networkSchema } from '../../../shared/networks.js';
import type { Session } from '../domain/session.js';
import type { LiveCount, RosterRow, RoundSummary } from '../application/ports.js';
import { courseIdSchema } from '../../../shared/ids.js';

export const sessionIdParams = z.object({ id: z.uuid({ error: 'expected a session id' }) });

const instant = z.iso.datetime({ offset: true }).transform((v) => new Date(v));
const room = z.string().trim().min(1).max(80);
const roundsPlanned = z.number().int().min(1).max(10);

/** What every session of a draft or a series shares: where, how many rounds, and its policy. */
const sessionShape = {
  courseId: courseIdSchema,
  room,
  roundsPlanned: roundsPlanned.default(1),
  rotationPeriodMs: z.number().int().positive().optional(),
  graceMs: z.number().int().min(0).max(60_000).optional(),
  lateAfterMinutes: z.number().int().min(0).max(600).optional(),
  allowedNetworks: z.array(z.string().trim().pipe(networkSchema)).max(50).default([]),
  fallbackCodeEnabled: z.boolean().default(false),
  rosterPolicy: z.enum(['refuse', 'flag']).default('refuse'),
};

export const sessionDraftSchema = z.object({ ...sessionShape, plannedStart: instant, plannedEnd: instant }).strict();

/** A calendar date, `YYYY-MM-DD`, that exists (no 30 February). */
export const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date YYYY-MM-DD' })
  .refine((v) => {
    const [year, month, day] = v.split('-').map(Number) as [number, number, number];
    const date = new Date(Date.UTC(year, month - 1, day));
    return year >= 2000 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  }, { error: 'expected a real date from the year 2000 on' });
export const wallTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'expected a time HH:MM (00:00 to 23:59)' });

export const seriesDraftSchema = z
  .object({
    ...sessionShape,
    /** ISO weekdays: 1 = Monday … 7 = Sunday. */
    weekdays: z
      .array(z.number().int().min(1).max(7))
      .min(1)
      .max(7)
      .refine((days) => new Set(days).size === days.length, { error: 'each weekday once' }),
    startTime: wallTime,
    endTime: wallTime,
    firstDate: calendarDate,
    untilDate: calendarDate,
    /** Ranges with no class (a recess), besides the public holidays. */
    recesses: z
      .array(
        z
          .object({ from: calendarDate, to: calendarDate, name: z.string().trim().max(80).optional() })
          .strict()
          .refine((r) => r.to >= r.from, { error: 'a recess ends on or after its first day' }),
      )
      .max(20)
      .default([]),
  })
  .strict();

export const roomSchema = room;
export const roundsPlannedSchema = roundsPlanned;
export { sessionShape };

export const sessionChangesSchema = z
  .object({ room: room.optional(), plannedStart: instant.optional(), plannedEnd: instant.optional(), roundsPlanned: roundsPlanned.optional() })
  .strict();

/** The list's cursor: the last session of a page, `base64url(plannedStart ISO + "_" + id)`, opaque to clients. */
export const encodeCursor = (s: { plannedStart: Date; id: string }): string => Buffer.from(`${s.plannedStart.toISOString()}_${s.id}`).toString('base64url');
const cursorSchema = z
  .string()
  .max(128)
  .transform((value, ctx) => {
    const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(
      /^[A-Za-z0-9_-]*$/.test(value) ? Buffer.from(value, 'base64url').toString() : '',
    );
    const plannedStart = match ? new Date(match[1]!) : undefined;
    if (!match || !plannedStart || Number.isNaN(plannedStart.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'not a cursor this list gave' });
      return z.NEVER;
    }
    return { plannedStart, id: match[2]! };
  });

export const sessionListQuery = (limits: { listLimit: number; listPageSize: number }) =>
  z
    .object({
      courseId: courseIdSchema.optional(),
      from: calendarDate.optional(),
      to: calendarDate.optional(),
      order: z.enum(['asc', 'desc']).default('desc'),
      limit: z.coerce.number().int().min(1).max(limits.listLimit).default(limits.listPageSize),
      cursor: cursorSchema.optional(),
    })
    .strict();

export const sessionSchema = z.object({
  id: z.string(),
  courseId: z.string(),
  courseName: z.string(),
  teacherId: z.string(),
  room: z.string(),
  plannedStart: z.string(),
  plannedEnd: z.string(),
  roundsPlanned: z.number(),
  rotationPeriodMs: z.number(),
  graceMs: z.number(),
  lateAfterMinutes: z.number(),
  allowedNetworks: z.array(z.string()),
  fallbackCodeEnabled: z.boolean(),
  rosterPolicy: z.enum(['refuse', 'flag']),
  state: z.enum(['scheduled', 'open', 'closed']),
  openedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  roundsStarted: z.number(),
  currentRound: z.number().nullable(),
  /** The weekly series that made it (null: made alone). */
  seriesId: z.string().nullable(),
});

const countSchema = z.object({ round: z.number().nullable(), confirmed: z.number(), expected: z.number() });

export const overviewSchema = z.object({
  session: sessionSchema,
  count: countSchema,
  rounds: z.array(z.object({ number: z.number(), startedAt: z.string(), endedAt: z.string().nullable(), confirmed: z.number() })),
  roster: z.array(
    z.object({
      studentId: z.string(),
      studentName: z.string(),
      source: z.enum(['roster', 'walk_in']),
      flagged: z.boolean(),
      roundsConfirmed: z.array(z.number()),
      /** Alert codes the student's confirmations carried: shared_phone, synced_passkey, frequent_rebinds, rebound_recently. */
      alerts: z.array(z.string()),
      status: z.enum(['present', 'partial', 'late', 'absent', 'excused', 'manual_present', 'manual_absent']).nullable(),
      overrideReason: z.string().nullable(),
      firstConfirmedAt: z.string().nullable(),
      /** The last spot check's mark for the student: called (not yet marked), answered, no_answer; null if never called. */
      spotCheck: z.enum(['called', 'answered', 'no_answer']).nullable(),
      /** Erased at their request: the page names them "Estudiante eliminado" and offers no correction. */
      erased: z.boolean(),
      /** The latest scan of the student refused in this session, its error code and how many (null: none). */
      attempt: z.object({ code: z.string(), at: z.string(), count: z.number() }).nullable(),
    }),
  ),
});

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function sessionJson(s: Session): z.infer<typeof sessionSchema> {
  return { ...s, plannedStart: s.plannedStart.toISOString(), plannedEnd: s.plannedEnd.toISOString(), openedAt: iso(s.openedAt), closedAt: iso(s.closedAt) };
}

export function overviewJson(o: { session: Session; rounds: RoundSummary[]; roster: RosterRow[]; count: LiveCount }): z.infer<typeof overviewSchema> {
  return {
    session: sessionJson(o.session),
    count: o.count,
    rounds: o.rounds.map((r) => ({ ...r, startedAt: r.startedAt.toISOString(), endedAt: iso(r.endedAt) })),
    roster: o.roster.map((r) => ({ ...r, firstConfirmedAt: iso(r.firstConfirmedAt), attempt: r.attempt ? { ...r.attempt, at: r.attempt.at.toISOString() } : null })),
  };
}

/** Where a student stands against the course minimum (docs/api.md, "Thresholds"); also in "Mi asistencia". */
export const standingSchema = z.object({
  attended: z.number(),
  counted: z.number(),
  absences: z.number(),
  pending: z.number(),
  planned: z.number(),
  allowedAbsences: z.number(),
  absencesLeft: z.number(),
  /** Absences at the end of the planned sessions if the absence rate so far goes on (null: nothing counted). */
  projectedAbsences: z.number().nullable(),
  /** Too few sessions counted to judge a pace (ATTENDANCE_EARLY_TERM_SESSIONS). */
  earlyTerm: z.boolean(),
  atRisk: z.boolean(),
  reason: z.enum(['out_of_reach', 'pace', 'few_absences_left']).nullable(),
});

/** A course's grade policy as the pages show it (domain/grade-policy.ts), with its name in both languages. */
export const gradePolicySchema = z.object({
  basis: z.enum(['to_date', 'all_scheduled']),
  dropLowest: z.number(),
  points: z.object({ late: z.number(), partial: z.number() }),
  absencePenalty: z.number(),
  source: z.enum(['course', 'default']),
  name: z.object({ es: z.string(), en: z.string() }),
});

/** A student's grade under the course's policy: the score as a share (null: nothing to grade yet) and what it is over. */
export const gradeSchema = z.object({
  score: z.number().nullable(),
  earned: z.number(),
  over: z.number(),
  dropped: z.number(),
  penalised: z.number(),
  passes: z.boolean().nullable(),
});
