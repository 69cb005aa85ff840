import type { Contact, Course, Person, PersonLookup, Roster, RosterStudent } from '../domain/course.js';

/** Where courses and rosters come from: the PHP portal in a real deployment, the demo seed in development. */
export interface CourseDirectory {
  /** The courses a person teaches or is on the staff of (co-teacher, assistant), each with its staff. */
  coursesStaffedBy(personId: string): Promise<Course[]>;
  coursesOf(studentId: string): Promise<Course[]>;
  /** Throws DIRECTORY_COURSE_NOT_FOUND for an unknown course. */
  roster(courseId: string): Promise<Roster>;
  /** One student by id (a walk-in is on no roster of the course); null when the portal has no such student. */
  student(studentId: string): Promise<RosterStudent | null>;
  /**
   * Students whose name or username holds every word of `query` (accents and case ignored), or whose id or
   * username is `query`; those first, then by name; at most `limit`.
   */
  searchStudents(query: string, limit: number): Promise<RosterStudent[]>;
  /** The known people among `ids` (any role), for naming them in histories; unknown ids are left out. */
  people(ids: readonly string[]): Promise<Person[]>;
  /** The e-mail addresses of the known people among `ids` (warnings by e-mail); unknown ids are left out. */
  contacts(ids: readonly string[]): Promise<Contact[]>;
  /** The one person (any role) whose e-mail address (case ignored) or username is `value`; null when none or several. */
  personBy(lookup: PersonLookup): Promise<Person | null>;
}
