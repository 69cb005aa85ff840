import { describe, expect, it } from 'vitest';
import { directoryErrors } from '../domain/errors.js';
import type { Course } from '../domain/course.js';
import { rememberStaff } from './remembered-staff.js';

const mat101: Course = { id: 'MAT101', name: 'Cálculo I', teacherId: '1', staff: [{ id: '8', name: 'Diego', role: 'assistant' }] };
const MINUTE = 60_000;

/** A portal that answers from `courses` until it is told to fail, and a clock the test moves. */
function setUp(maxPeople = 10) {
  const portal = { failure: undefined as Error | undefined, courses: [mat101], asked: 0 };
  const clock = { now: 0 };
  const directory = rememberStaff(
    {
      async coursesStaffedBy(_personId: string) {
        portal.asked += 1;
        if (portal.failure) throw portal.failure;
        return portal.courses;
      },
    },
    { staleMs: 240 * MINUTE, maxPeople, now: () => clock.now },
  );
  return { portal, clock, directory };
}

describe('the staff the portal last named, while the portal is down', () => {
  it('asks the portal every time it answers: a person taken off a course loses it at once', async () => {
    const { portal, directory } = setUp();
    await expect(directory.coursesStaffedBy('8')).resolves.toEqual([mat101]);
    portal.courses = [];
    await expect(directory.coursesStaffedBy('8')).resolves.toEqual([]);
    expect(portal.asked).toBe(2);
  });

  it('answers from the last answer when the portal is unavailable, for COURSE_STAFF_STALE_MINUTES', async () => {
    const { portal, clock, directory } = setUp();
    await directory.coursesStaffedBy('8');
    portal.failure = directoryErrors.DIRECTORY_UNAVAILABLE();
    clock.now = 240 * MINUTE;
    await expect(directory.coursesStaffedBy('8')).resolves.toEqual([mat101]);
    clock.now = 240 * MINUTE + 1;
    await expect(directory.coursesStaffedBy('8')).rejects.toMatchObject({ code: 'DIRECTORY_UNAVAILABLE' });
  });

  it('does not stand in for a person the portal never named, nor for any other failure', async () => {
    const { portal, directory } = setUp();
    await directory.coursesStaffedBy('8');
    portal.failure = directoryErrors.DIRECTORY_UNAVAILABLE();
    await expect(directory.coursesStaffedBy('1')).rejects.toMatchObject({ code: 'DIRECTORY_UNAVAILABLE' });
    portal.failure = directoryErrors.DIRECTORY_QUERY_REFUSED({ detail: 'HTTP 400' });
    await expect(directory.coursesStaffedBy('8')).rejects.toMatchObject({ code: 'DIRECTORY_QUERY_REFUSED' });
  });

  it('keeps at most COURSE_STAFF_REMEMBERED people, the least recently asked going first', async () => {
    const { portal, directory } = setUp(2);
    for (const person of ['1', '7', '1', '8']) await directory.coursesStaffedBy(person);
    portal.failure = directoryErrors.DIRECTORY_UNAVAILABLE();
    await expect(directory.coursesStaffedBy('1')).resolves.toEqual([mat101]);
    await expect(directory.coursesStaffedBy('8')).resolves.toEqual([mat101]);
    await expect(directory.coursesStaffedBy('7')).rejects.toMatchObject({ code: 'DIRECTORY_UNAVAILABLE' });
  });
});
