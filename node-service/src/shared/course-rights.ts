// The words of the course rights, in a file that imports nothing: the rule (modules/directory/domain/course-rights.ts),
// the response schemas (modules/attendance/presentation/responses.ts) and the pages (web/teacher) are built on them.

/** Everything a person may be allowed to do in a course; who has which is directory/domain/course-rights.ts. */
export const COURSE_RIGHTS = [
  /** See the course's classes: "Mis cursos", the list of sessions, "Hoy", calendar feeds. */
  'see_classes',
  /** Open a class, run and end rounds, close it, call at random, review walk-ins. */
  'run_classes',
  /** Open the projector of a class. */
  'project',
  /** A class's page with its live roster and count. */
  'see_roster',
  /** Correct a student to present ("Presente (manual)"), audited with who and why. */
  'mark_present',
  /** The course page: minimum, students at risk, attendance per class. */
  'see_standings',
  /** The course's settings: minimum, grade policy, creating, editing and deleting sessions and series, imports. */
  'change_settings',
  /** Any other correction: excused, absent, back to computed, several students at once. */
  'correct_attendance',
  /** Read justification requests with their documents, approve or reject them. */
  'decide_justifications',
  /** Exports with students' personal data: spreadsheets, printed reports, receipts. */
  'export_data',
  /** The weekly digest by e-mail (the course's classes and students at risk). */
  'weekly_digest',
] as const;
export type CourseRight = (typeof COURSE_RIGHTS)[number];

/** The viewer's role in a course as the API names it: the teacher, a staff member, or an admin (every right everywhere). */
export const COURSE_ACCESS_ROLES = ['teacher', 'co_teacher', 'assistant', 'admin'] as const;
