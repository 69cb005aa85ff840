import type { CourseDirectory } from '../application/ports.js';
import { studentMatch, type Course } from '../domain/course.js';
import { directoryErrors } from '../domain/errors.js';
import { DEMO_COURSES, DEMO_USERS } from './demo-seed.js';

export function createDemoDirectory(): CourseDirectory {
  const course = ({ id, name, teacherId, staff = [] }: (typeof DEMO_COURSES)[number]): Course => ({
    id,
    name,
    teacherId,
    staff: staff.map((member) => ({ ...member, name: DEMO_USERS.find((u) => u.id === member.id)!.name })),
  });
  return {
    async coursesStaffedBy(personId) {
      return DEMO_COURSES.filter((c) => c.teacherId === personId || c.staff?.some((s) => s.id === personId)).map(course);
    },
    async coursesOf(studentId) {
      return DEMO_COURSES.filter((c) => c.studentIds.includes(studentId)).map(course);
    },
    async student(studentId) {
      const user = DEMO_USERS.find((u) => u.id === studentId && u.role === 'student');
      return user ? { id: user.id, name: user.name, username: user.username } : null;
    },
    async searchStudents(query, limit) {
      const students = DEMO_USERS.filter((u) => u.role === 'student').map(({ id, name, username }) => ({ id, name, username }));
      const ranked = students
        .map((student) => ({ student, match: studentMatch(student, query) }))
        .filter((entry) => entry.match !== null)
        .sort((a, b) => Number(a.match !== 'exact') - Number(b.match !== 'exact') || a.student.name.localeCompare(b.student.name, 'es'));
      return ranked.slice(0, limit).map((entry) => entry.student);
    },
    async people(ids) {
      return DEMO_USERS.filter((u) => ids.includes(u.id)).map(({ id, name, username, role }) => ({ id, name, username, role }));
    },
    async contacts(ids) {
      return DEMO_USERS.filter((u) => ids.includes(u.id)).map(({ id, name, email }) => ({ id, name, email }));
    },
    async personBy({ field, value }) {
      const found = DEMO_USERS.filter((u) => (field === 'email' ? u.email.toLowerCase() === value.toLowerCase() : u.username === value));
      const user = found.length === 1 ? found[0]! : null;
      return user ? { id: user.id, name: user.name, username: user.username, role: user.role } : null;
    },
    async roster(courseId) {
      const found = DEMO_COURSES.find((c) => c.id === courseId);
      if (!found) throw directoryErrors.DIRECTORY_COURSE_NOT_FOUND({ courseId });
      const students = found.studentIds.map((id) => {
        const user = DEMO_USERS.find((u) => u.id === id)!;
        return { id: user.id, name: user.name, username: user.username };
      });
      return { course: course(found), students };
    },
  };
}
