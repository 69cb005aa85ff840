import { z } from 'zod';
import { networkSchema } from '../../../shared/networks.js';
import type { Session } from '../domain/session.js';
import type { LiveCount, RosterRow, RoundSummary } from '../application/ports.js';

export const sessionIdParams = z.object({ id: z.uuid({ error: 'expected a session id' }) });

export const sessionDraftSchema = z
  .object({
    courseId: z.string().trim().min(1).max(32),
    room: z.string().trim().min(1).max(80),
    plannedStart: z.iso.datetime({ offset: true }).transform((v) => new Date(v)),
    plannedEnd: z.iso.datetime({ offset: true }).transform((v) => new Date(v)),
    roundsPlanned: z.number().int().min(1).max(10).default(1),
    rotationPeriodMs: z.number().int().positive().optional(),
    graceMs: z.number().int().min(0).max(60_000).optional(),
    lateAfterMinutes: z.number().int().min(0).max(600).optional(),
    allowedNetworks: z.array(z.string().trim().pipe(networkSchema)).max(50).default([]),
    fallbackCodeEnabled: z.boolean().default(false),
    rosterPolicy: z.enum(['refuse', 'flag']).default('refuse'),
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
      status: z.enum(['present', 'partial', 'late', 'absent', 'excused', 'manual_present']).nullable(),
      overrideReason: z.string().nullable(),
      firstConfirmedAt: z.string().nullable(),
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
    roster: o.roster.map((r) => ({ ...r, firstConfirmedAt: iso(r.firstConfirmedAt) })),
  };
}
