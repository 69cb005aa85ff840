import type { LocalizedVar } from '../../../shared/errors.js';
import type { Identity } from '../../auth/index.js';
import type { CourseAccess } from '../../directory/index.js';
import { justificationErrors, reportErrors } from '../domain/errors.js';
import { attachmentTypeOf, justifyProblem } from '../domain/justification.js';
import type { GradeChanges, Justification, JustificationRepository } from './ports.js';

/** A size as people read it: "2,5 MB" / "2.5 MB" (KB under one megabyte). */
function sizeText(bytes: number): LocalizedVar {
  const [value, unit] = bytes >= 1024 * 1024 ? [bytes / (1024 * 1024), 'MB'] : [bytes / 1024, 'KB'];
  const text = (locale: string) => `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value)} ${unit}`;
  return { es: text('es-CL'), en: text('en') };
}

/**
 * Justifications (issue 26): a student asks to justify an absence from one of their classes (the student is
 * the token's, never the body's), with a reason and optionally a document; the class's teacher (or an admin)
 * approves or rejects it with an optional note. An approval makes the class "Justificado" (excused) for that
 * student through an audited correction, so it no longer counts as an absence in their standing.
 */
export function createJustificationService(deps: {
  justifications: JustificationRepository;
  /** Who may do what in a course (directory/domain/course-rights.ts): deciding is 'decide_justifications'. */
  access: Pick<CourseAccess, 'require'>;
  /** JUSTIFICATION_MAX_BYTES and JUSTIFICATION_WINDOW_DAYS (in ms). */
  limits: { maxBytes: number; windowMs: number };
  now: () => Date;
  grades: GradeChanges;
}) {
  const { justifications } = deps;
  const mayDecide = (actor: Identity, courseId: string) =>
    deps.access.require(actor, courseId, 'decide_justifications', () => justificationErrors.JUSTIFICATION_NOT_YOURS());

  const decidable = async (actor: Identity, id: string) => {
    const request = await justifications.find(id);
    if (!request) throw justificationErrors.JUSTIFICATION_NOT_FOUND();
    await mayDecide(actor, request.courseId);
    return request;
  };

  return {
    async request(student: Identity, input: { sessionId: string; reason: string; attachment: { name: string; bytes: Buffer } | null }): Promise<Justification> {
      let attachment = null;
      if (input.attachment) {
        const { bytes, name } = input.attachment;
        if (bytes.length > deps.limits.maxBytes) {
          throw justificationErrors.JUSTIFICATION_ATTACHMENT_TOO_LARGE({ size: sizeText(bytes.length), max: sizeText(deps.limits.maxBytes) });
        }
        const type = attachmentTypeOf(bytes);
        if (!type) throw justificationErrors.JUSTIFICATION_ATTACHMENT_TYPE();
        attachment = { bytes, type, name };
      }
      const result = await justifications.resultOf(input.sessionId, student.id);
      if (!result) throw justificationErrors.JUSTIFICATION_SESSION_NOT_YOURS();
      const problem = justifyProblem(result, deps.now(), deps.limits.windowMs);
      if (problem === 'class_running') throw justificationErrors.JUSTIFICATION_CLASS_RUNNING();
      if (problem === 'not_absent') throw justificationErrors.JUSTIFICATION_NOT_ABSENT();
      if (problem === 'too_late') throw justificationErrors.JUSTIFICATION_TOO_LATE({ days: Math.round(deps.limits.windowMs / 86_400_000) });
      const created = await justifications.create({ sessionId: input.sessionId, studentId: student.id, reason: input.reason, attachment });
      if (created === 'already_pending') throw justificationErrors.JUSTIFICATION_ALREADY_PENDING();
      return created;
    },

    async decide(actor: Identity, id: string, decision: 'approved' | 'rejected', note: string | null): Promise<Justification> {
      const request = await decidable(actor, id);
      const role = actor.role === 'admin' ? 'admin' : 'teacher';
      const correctionReason = `Justificación aprobada: ${request.reason}`.slice(0, 500);
      const decided = await justifications.decide({ id, decision, note, actor: { id: actor.id, name: actor.name, role }, correctionReason });
      if (decided === 'already_decided') throw justificationErrors.JUSTIFICATION_ALREADY_DECIDED();
      if (decision === 'approved') deps.grades.changed(request.courseId);
      return decided;
    },

    /** The signed-in student's requests, newest first. */
    mine: (student: Identity) => justifications.ofStudent(student.id),

    /** A course's requests for its teacher: waiting ones first, then the history. */
    async ofCourse(actor: Identity, courseId: string): Promise<Justification[]> {
      await deps.access.require(actor, courseId, 'decide_justifications', () => reportErrors.COURSE_NOT_YOURS({ courseId }));
      return justifications.ofCourse(courseId);
    },

    /** The document of a request: for the student who sent it and for the class's teacher (or an admin). */
    async attachment(actor: Identity, id: string) {
      const request = await justifications.find(id);
      const own = request !== null && actor.role === 'student' && request.studentId === actor.id;
      if (!request || (actor.role === 'student' && !own)) throw justificationErrors.JUSTIFICATION_NOT_FOUND();
      if (!own) await mayDecide(actor, request.courseId);
      const document = await justifications.attachment(id);
      if (!document) throw justificationErrors.JUSTIFICATION_NO_ATTACHMENT();
      return document;
    },
  };
}

export type JustificationService = ReturnType<typeof createJustificationService>;
