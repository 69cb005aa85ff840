import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/errors.js';
import { createCourseAccess } from './course-access.js';

/** The gate every course check goes through, over a directory of one course with a co-teacher and an assistant. */
const mat101 = {
  id: 'MAT101',
  name: 'Cálculo I',
  teacherId: '1',
  staff: [
    { id: '7', name: 'Rosa', role: 'co_teacher' as const },
    { id: '8', name: 'Diego', role: 'assistant' as const },
  ],
};
let asked = 0;
const access = createCourseAccess({
  coursesStaffedBy: async (personId) => {
    asked += 1;
    return ['1', '7', '8'].includes(personId) ? [mat101] : [];
  },
});
const stranger = () => new Error('stranger') as never;
const refusal = (work: Promise<unknown>) => work.then(() => 'passed', (error: unknown) => (isAppError(error) ? error : String(error)));

describe('the gate to a course', () => {
  it('answers the role and rights of whoever has the right asked', async () => {
    await expect(access.require({ id: '8', role: 'teacher' }, 'MAT101', 'run_classes', stranger)).resolves.toMatchObject({ role: 'assistant' });
    await expect(access.require({ id: '7', role: 'teacher' }, 'MAT101', 'export_data', stranger)).resolves.toMatchObject({ role: 'co_teacher' });
  });

  it('refuses a staff member without the right, naming their role and what they cannot do, in both languages', async () => {
    const error = await refusal(access.require({ id: '8', role: 'teacher' }, 'MAT101', 'change_settings', stranger));
    expect(isAppError(error) && error.code).toBe('COURSE_RIGHT_MISSING');
    expect(isAppError(error) && error.translations()).toEqual({
      es: 'Como ayudante de este curso no puedes cambiar la configuración del curso ni planificar sus clases. Pídeselo al docente del curso.',
      en: 'As teaching assistant of this course you cannot change the course settings or plan its classes. Ask the course’s teacher.',
    });
  });

  it('gives a stranger the caller’s own refusal, and an admin every right without asking the portal', async () => {
    expect(await refusal(access.require({ id: '6', role: 'teacher' }, 'MAT101', 'see_roster', stranger))).toBe('Error: stranger');
    const before = asked;
    await expect(access.require({ id: '5', role: 'admin' }, 'ANY', 'export_data', stranger)).resolves.toMatchObject({ role: 'admin' });
    expect(asked).toBe(before);
    expect(await access.mine({ id: '2', role: 'student' })).toEqual([]);
  });
});
