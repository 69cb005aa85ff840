import { z } from 'zod';
import { networkSchema } from '../../../shared/networks.js';
import type { Session } from '../domain/session.js';
import type { LiveCount, RosterRow, RoundSummary } from '../application/ports.js';
import { courseIdSchema } from '../../../shared/ids.js';
import type { CourseStanding } from '../../directory/index.js';
import type { OverviewJson, SessionJson } from './responses.js';

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

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function sessionJson(s: Session): SessionJson {
  return { ...s, plannedStart: s.plannedStart.toISOString(), plannedEnd: s.plannedEnd.toISOString(), openedAt: iso(s.openedAt), closedAt: iso(s.closedAt) };
}

export function overviewJson(o: { session: Session; rounds: RoundSummary[]; roster: RosterRow[]; count: LiveCount; access: CourseStanding }): OverviewJson {
  return {
    session: sessionJson(o.session),
    access: o.access,
    count: o.count,
    rounds: o.rounds.map((r) => ({ ...r, startedAt: r.startedAt.toISOString(), endedAt: iso(r.endedAt) })),
    roster: o.roster.map((r) => ({ ...r, firstConfirmedAt: iso(r.firstConfirmedAt), attempt: r.attempt ? { ...r.attempt, at: r.attempt.at.toISOString() } : null })),
  };
}
