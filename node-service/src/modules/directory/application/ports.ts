import type { Course, Roster } from '../domain/course.js';

/** Where courses and rosters come from: the PHP portal in a real deployment, the demo seed in development. */
export interface CourseDirectory {
  coursesTaughtBy(teacherId: string): Promise<Course[]>;
  coursesOf(studentId: string): Promise<Course[]>;
  /** Throws DIRECTORY_COURSE_NOT_FOUND for an unknown course. */
  roster(courseId: string): Promise<Roster>;
}
