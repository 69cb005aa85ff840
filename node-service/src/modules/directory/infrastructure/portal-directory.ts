import { z } from 'zod';
import type { CourseDirectory } from '../application/ports.js';
import { isAppError } from '../../../shared/errors.js';
import { directoryErrors } from '../domain/errors.js';

const staffSchema = z.object({ id: z.coerce.string(), name: z.string(), role: z.enum(['co_teacher', 'assistant']) });
/** A portal older than course staff (schema v4) sends no `staff`: nobody besides the teacher. */
const courseSchema = z.object({ id: z.string().min(1), name: z.string(), teacherId: z.coerce.string(), staff: z.array(staffSchema).default([]) });
const coursesSchema = z.object({ courses: z.array(courseSchema) });
const studentSchema = z.object({ id: z.coerce.string(), name: z.string(), username: z.string().min(1) });
const personSchema = studentSchema.extend({ role: z.enum(['student', 'teacher', 'admin']) });
/** An older portal sends no `email`; an address that is not one is taken as none. */
const contactSchema = z.object({
  id: z.coerce.string(),
  name: z.string(),
  email: z.email().max(254).nullish().catch(null).transform((email) => email ?? null),
});
const rosterSchema = z.object({
  course: courseSchema,
  students: z.array(studentSchema),
});

/** Statuses that say the portal cannot answer now (busy, slow, down), not that the question is wrong. */
const PORTAL_UNAVAILABLE = new Set([408, 429]);

/**
 * What a portal's refusal means. 5xx, 408, 429: the portal is unavailable (503). 404, or 400 when the
 * question was about one thing (a course, a student): that thing does not exist for the portal. Another
 * 4xx: the query was not valid (400 DIRECTORY_QUERY_REFUSED), never "the portal is down", which would tell
 * monitoring so. 401 and 403 (the service's credential refused), or 404 for an endpoint itself: a
 * misconfiguration (500, logged).
 */
async function refused<T>(response: Response, notFound?: () => T): Promise<T> {
  const { status } = response;
  if (status >= 500 || PORTAL_UNAVAILABLE.has(status)) throw directoryErrors.DIRECTORY_UNAVAILABLE();
  if (status === 401 || status === 403) throw new Error(`the portal refused INTERNAL_API_TOKEN (${status}): check that both sides share it`);
  if ((status === 404 || status === 400) && notFound) return notFound();
  if (status === 404) throw new Error(`the portal has no ${new URL(response.url).pathname}: check PORTAL_INTERNAL_URL`);
  const body = (await response.json().catch(() => undefined)) as { error?: { code?: unknown } } | undefined;
  const detail = typeof body?.error?.code === 'string' ? body.error.code : `HTTP ${status}`;
  throw directoryErrors.DIRECTORY_QUERY_REFUSED({ detail });
}

/** Reads courses and rosters from the PHP portal's server-to-server endpoints, with its own credential. */
export function createPortalDirectory(options: { baseUrl: string; credential: string; timeoutMs?: number }): CourseDirectory {
  const get = async <T>(path: string, schema: z.ZodType<T>, notFound?: () => T): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(new URL(path, options.baseUrl), {
        headers: { authorization: `Bearer ${options.credential}`, accept: 'application/json' },
        signal: AbortSignal.timeout(options.timeoutMs ?? 3000),
      });
    } catch {
      throw directoryErrors.DIRECTORY_UNAVAILABLE();
    }
    if (!response.ok) return refused(response, notFound);
    const parsed = schema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw directoryErrors.DIRECTORY_UNAVAILABLE();
    return parsed.data;
  };
  const query = (name: string, value: string) => `${name}=${encodeURIComponent(value)}`;
  return {
    async coursesStaffedBy(personId) {
      try {
        return (await get(`/internal/courses.php?${query('staff', personId)}`, coursesSchema)).courses;
      } catch (error) {
        // A portal older than course staff (schema v4) refuses `staff=`: the courses the person teaches, as
        // before, so a service upgraded before its portal keeps every class running.
        if (!(isAppError(error) && error.code === 'DIRECTORY_QUERY_REFUSED')) throw error;
        return (await get(`/internal/courses.php?${query('teacher', personId)}`, coursesSchema)).courses;
      }
    },
    async coursesOf(studentId) {
      return (await get(`/internal/courses.php?${query('student', studentId)}`, coursesSchema)).courses;
    },
    roster: (courseId) =>
      get(`/internal/roster.php?${query('course', courseId)}`, rosterSchema, () => {
        throw directoryErrors.DIRECTORY_COURSE_NOT_FOUND({ courseId });
      }),
    student: async (studentId) =>
      (await get(`/internal/student.php?${query('id', studentId)}`, z.object({ student: studentSchema }).nullable(), () => null))?.student ?? null,
    searchStudents: async (text, limit) =>
      (await get(`/internal/students.php?${query('q', text)}&${query('limit', String(limit))}`, z.object({ students: z.array(studentSchema) }))).students,
    people: async (ids) =>
      ids.length === 0 ? [] : (await get(`/internal/people.php?${query('ids', ids.join(','))}`, z.object({ people: z.array(personSchema) }))).people,
    contacts: async (ids) =>
      ids.length === 0 ? [] : (await get(`/internal/people.php?${query('ids', ids.join(','))}`, z.object({ people: z.array(contactSchema) }))).people,
    personBy: async ({ field, value }) =>
      (await get(`/internal/person.php?${query(field, value)}`, z.object({ person: personSchema }).nullable(), () => null))?.person ?? null,
  };
}
