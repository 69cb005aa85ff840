import type { ConfirmationRepository, ConfirmationRequest, ConfirmationResult, SessionEvents, SessionRepository, UseNotRecorded } from './ports.js';

/**
 * Records a verified confirmation (committed before anyone is told), then moves the live count everywhere.
 * Counts are announced at most once per interval per session: a burst of five hundred scans costs a few
 * count queries, not five hundred, and projectors still hear within the interval.
 */
export function createConfirmationService(deps: {
  confirmations: ConfirmationRepository;
  sessions: Pick<SessionRepository, 'liveCount'>;
  events: SessionEvents;
  countIntervalMs: number;
  report: (error: unknown, context: string) => void;
}) {
  const scheduled = new Map<string, NodeJS.Timeout>();

  const announceCount = (sessionId: string) => {
    if (scheduled.has(sessionId)) return;
    const timer = setTimeout(() => {
      scheduled.delete(sessionId);
      deps.sessions
        .liveCount(sessionId)
        .then((count) => deps.events.publish({ type: 'count', sessionId, count }))
        .catch((error: unknown) => deps.report(error, 'live count not announced'));
    }, deps.countIntervalMs);
    scheduled.set(sessionId, timer);
  };

  return {
    async record(request: ConfirmationRequest): Promise<ConfirmationResult | UseNotRecorded> {
      const result = await deps.confirmations.record(request);
      if (result.outcome === 'confirmed') announceCount(request.sessionId);
      return result;
    },
    /** An alert raised after the confirmation (scan/domain/sharing.ts): the roster and exports show it. */
    addAlert: (key: { sessionId: string; round: number; studentId: string }, alert: string) => deps.confirmations.addAlert(key, alert),
    /** A refused scan of a known student (scan module): the teacher's roster shows it, so nobody is left absent unseen. */
    noteAttempt: (key: { sessionId: string; studentId: string }, code: string) => deps.confirmations.noteAttempt(key, code),
    /** Stops pending announcements (shutdown). */
    close(): void {
      for (const timer of scheduled.values()) clearTimeout(timer);
      scheduled.clear();
    },
  };
}

export type ConfirmationService = ReturnType<typeof createConfirmationService>;
