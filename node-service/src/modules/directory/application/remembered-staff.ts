import { isAppError } from '../../../shared/errors.js';
import type { Course } from '../domain/course.js';
import type { CourseDirectory } from './ports.js';

/**
 * Every course check asks the portal who teaches and staffs the course (course-access.ts), so that a person
 * taken off a course loses it at once. While the portal is down that question has no answer, and a class
 * under way would stop: its teacher could not start the next round, project or close it. So the last
 * answer the portal gave for each person is kept, and used only when the portal is unavailable
 * (DIRECTORY_UNAVAILABLE) and the answer is younger than `staleMs` (COURSE_STAFF_STALE_MINUTES). Anything
 * else the portal says (a refusal, a course that does not exist) is passed on as it is.
 * At most `maxPeople` answers are kept (COURSE_STAFF_REMEMBERED): the least recently asked go first.
 */
export function rememberStaff<D extends Pick<CourseDirectory, 'coursesStaffedBy'>>(
  directory: D,
  options: { staleMs: number; maxPeople: number; now?: () => number },
): D {
  const now = options.now ?? Date.now;
  const lastKnown = new Map<string, { courses: Course[]; at: number }>();

  const keep = (personId: string, courses: Course[]) => {
    lastKnown.delete(personId);
    lastKnown.set(personId, { courses, at: now() });
    if (lastKnown.size > options.maxPeople) lastKnown.delete(lastKnown.keys().next().value!);
  };

  return {
    ...directory,
    async coursesStaffedBy(personId: string) {
      try {
        const courses = await directory.coursesStaffedBy(personId);
        keep(personId, courses);
        return courses;
      } catch (error) {
        const known = lastKnown.get(personId);
        const unavailable = isAppError(error) && error.code === 'DIRECTORY_UNAVAILABLE';
        if (unavailable && known && now() - known.at <= options.staleMs) return known.courses;
        throw error;
      }
    },
  };
}
