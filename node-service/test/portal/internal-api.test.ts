import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHP_LEGACY_DIR, portalLogin, request, startApache, type RunningApache } from '../support/apache.js';

interface Seed {
  users: { id: string; username: string; name: string; role: string }[];
  courses: { id: string; name: string; teacherId: string; studentIds: string[]; staff?: { id: string; role: string }[] }[];
}
const seed = JSON.parse(readFileSync(join(PHP_LEGACY_DIR, 'seed.json'), 'utf8')) as Seed;

let apache: RunningApache;
const bearer = () => ({ authorization: `Bearer ${apache.phpEnv.INTERNAL_API_TOKEN}` });
const internal = (path: string, headers: Record<string, string> = bearer()) =>
  request(`${apache.internalUrl}${path}`, { headers });
const json = (body: string) => JSON.parse(body) as Record<string, unknown>;

beforeAll(async () => {
  apache = await startApache();
});

afterAll(async () => {
  await apache?.stop();
});

describe('the portal store', () => {
  it('is created and seeded once when the first requests arrive together', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => internal('/internal/courses.php?student=2')));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(json(answer.body).courses).toHaveLength(2);
    }
  });
});

/** Cálculo I as the portal's seed has it: Ana teaches, Rosa co-teaches, Diego assists. */
const MAT101 = {
  id: 'MAT101',
  name: 'Cálculo I',
  teacherId: '1',
  staff: [
    { id: '7', name: 'Rosa Fuentes', role: 'co_teacher' },
    { id: '8', name: 'Diego Rojas', role: 'assistant' },
  ],
};

describe('GET /internal/roster.php', () => {
  it('gives the course and its students to the bearer of the internal credential', async () => {
    const answer = await internal('/internal/roster.php?course=MAT101');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.headers['cache-control']).toContain('no-store');
    expect(json(answer.body)).toEqual({
      course: MAT101,
      students: [
        { id: '4', name: 'José Núñez', username: 'jose.estudiante' },
        { id: '2', name: 'Luis Pérez', username: 'luis.estudiante' },
        { id: '3', name: 'María Gómez', username: 'maria.estudiante' },
      ],
    });
  });

  it('matches seed.json for every course', async () => {
    const names = new Map(seed.users.map((user) => [user.id, user.name]));
    for (const course of seed.courses) {
      const answer = json((await internal(`/internal/roster.php?course=${course.id}`)).body) as {
        course: unknown;
        students: { id: string; name: string }[];
      };
      const staff = (course.staff ?? []).map((member) => ({ ...member, name: names.get(member.id) }));
      expect(answer.course).toEqual({ id: course.id, name: course.name, teacherId: course.teacherId, staff });
      expect(answer.students.map((s) => s.id).sort()).toEqual([...course.studentIds].sort());
      for (const student of answer.students) expect(student.name).toBe(names.get(student.id));
    }
  });

  it('answers 404 for an unknown course and 400 for a malformed or missing one', async () => {
    const unknown = await internal('/internal/roster.php?course=XYZ999');
    expect(unknown.status).toBe(404);
    expect((json(unknown.body).error as { code: string }).code).toBe('COURSE_NOT_FOUND');
    for (const query of ['?course=../etc', '?course=', '', '?course[]=MAT101']) {
      const bad = await internal(`/internal/roster.php${query}`);
      expect(bad.status, query).toBe(400);
      expect((json(bad.body).error as { code: string }).code).toBe('INVALID_QUERY');
    }
  });

  it('names one student (a walk-in) by id: name and username; 404 for a teacher or nobody, 400 for a bad id', async () => {
    const jose = await internal('/internal/student.php?id=4');
    expect(jose.status).toBe(200);
    expect(json(jose.body)).toEqual({ student: { id: '4', name: 'José Núñez', username: 'jose.estudiante' } });
    for (const id of ['1', '999']) expect((await internal(`/internal/student.php?id=${id}`)).status, id).toBe(404);
    for (const query of ['?id=../x', '?id=', '']) expect((await internal(`/internal/student.php${query}`)).status, query).toBe(400);
    expect((await internal('/internal/student.php?id=4', {})).status).toBe(401);
  });

  it('finds students by name, username or id, ignoring accents and case; only students; bounded by limit', async () => {
    const search = async (query: string) => {
      const answer = await internal(`/internal/students.php?${query}`);
      expect(answer.status, query).toBe(200);
      return (json(answer.body).students as { id: string; name: string; username: string }[]).map((s) => s.name);
    };
    expect(await search(`q=${encodeURIComponent('Luis Perez')}`)).toEqual(['Luis Pérez']);
    expect(await search(`q=${encodeURIComponent('PÉREZ luis')}`)).toEqual(['Luis Pérez']);
    expect(await search('q=nunez')).toEqual(['José Núñez']);
    expect(await search('q=maria.estudiante')).toEqual(['María Gómez']);
    expect(await search('q=3')).toEqual(['María Gómez']);
    expect(await search('q=estudiante')).toEqual(['José Núñez', 'Luis Pérez', 'María Gómez']);
    expect(await search('q=estudiante&limit=2')).toEqual(['José Núñez', 'Luis Pérez']);
    expect(await search(`q=${encodeURIComponent('Ana Martínez')}`)).toEqual([]); // a teacher is no student
    expect(await search('q=100%25')).toEqual([]); // LIKE's wildcards are plain text
    expect(await search('q=_')).toEqual([]);
    expect(await search(`q=${encodeURIComponent('ñ'.repeat(100))}`)).toEqual([]); // 100 characters, 200 bytes: what node-service may send
    for (const query of ['', 'q=', 'q=%20', `q=${'x'.repeat(401)}`, 'q=a%01b', 'q=a&limit=0', 'q=a&limit=101', 'q=a&limit=x', 'q[]=a', 'q=a%20b%20c%20d%20e%20f%20g%20h%20i']) {
      expect((await internal(`/internal/students.php?${query}`)).status, query).toBe(400);
    }
    expect((await internal('/internal/students.php?q=luis', {})).status).toBe(401);
  });

  it('names people of any role by id with their e-mail addresses, leaving unknown ids out; 400 for a malformed list', async () => {
    const answer = await internal('/internal/people.php?ids=5,2,999,2');
    expect(answer.status).toBe(200);
    expect(json(answer.body)).toEqual({
      people: [
        { id: '2', name: 'Luis Pérez', username: 'luis.estudiante', role: 'student', email: 'luis.estudiante@example.edu' },
        { id: '5', name: 'Carmen Ruiz', username: 'carmen.admin', role: 'admin', email: 'carmen.admin@example.edu' },
      ],
    });
    const tooMany = Array.from({ length: 101 }, (_, i) => String(i)).join(',');
    for (const query of ['', '?ids=', '?ids=2,', '?ids=../x', `?ids=${tooMany}`]) expect((await internal(`/internal/people.php${query}`)).status, query).toBe(400);
    expect((await internal('/internal/people.php?ids=2', {})).status).toBe(401);
  });

  it('refuses requests without the credential, with a wrong one, or with only a browser session', async () => {
    const missing = await internal('/internal/roster.php?course=MAT101', {});
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(json(missing.body)).toEqual({
      error: { code: 'INTERNAL_CREDENTIAL_REQUIRED', message: 'A valid internal bearer credential is required.' },
    });
    const wrong = await internal('/internal/roster.php?course=MAT101', { authorization: `Bearer ${'x'.repeat(64)}` });
    expect(wrong.status).toBe(401);
    const basic = await internal('/internal/roster.php?course=MAT101', {
      authorization: `Basic ${Buffer.from(`a:${apache.phpEnv.INTERNAL_API_TOKEN}`).toString('base64')}`,
    });
    expect(basic.status).toBe(401);
    const cookie = await portalLogin(apache.httpUrl, 'carmen.admin', 'demo1234');
    const browser = await internal('/internal/roster.php?course=MAT101', { cookie });
    expect(browser.status).toBe(401);
  });

  it('only answers GET', async () => {
    const answer = await request(`${apache.internalUrl}/internal/roster.php?course=MAT101`, { method: 'POST', headers: bearer() });
    expect(answer.status).toBe(405);
  });
});

