import type { Identity } from '../../auth/index.js';
import type { CourseAccess, CourseDirectory } from '../../directory/index.js';
import { attendanceErrors, reportErrors } from '../domain/errors.js';
import type { GradeChanges, SessionEvents, SessionRepository, WalkInDecision, WalkInRepository } from './ports.js';

/**
 * Walk-ins: students not on the course roster whose confirmations a session's policy accepted with a flag.
 * They are named from the portal's directory (the scan knows only an id), and the teacher accepts or
 * rejects each one, audited.
 */
export function createWalkInService(deps: {
  walkIns: WalkInRepository;
  sessions: Pick<SessionRepository, 'find'>;
  directory: Pick<CourseDirectory, 'student'>;
  /** Reviewing a walk-in is part of running the class: an assistant's too. */
  access: Pick<CourseAccess, 'require'>;
  events: Pick<SessionEvents, 'publish'>;
  grades: GradeChanges;
}) {
  return {
    /** Gives walk-ins of these sessions their real names; a directory that cannot answer leaves them for later. */
    async name(sessionIds: string[]): Promise<void> {
      for (const studentId of await deps.walkIns.unnamed(sessionIds)) {
        const student = await deps.directory.student(studentId).catch(() => null);
        if (student) await deps.walkIns.rename(studentId, student.name);
      }
    },

    async review(actor: Identity, sessionId: string, studentId: string, decision: WalkInDecision, reason: string) {
      const session = await deps.sessions.find(sessionId);
      if (!session) throw attendanceErrors.SESSION_NOT_FOUND();
      await deps.access.require(actor, session.courseId, 'run_classes', () => attendanceErrors.SESSION_NOT_YOURS());
      const reviewed = await deps.walkIns.review({ sessionId, studentId, decision, reason, actor });
      if (!reviewed) throw reportErrors.WALK_IN_NOT_FOUND();
      await deps.events.publish({ type: 'session.updated', sessionId });
      deps.grades.changed(session.courseId);
      return reviewed;
    },
  };
}

export type WalkInService = ReturnType<typeof createWalkInService>;
