import type { AppError } from '../../../shared/errors.js';
import type { Course } from '../domain/course.js';
import type { CourseRight } from '../../../shared/course-rights.js';
import { courseRoleOf, rightsIn, type CourseRole } from '../domain/course-rights.js';
import { directoryErrors } from '../domain/errors.js';
import type { CourseDirectory } from './ports.js';

type Actor = { id: string; role: string };

/** One person's place in a course: their role (an admin: "admin") and what they may do there. */
export interface CourseStanding {
  role: CourseRole | 'admin';
  rights: CourseRight[];
}

/** A course as one person sees it. */
export interface StaffedCourse extends Course, CourseStanding {}

const ROLE_NAMES: Record<CourseRole | 'admin', { es: string; en: string }> = {
  teacher: { es: 'docente', en: 'teacher' },
  co_teacher: { es: 'co-docente', en: 'co-teacher' },
  assistant: { es: 'ayudante', en: 'teaching assistant' },
  admin: { es: 'administrador', en: 'admin' },
};

/** What COURSE_RIGHT_MISSING says the person cannot do. */
const RIGHT_ACTIONS: Record<CourseRight, { es: string; en: string }> = {
  see_classes: { es: 'ver sus clases', en: 'see its classes' },
  run_classes: { es: 'dirigir sus clases', en: 'run its classes' },
  project: { es: 'proyectar sus clases', en: 'project its classes' },
  see_roster: { es: 'ver la lista de sus clases', en: 'see its class rosters' },
  mark_present: { es: 'marcar presentes', en: 'mark students present' },
  see_standings: { es: 'ver la asistencia del curso', en: 'see the course attendance' },
  change_settings: { es: 'cambiar la configuración del curso ni planificar sus clases', en: 'change the course settings or plan its classes' },
  correct_attendance: { es: 'hacer esa corrección (solo marcar presentes)', en: 'make that correction (only mark students present)' },
  decide_justifications: { es: 'ver ni decidir justificaciones', en: 'see or decide justifications' },
  export_data: { es: 'exportar datos de estudiantes', en: 'export students’ data' },
  weekly_digest: { es: 'recibir el resumen semanal', en: 'receive the weekly digest' },
};

/**
 * The service's one gate to a course (issue 26): the course's teacher and staff come from the directory, on
 * every check (nothing is cached: a person taken off the staff loses the course at once), and
 * domain/course-rights.ts decides.
 */
export function createCourseAccess(directory: Pick<CourseDirectory, 'coursesStaffedBy'>) {
  /** The courses the actor teaches or staffs, with role and rights; an admin's list is empty (they name any course). */
  async function mine(actor: Actor): Promise<StaffedCourse[]> {
    if (actor.role !== 'teacher') return [];
    return (await directory.coursesStaffedBy(actor.id)).flatMap((course) => {
      const role = courseRoleOf(course, actor);
      return role === null ? [] : [{ ...course, role, rights: [...rightsIn(course, actor)] }];
    });
  }

  return {
    mine,

    /**
     * The actor's role and rights in the course, when they have `right` there (pages show only what these allow).
     * Someone with no role there gets `stranger()` (each caller's own 403 or 404); a staff member without that
     * right gets 403 COURSE_RIGHT_MISSING, which names their role and what they cannot do.
     */
    async require(actor: Actor, courseId: string, right: CourseRight, stranger: () => AppError): Promise<CourseStanding> {
      if (actor.role === 'admin') return { role: 'admin', rights: [...rightsIn({ teacherId: '', staff: [] }, actor)] };
      const course = (await mine(actor)).find((c) => c.id === courseId);
      if (!course) throw stranger();
      if (!course.rights.includes(right)) throw directoryErrors.COURSE_RIGHT_MISSING({ role: ROLE_NAMES[course.role], action: RIGHT_ACTIONS[right] });
      return { role: course.role, rights: course.rights };
    },
  };
}

export type CourseAccess = ReturnType<typeof createCourseAccess>;