describe('GET /internal/courses.php', () => {
  const courses = async (query: string) => {
    const answer = await internal(`/internal/courses.php${query}`);
    return { status: answer.status, body: json(answer.body) };
  };

  it('lists the courses a teacher teaches', async () => {
    expect(await courses('?teacher=1')).toEqual({
      status: 200,
      body: { courses: [{ id: 'MAT101', name: 'Cálculo I', teacherId: '1' }] },
    });
    expect((await courses('?teacher=6')).body).toEqual({ courses: [{ id: 'FIS201', name: 'Física II', teacherId: '6' }] });
  });

  it('lists the courses a student is in', async () => {
    expect((await courses('?student=2')).body).toEqual({
      courses: [
        { id: 'FIS201', name: 'Física II', teacherId: '6' },
        { id: 'MAT101', name: 'Cálculo I', teacherId: '1' },
      ],
    });
    expect((await courses('?student=4')).body).toEqual({ courses: [{ id: 'MAT101', name: 'Cálculo I', teacherId: '1' }] });
  });

  it('lists the courses a person teaches or staffs, each with its staff and their roles', async () => {
    for (const id of ['1', '7', '8']) expect((await courses(`?staff=${id}`)).body, id).toEqual({ courses: [MAT101] });
    expect((await courses('?staff=6')).body).toEqual({ courses: [{ id: 'FIS201', name: 'Física II', teacherId: '6', staff: [] }] });
    expect((await courses('?staff=2')).body).toEqual({ courses: [] });
  });

  it('gives an empty list for someone without courses', async () => {
    expect(await courses('?teacher=999')).toEqual({ status: 200, body: { courses: [] } });
    expect((await courses('?student=1')).body).toEqual({ courses: [] });
  });

  it('wants exactly one of teacher, student or staff, well formed', async () => {
    for (const query of ['', '?teacher=1&student=2', '?staff=1&teacher=1', '?teacher=1%27%20OR%201=1', '?student[]=2', '?staff=']) {
      expect((await courses(query)).status, query).toBe(400);
    }
  });

  it('refuses requests without the credential', async () => {
    expect((await internal('/internal/courses.php?teacher=1', {})).status).toBe(401);
  });
});

describe('the public ports', () => {
  it('do not serve /internal/ at all, credential or not', async () => {
    for (const base of [apache.httpUrl, apache.httpsUrl]) {
      const answer = await request(`${base}/internal/roster.php?course=MAT101`, { headers: bearer() });
      expect(answer.status, base).toBe(403);
      expect(answer.body).not.toContain('MAT101');
    }
  });

  it('the internal listener serves nothing but /internal/', async () => {
    for (const path of ['/login.php', '/token.php', '/', '/asistencia/']) {
      expect((await request(`${apache.internalUrl}${path}`)).status, path).toBe(403);
    }
  });
});
