import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/errors.js';
import type { Identity } from '../../auth/index.js';
import { createCourseAccess } from '../../directory/index.js';
import type { Session } from '../domain/session.js';
import type { SessionRepository } from './ports.js';
import { createSessionService, type SessionDraft } from './sessions.js';

/**
 * A teacher's session rules with tiny fakes: sessions in a map, a directory of one course (with a co-teacher
 * and an assistant), events and invalidated codes recorded. The same service runs against PostgreSQL in test/sessions/.
 */
const ana: Identity = { id: '1', role: 'teacher', name: 'Ana' } as Identity;
const rosa: Identity = { id: '7', role: 'teacher', name: 'Rosa' } as Identity;
const diego: Identity = { id: '8', role: 'teacher', name: 'Diego' } as Identity;
const other: Identity = { id: '9', role: 'teacher', name: 'Otro' } as Identity;
const mat101 = {
  id: 'MAT101',
  name: 'Cálculo I',
  teacherId: ana.id,
  staff: [
    { id: rosa.id, name: 'Rosa', role: 'co_teacher' as const },
    { id: diego.id, name: 'Diego', role: 'assistant' as const },
  ],
};
const admin: Identity = { id: '5', role: 'admin', name: 'Carmen' } as Identity;

const draft: SessionDraft = {
  courseId: 'MAT101',
  room: 'Aula 204',
  plannedStart: new Date('2026-03-02T12:30:00Z'),
  plannedEnd: new Date('2026-03-02T14:00:00Z'),
  roundsPlanned: 2,
};

function harness() {
  const stored = new Map<string, Session>();
  const registered = new Map<string, string[]>();
  const listed: unknown[] = [];
  const events: string[] = [];
  const invalidated: Array<[string, number, { periodMs: number; graceMs: number }]> = [];
  const gradesChanged: string[] = [];
  const tx = {} as never;
  const change = (id: string, patch: Partial<Session>) => void stored.set(id, { ...stored.get(id)!, ...patch });
  const repository = {
    async insert(session) {
      const made: Session = { ...session, id: `s${stored.size + 1}`, state: 'scheduled', openedAt: null, closedAt: null, roundsStarted: 0, currentRound: null, seriesId: null };
      stored.set(made.id, made);
      return made;
    },
    find: async (id) => stored.get(id) ?? null,
    async list(query) {
      listed.push(query);
      return [...stored.values()].slice(0, query.limit);
    },
    withLockedSession: async (id, work) => work(stored.get(id)!, tx),
    markOpen: async (_tx, id, roster) => (registered.set(id, roster.map((s) => s.id)), change(id, { state: 'open', openedAt: new Date() })),
    insertRound: async (_tx, id, number) => change(id, { roundsStarted: number, currentRound: number }),
    endRound: async (_tx, id) => change(id, { currentRound: null }),
    markClosed: async (_tx, id) => change(id, { state: 'closed', currentRound: null }),
    refreshResults: async () => undefined,
    update: async (_tx, before, changes) => change(before.id, changes),
    remove: async (_tx, before) => void stored.delete(before.id),
    liveCount: async () => ({ round: null, confirmed: 0, expected: 0 }),
    rounds: async () => [],
    roster: async () => [],
  } as Partial<SessionRepository> as SessionRepository;
  const service = createSessionService({
    sessions: repository,
    directory: {
      roster: async () => ({ course: mat101, students: [{ id: '2', name: 'Luis', username: 'luis' }, { id: '3', name: 'María', username: 'maria' }] }),
    },
    access: createCourseAccess({ coursesStaffedBy: async (personId) => ([mat101.teacherId, ...mat101.staff.map((s) => s.id)].includes(personId) ? [mat101] : []) }),
    events: { publish: async (event) => void events.push(event.type), subscribe: async () => async () => undefined },
    liveCodes: { invalidate: async (sessionId, round, rotation) => void invalidated.push([sessionId, round, rotation]) },
    settings: {
      period: { minMs: 1000, maxMs: 30_000 },
      defaultPeriodMs: 3000,
      defaultLateAfterMinutes: 15,
      listLimit: 100,
      listPageSize: 20,
      seriesMaxOccurrences: 40,
      timeZone: 'America/Santiago',
      importMaxRows: 10,
      importMaxBytes: 1000,
    },
    holidays: { between: async () => new Map() },
    walkIns: { name: async () => undefined },
    grades: { changed: (courseId) => void gradesChanged.push(courseId) },
  });
  return { service, stored, registered, listed, events, invalidated, gradesChanged };
}

const refusedWith = (work: Promise<unknown>, code: string) => expect(work).rejects.toSatisfy((error) => isAppError(error) && error.code === code);

describe('creating a session', () => {
  it('only for a course the teacher teaches, with the institution’s defaults filled in', async () => {
    const { service, stored } = harness();
    await refusedWith(service.create(other, draft), 'SESSION_COURSE_NOT_YOURS');
    const session = await service.create(ana, draft);
    expect(session).toMatchObject({ courseName: 'Cálculo I', teacherId: '1', rotationPeriodMs: 3000, graceMs: 3000, lateAfterMinutes: 15, rosterPolicy: 'refuse' });
    expect(stored.size).toBe(1);
  });

  it('refuses an end before the start and a rotation outside the bounds', async () => {
    const { service, stored } = harness();
    await refusedWith(service.create(ana, { ...draft, plannedEnd: draft.plannedStart }), 'SESSION_INVALID_TIMES');
    await refusedWith(service.create(ana, { ...draft, rotationPeriodMs: 500 }), 'SESSION_INVALID_PERIOD');
    expect(stored.size).toBe(0);
  });
});

