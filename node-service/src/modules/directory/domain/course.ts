/** Courses and rosters belong to the portal; this service only reads them. */
export interface Course {
  id: string;
  name: string;
  teacherId: string;
}

export interface RosterStudent {
  id: string;
  name: string;
  /** The portal username, which the institution uses as the student number (exports print it). */
  username: string;
}

export interface Roster {
  course: Course;
  students: RosterStudent[];
}
