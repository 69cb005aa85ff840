import { COURSE_RIGHTS, type CourseRight } from '../../../shared/course-rights.js';
import type { Course } from './course.js';

/**
 * What a person may do in a course: the one rule every check of the service asks (issue 26). It reads the
 * course's teacher and staff as the portal has them; nothing else decides who may act on a course.
 *
 * The teacher and a co-teacher have every right. An assistant (TA, "ayudante") runs classes: opens them, runs
 * rounds, projects, calls at random, sees the live roster and the standings, and marks a student present (an
 * audited correction that records who). An assistant does not change the course (minimum, grade policy,
 * planning sessions and series, imports), decide justifications, make other corrections, or export personal
 * data. An admin has every right in every course; erasing a student is the admin's alone and no course right.
 * The table is in docs/architecture.md, "Course staff".
 */
type StaffRole = 'co_teacher' | 'assistant';
export type CourseRole = 'teacher' | StaffRole;

// The rights themselves are named in shared/course-rights.ts (imported by the pages too).
const ASSISTANT_RIGHTS: readonly CourseRight[] = ['see_classes', 'run_classes', 'project', 'see_roster', 'mark_present', 'see_standings'];

const RIGHTS_OF: Readonly<Record<CourseRole, ReadonlySet<CourseRight>>> = {
  teacher: new Set(COURSE_RIGHTS),
  co_teacher: new Set(COURSE_RIGHTS),
  assistant: new Set(ASSISTANT_RIGHTS),
};
const NONE: ReadonlySet<CourseRight> = new Set();

type Actor = { id: string; role: string };
type CourseStaffing = Pick<Course, 'teacherId' | 'staff'>;

/**
 * The person's role in the course, or null. Only a teacher account holds one: a student's token never gets
 * a course right, whatever the portal's staff list says.
 */
export function courseRoleOf(course: CourseStaffing, actor: Actor): CourseRole | null {
  if (actor.role !== 'teacher') return null;
  if (course.teacherId === actor.id) return 'teacher';
  return course.staff.find((member) => member.id === actor.id)?.role ?? null;
}

/** Every right the actor has in the course: all of them for an admin, none for a stranger. */
export function rightsIn(course: CourseStaffing, actor: Actor): ReadonlySet<CourseRight> {
  if (actor.role === 'admin') return RIGHTS_OF.teacher;
  const role = courseRoleOf(course, actor);
  return role === null ? NONE : RIGHTS_OF[role];
}

export function may(course: CourseStaffing, actor: Actor, right: CourseRight): boolean {
  return rightsIn(course, actor).has(right);
}