describe('running a session', () => {
  it('is for its course’s teacher, co-teacher and assistant, and admins, only', async () => {
    const { service } = harness();
    const { id } = await service.create(ana, draft);
    await refusedWith(service.open(other, id), 'SESSION_NOT_YOURS');
    await expect(service.open(diego, id)).resolves.toMatchObject({ state: 'open' });
    await expect(service.startRound(rosa, id)).resolves.toMatchObject({ currentRound: 1 });
    await expect(service.endRound(diego, id)).resolves.toMatchObject({ currentRound: null });
    await expect(service.close(admin, id)).resolves.toMatchObject({ state: 'closed' });
  });

  it('lets an assistant see the class but not plan, change or delete one', async () => {
    const { service, stored } = harness();
    await refusedWith(service.create(diego, draft), 'COURSE_RIGHT_MISSING');
    const { id } = await service.create(rosa, draft);
    expect(stored.get(id)?.teacherId).toBe(rosa.id);
    await refusedWith(service.edit(diego, id, { room: 'Aula 1' }), 'COURSE_RIGHT_MISSING');
    await refusedWith(service.remove(diego, id), 'COURSE_RIGHT_MISSING');
    await expect(service.overview(diego, id)).resolves.toMatchObject({ access: { role: 'assistant', rights: expect.not.arrayContaining(['change_settings']) } });
    await expect(service.overview(rosa, id)).resolves.toMatchObject({ access: { role: 'co_teacher', rights: expect.arrayContaining(['change_settings', 'export_data']) } });
    expect(stored.get(id)?.room).toBe('Aula 204');
  });

  it('registers the roster the portal has when it opens, and opens once', async () => {
    const { service, registered } = harness();
    const { id } = await service.create(ana, draft);
    await service.open(ana, id);
    expect(registered.get(id)).toEqual(['2', '3']);
    await refusedWith(service.open(ana, id), 'SESSION_ALREADY_OPEN');
  });

  it('ends a round’s codes at once, with the session’s rotation, and announces every change', async () => {
    const { service, events, invalidated } = harness();
    const { id } = await service.create(ana, { ...draft, rotationPeriodMs: 5000, graceMs: 2000 });
    await service.open(ana, id);
    await service.startRound(ana, id);
    await refusedWith(service.startRound(ana, id), 'ROUND_ALREADY_OPEN');
    await service.endRound(ana, id);
    expect(invalidated).toEqual([[id, 1, { periodMs: 5000, graceMs: 2000 }]]);
    await service.startRound(ana, id);
    await refusedWith(service.startRound(ana, id), 'ROUND_ALREADY_OPEN');
    await service.close(ana, id);
    // Closing with a round running ends that round's codes too.
    expect(invalidated.map(([, round]) => round)).toEqual([1, 2]);
    await refusedWith(service.startRound(ana, id), 'SESSION_CLOSED');
    expect(events.filter((type) => type === 'session.updated')).toHaveLength(5);
  });

  it('tells the course’s grades changed when the class closes, and not before', async () => {
    const { service, gradesChanged } = harness();
    const { id } = await service.create(ana, draft);
    await service.open(ana, id);
    await service.startRound(ana, id);
    await service.endRound(ana, id);
    expect(gradesChanged).toEqual([]);
    await service.close(ana, id);
    expect(gradesChanged).toEqual([draft.courseId]);
  });
});

describe('editing and deleting', () => {
  it('changes a session only before it opens, and refuses an empty edit or times that cross', async () => {
    const { service, stored } = harness();
    const { id } = await service.create(ana, draft);
    await refusedWith(service.edit(ana, id, {}), 'SESSION_EDIT_EMPTY');
    await refusedWith(service.edit(ana, id, { plannedEnd: new Date('2026-03-02T12:00:00Z') }), 'SESSION_INVALID_TIMES');
    await expect(service.edit(ana, id, { room: 'Aula 305' })).resolves.toMatchObject({ room: 'Aula 305' });
    await service.open(ana, id);
    await refusedWith(service.edit(ana, id, { room: 'Aula 1' }), 'SESSION_NOT_EDITABLE');
    await refusedWith(service.remove(ana, id), 'SESSION_NOT_DELETABLE');
    expect(stored.get(id)?.room).toBe('Aula 305');
  });

  it('deletes a session that never opened', async () => {
    const { service, stored } = harness();
    const { id } = await service.create(ana, draft);
    await refusedWith(service.remove(other, id), 'SESSION_NOT_YOURS');
    await service.remove(ana, id);
    expect(stored.has(id)).toBe(false);
  });
});

describe('listing', () => {
  it('reads the dates as whole days in the institution’s zone, asks one more to know whether more follow', async () => {
    const { service, listed } = harness();
    for (let i = 0; i < 3; i += 1) await service.create(ana, draft);
    const page = await service.list(ana, { from: '2026-03-02', to: '2026-03-02', order: 'asc', limit: 2 });
    expect(page.sessions).toHaveLength(2);
    expect(page.more).toBe(true);
    // Santiago is UTC-3 in March: the day runs from 03:00Z to 03:00Z.
    expect(listed[0]).toMatchObject({ courseIds: ['MAT101'], from: new Date('2026-03-02T03:00:00Z'), until: new Date('2026-03-03T03:00:00Z'), limit: 3 });
    await service.list(admin, { order: 'desc', limit: 20 });
    expect(listed[1]).toMatchObject({ courseIds: null });
    await service.list(other, { order: 'desc', limit: 20 });
    expect(listed[2]).toMatchObject({ courseIds: [] });
    await refusedWith(service.list(ana, { from: '2026-03-03', to: '2026-03-02', order: 'asc', limit: 2 }), 'SESSION_LIST_INVALID_RANGE');
  });
});
