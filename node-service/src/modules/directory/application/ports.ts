import type { Course, Roster, RosterStudent } from '../domain/course.js';

/** Where courses and rosters come from: the PHP portal in a real deployment, the demo seed in development. */
export interface CourseDirectory {
  coursesTaughtBy(teacherId: string): Promise<Course[]>;
  coursesOf(studentId: string): Promise<Course[]>;
  /** Throws DIRECTORY_COURSE_NOT_FOUND for an unknown course. */
  roster(courseId: string): Promise<Roster>;
  /** One student by id (a walk-in is on no roster of the course); null when the portal has no such student. */
  student(studentId: string): Promise<RosterStudent | null>;
}
