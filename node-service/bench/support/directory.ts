import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Teardown } from './lifecycle.js';

/**
 * A stand-in for the portal's two server-to-server endpoints (`/internal/courses.php`, `/internal/roster.php`,
 * the shapes php-legacy/public/internal/ serves), so that a course can have a roster of any size: the demo
 * directory has three students. The service reads it as in production (PORTAL_INTERNAL_URL and
 * INTERNAL_API_TOKEN), only when a session is created and opened: never during a measurement.
 */

/** A course of `size` students, taught by the demo teacher (user 1). */
export function benchCourse(id: string, size: number) {
  const students = Array.from({ length: size }, (_, i) => ({ id: studentId(i), name: `Estudiante ${String(i + 1).padStart(4, '0')}` }));
  return { id, name: `Banco de pruebas ${id} (${size} estudiantes)`, teacherId: '1', students };
}
export type BenchCourse = ReturnType<typeof benchCourse>;

export const studentId = (index: number) => String(100_000 + index);

/** Starts the stand-in; returns the environment that points the service at it. */
export async function startDirectory(courses: readonly BenchCourse[], teardown: Teardown): Promise<{ PORTAL_INTERNAL_URL: string; INTERNAL_API_TOKEN: string }> {
  const credential = randomBytes(24).toString('hex');
  const view = ({ id, name, teacherId }: BenchCourse) => ({ id, name, teacherId });
  const send = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify(body));
  };
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    if (request.headers.authorization !== `Bearer ${credential}`) return send(response, 401, { error: { code: 'UNAUTHORIZED' } });
    const url = new URL(request.url ?? '/', 'http://directory');
    // `staff=` (the courses a person teaches or helps in) is `teacher=` here: these courses have no other staff.
    const teacher = url.searchParams.get('teacher') ?? url.searchParams.get('staff');
    const student = url.searchParams.get('student');
    if (url.pathname === '/internal/courses.php') {
      const found = courses.filter((c) => c.teacherId === teacher || c.students.some((s) => s.id === student));
      return send(response, 200, { courses: found.map(view) });
    }
    const course = courses.find((c) => c.id === url.searchParams.get('course'));
    if (url.pathname !== '/internal/roster.php' || !course) return send(response, 404, { error: { code: 'NOT_FOUND' } });
    // The portal's username is the student number in exports; the stand-in makes one from the id.
    return send(response, 200, { course: view(course), students: course.students.map((s) => ({ ...s, username: `u${s.id}` })) });
  };
  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  teardown.defer(`stop the portal stand-in on port ${port}`, () => new Promise((resolve) => server.close(resolve)));
  return { PORTAL_INTERNAL_URL: `http://127.0.0.1:${port}`, INTERNAL_API_TOKEN: credential };
}
