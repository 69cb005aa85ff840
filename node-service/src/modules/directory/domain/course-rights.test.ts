import { describe, expect, it } from 'vitest';
import { COURSE_RIGHTS, type CourseRight } from '../../../shared/course-rights.js';
import { courseRoleOf, may, rightsIn } from './course-rights.js';

const course = {
  teacherId: '1',
  staff: [
    { id: '7', name: 'Rosa Fuentes', role: 'co_teacher' as const },
    { id: '8', name: 'Diego Rojas', role: 'assistant' as const },
    { id: '2', name: 'Luis Pérez', role: 'assistant' as const },
  ],
};
const teacher = (id: string) => ({ id, role: 'teacher' });
const sorted = (rights: ReadonlySet<CourseRight>) => [...rights].sort();

describe('what a person may do in a course', () => {
  it('gives the teacher and a co-teacher every right', () => {
    expect(sorted(rightsIn(course, teacher('1')))).toEqual([...COURSE_RIGHTS].sort());
    expect(sorted(rightsIn(course, teacher('7')))).toEqual([...COURSE_RIGHTS].sort());
    expect(courseRoleOf(course, teacher('7'))).toBe('co_teacher');
  });

  it('lets an assistant run classes, project, see the roster and standings, and mark present, and nothing else', () => {
    expect(courseRoleOf(course, teacher('8'))).toBe('assistant');
    expect(sorted(rightsIn(course, teacher('8')))).toEqual(['mark_present', 'project', 'run_classes', 'see_classes', 'see_roster', 'see_standings']);
    for (const right of ['change_settings', 'correct_attendance', 'decide_justifications', 'export_data', 'weekly_digest'] as const) {
      expect(may(course, teacher('8'), right)).toBe(false);
    }
  });

  it('gives a teacher of another course nothing, and an admin everything', () => {
    expect(rightsIn(course, teacher('6')).size).toBe(0);
    expect(courseRoleOf(course, teacher('6'))).toBeNull();
    expect(sorted(rightsIn(course, { id: '5', role: 'admin' }))).toEqual([...COURSE_RIGHTS].sort());
  });

  it('gives a student token nothing, even when the staff list names that student', () => {
    expect(courseRoleOf(course, { id: '2', role: 'student' })).toBeNull();
    expect(rightsIn(course, { id: '2', role: 'student' }).size).toBe(0);
    expect(rightsIn({ teacherId: '1', staff: [] }, { id: '1', role: 'student' }).size).toBe(0);
  });
});
