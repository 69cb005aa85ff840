import type { ConfirmationRepository, ConfirmationRequest, ConfirmationResult, SessionEvents, SessionRepository } from './ports.js';

/** Records a verified confirmation (committed before anyone is told), then moves the live count everywhere. */
export function createConfirmationService(deps: {
  confirmations: ConfirmationRepository;
  sessions: Pick<SessionRepository, 'liveCount'>;
  events: SessionEvents;
}) {
  return {
    async record(request: ConfirmationRequest): Promise<ConfirmationResult> {
      const result = await deps.confirmations.record(request);
      if (result.outcome === 'confirmed') {
        const count = await deps.sessions.liveCount(request.sessionId);
        await deps.events.publish({ type: 'count', sessionId: request.sessionId, count });
      }
      return result;
    },
  };
}

export type ConfirmationService = ReturnType<typeof createConfirmationService>;
