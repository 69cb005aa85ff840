import type { Identity } from '../../auth/index.js';
import { spotCheckErrors } from '../domain/errors.js';
import { drawAtRandom, needsReason, type SpotCheck } from '../domain/spot-check.js';
import type { DeviceAlerts, GradeChanges, SpotCheckRepository } from './ports.js';
import type { SessionService } from './sessions.js';

type Actor = Identity;

/** "Llamar al azar" (domain/spot-check.ts): draws for the session's teacher, and the marks that follow. */
export function createSpotCheckService(deps: {
  spotChecks: SpotCheckRepository;
  /** The session, for someone with the right in its course (SESSION_NOT_FOUND, SESSION_NOT_YOURS, COURSE_RIGHT_MISSING otherwise). */
  sessions: Pick<SessionService, 'authorize'>;
  devices: DeviceAlerts;
  /** An integer in [0, n): crypto.randomInt in the service. */
  randomBelow: (n: number) => number;
  grades: GradeChanges;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  // Calling at random is part of running the class (an assistant's too); the list is the roster's.
  const managedSession = (actor: Actor, sessionId: string, right: 'run_classes' | 'see_roster' = 'run_classes') => deps.sessions.authorize(actor, sessionId, right);

  return {
    /**
     * Draws up to `count` students (1 to SPOT_CHECK_MAX_STUDENTS: the route refuses more) who confirmed (in
     * the running round, else in any round) and were not called yet.
     */
    async draw(actor: Actor, sessionId: string, count: number): Promise<SpotCheck> {
      const session = await managedSession(actor, sessionId);
      if (session.state === 'scheduled' || session.roundsStarted === 0) throw spotCheckErrors.SPOT_CHECK_NOT_STARTED();
      const candidates = await deps.spotChecks.candidates(session.id, session.currentRound);
      const drawn = drawAtRandom(candidates, count, deps.randomBelow);
      if (drawn.length === 0) throw spotCheckErrors.SPOT_CHECK_NOBODY();
      const id = await deps.spotChecks.record(session.id, session.currentRound, actor, drawn.map((s) => s.studentId));
      return {
        id,
        round: session.currentRound,
        drawnBy: actor.id,
        drawnAt: now(),
        calls: drawn.map((s) => ({ ...s, outcome: 'called', reason: null, decidedAt: null })),
      };
    },

    async list(actor: Actor, sessionId: string): Promise<SpotCheck[]> {
      await managedSession(actor, sessionId, 'see_roster');
      return deps.spotChecks.list(sessionId);
    },

    /**
     * Marks a call. `no_answer` takes the session's confirmation away (a correction, audited) and raises
     * `spot_check_missed` on each device that confirmed for the student here; raising it again is harmless,
     * so a retry after a failure in between completes it.
     */
    async mark(actor: Actor, sessionId: string, checkId: number, studentId: string, outcome: 'answered' | 'no_answer', reason: string | null) {
      const session = await managedSession(actor, sessionId);
      const result = await deps.spotChecks.mark({ sessionId, checkId, studentId, outcome, reason, actor, needsReason: (from) => needsReason(from, outcome) });
      if (result.kind === 'not_found') throw spotCheckErrors.SPOT_CHECK_NOT_FOUND();
      if (result.kind === 'reason_required') throw spotCheckErrors.SPOT_CHECK_REASON_REQUIRED();
      if (outcome === 'no_answer') {
        const details = { sessionId, courseId: session.courseId, courseName: session.courseName, checkId, studentId, markedBy: actor.id, markedAt: now().toISOString() };
        for (const deviceId of result.devices) await deps.devices.spotCheckMissed(deviceId, details, actor);
        deps.grades.changed(session.courseId);
      }
      return { previous: result.previous, outcome };
    },
  };
}

export type SpotCheckService = ReturnType<typeof createSpotCheckService>;
