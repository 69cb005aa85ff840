import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Teardown } from './teardown.js';

/**
 * A stand-in for the PHP portal's two server-to-server endpoints (`/internal/courses.php` and
 * `/internal/roster.php`, the shapes php-legacy/public/internal/ serves), so that the service under test can
 * have a course with a realistic roster: the development demo directory has three students. The service
 * reads it as in production (PORTAL_INTERNAL_URL + INTERNAL_API_TOKEN), only when a session is created and
 * opened: never during a measurement.
 */
export interface BenchCourse {
  id: string;
  name: string;
  teacherId: string;
  students: Array<{ id: string; name: string }>;
}

export interface BenchDirectory {
  /** The environment that points the service at this directory. */
  env: { PORTAL_INTERNAL_URL: string; INTERNAL_API_TOKEN: string };
  close(): Promise<void>;
}

export async function startDirectory(courses: readonly BenchCourse[], teardown: Teardown): Promise<BenchDirectory> {
  const credential = randomBytes(24).toString('hex');
  const view = ({ id, name, teacherId }: BenchCourse) => ({ id, name, teacherId });
  const send = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify(body));
  };
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    if (request.headers.authorization !== `Bearer ${credential}`) return send(response, 401, { error: { code: 'UNAUTHORIZED' } });
    const url = new URL(request.url ?? '/', 'http://directory');
    if (url.pathname === '/internal/courses.php') {
      const teacher = url.searchParams.get('teacher');
      const student = url.searchParams.get('student');
      const found = courses.filter((c) => (teacher !== null && c.teacherId === teacher) || (student !== null && c.students.some((s) => s.id === student)));
      return send(response, 200, { courses: found.map(view) });
    }
    if (url.pathname === '/internal/roster.php') {
      const course = courses.find((c) => c.id === url.searchParams.get('course'));
      if (!course) return send(response, 404, { error: { code: 'COURSE_NOT_FOUND' } });
      // The portal's username is the student number in exports; the stand-in makes one from the id.
      return send(response, 200, { course: view(course), students: course.students.map((s) => ({ ...s, username: `u${s.id}` })) });
    }
    return send(response, 404, { error: { code: 'NOT_FOUND' } });
  };
  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  teardown.defer(`stop the portal directory stand-in on port ${port}`, close);
  return { env: { PORTAL_INTERNAL_URL: `http://127.0.0.1:${port}`, INTERNAL_API_TOKEN: credential }, close };
}
