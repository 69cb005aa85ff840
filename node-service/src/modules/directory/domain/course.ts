/** Courses and rosters belong to the portal; this service only reads them. */
export interface Course {
  id: string;
  name: string;
  teacherId: string;
  /** Who teaches it besides its teacher (domain/course-rights.ts says what each may do). */
  staff: StaffMember[];
}

interface StaffMember {
  id: string;
  name: string;
  role: 'co_teacher' | 'assistant';
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

/** Anyone the portal knows (student, teacher or admin), as histories name them. */
export interface Person {
  id: string;
  name: string;
  username: string;
  role: 'student' | 'teacher' | 'admin';
}

/** How an LTI launch names a portal person: by e-mail address or by username. */
export interface PersonLookup {
  field: 'email' | 'username';
  value: string;
}

/** Where a person's e-mail goes (the portal's address; null when it has none), for warnings by e-mail. */
export interface Contact {
  id: string;
  name: string;
  email: string | null;
}

/** Lower case without accents: "Pérez", "PEREZ" and "perez" compare equal, as the portal's search does. */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * Whether a student answers a lookup: the query is their id or username, or every word of it appears in
 * their name or username (accents and case ignored). Exact answers rank first.
 */
export function studentMatch(student: RosterStudent, query: string): 'exact' | 'words' | null {
  if (student.id === query || student.username === query) return 'exact';
  const haystack = foldText(`${student.name} ${student.username}`);
  const words = foldText(query).split(/\s+/).filter(Boolean);
  return words.length > 0 && words.every((word) => haystack.includes(word)) ? 'words' : null;
}
