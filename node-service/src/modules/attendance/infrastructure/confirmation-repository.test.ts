import { describe, expect, it } from 'vitest';
import { requestDeadline } from '../../../shared/request-deadline.js';
import type { QueryResult, SqlDatabase } from '../../../shared/storage/sql.js';
import type { ConfirmationRequest } from '../application/ports.js';
import { confirmationErrors } from '../domain/errors.js';
import { createConfirmationRepository } from './confirmation-repository.js';

/**
 * Group commit, with a fake PostgreSQL whose calls the test holds and releases: which confirmations go
 * alone, which together, and that each caller hears its own answer. What the SQL records is tested against
 * PostgreSQL in test/scan/batches.test.ts.
 */
interface Call {
  /** Student ids in the call, in order. */
  students: string[];
  batch: boolean;
  /** What the request deadline left the call (ms), or undefined. */
  remainingMs: number | undefined;
}

const SESSION = '00000000-0000-4000-8000-000000000001';

function request(studentId: string, overrides: Partial<ConfirmationRequest> = {}): ConfirmationRequest {
  return {
    sessionId: SESSION,
    round: 1,
    slot: 7,
    studentId,
    deviceId: Number(studentId.replace(/\D/g, '')) || 1,
    clientAddress: '10.0.0.1',
    alerts: [],
    deviceUse: { signCount: 1, phoneKeyId: 'k' },
    ...overrides,
  };
}

/** How the fake answers for one student: a row like record_confirmations', or a thrown error. */
type Behaviour = Partial<{ counted: boolean; inserted: boolean; state: string | null; fail: Error }>;

function harness(options: { inFlight?: number; maxBatch?: number; maxWaiting?: number; failBatches?: boolean } = {}) {
  const calls: Call[] = [];
  const held: (() => void)[] = [];
  let holding = false;
  const behaviour = new Map<string, Behaviour>();
  const row = (student: string) => {
    const b = behaviour.get(student) ?? {};
    if (b.fail) throw b.fail;
    return {
      state: b.state === undefined ? 'open' : b.state,
      roster_policy: 'refuse',
      course_name: 'Cálculo',
      room: 'A-101',
      current_round: 1,
      registration: 'roster',
      counted: b.counted ?? true,
      inserted: b.inserted ?? true,
    };
  };
  const db = {
    kind: 'postgres',
    async query(text: string, params?: readonly unknown[]): Promise<QueryResult<never>> {
      expect(text).toContain('attendance.record_confirmations(');
      const items = JSON.parse(params![0] as string) as { ord: number; student: string }[];
      const batch = items.length > 1;
      calls.push({ students: items.map((i) => i.student), batch, remainingMs: requestDeadline.remainingMs() });
      if (holding) await new Promise<void>((resolve) => held.push(resolve));
      if (batch && options.failBatches) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
      const rows = items.map((item) => ({ ord: item.ord, ...row(item.student) }));
      return { rows: rows as never[], rowCount: rows.length };
    },
  } as unknown as SqlDatabase;
  const repository = createConfirmationRepository(db, { inFlight: options.inFlight ?? 1, maxBatch: options.maxBatch ?? 64, maxWaiting: options.maxWaiting ?? 100 });
  return {
    repository,
    calls,
    behaviour,
    hold: () => void (holding = true),
    /** Lets every held call answer, and the ones that come after run freely. */
    release: () => {
      holding = false;
      for (const resolve of held.splice(0)) resolve();
    },
  };
}

const settled = <T>(promise: Promise<T>) => promise.then((value) => ({ value }), (error: unknown) => ({ error }));
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('confirmations waiting for PostgreSQL', () => {
  it('go at once and alone while a call is free (the ones arriving in the same instant, together)', async () => {
    const h = harness({ inFlight: 2 });
    h.hold();
    const a = h.repository.record(request('s1'));
    await tick();
    const b = h.repository.record(request('s2'));
    await tick();
    // Both calls run at once: neither waited for the other.
    expect(h.calls.map((c) => [c.batch, c.students])).toEqual([
      [false, ['s1']],
      [false, ['s2']],
    ]);
    h.release();
    expect((await a).outcome).toBe('confirmed');
    expect((await b).outcome).toBe('confirmed');
    await Promise.all([h.repository.record(request('s3')), h.repository.record(request('s4'))]);
    expect(h.calls.at(-1)).toMatchObject({ batch: true, students: ['s3', 's4'] });
  });

  it('go together in one call when the calls are busy, each caller hearing its own answer', async () => {
    const h = harness({ inFlight: 1 });
    h.hold();
    const first = h.repository.record(request('s0'));
    await tick();
    h.behaviour.set('s2', { inserted: false });
    h.behaviour.set('s3', { counted: false });
    h.behaviour.set('s4', { state: null });
    h.behaviour.set('s5', { state: 'closed' });
    const waiting = ['s1', 's2', 's3', 's4', 's5'].map((s) => settled(h.repository.record(request(s))));
    await tick();
    h.release();
    await first;
    const [s1, s2, s3, s4, s5] = await Promise.all(waiting);
    expect(h.calls.map((c) => [c.batch, c.students])).toEqual([
      [false, ['s0']],
      [true, ['s1', 's2', 's3', 's4', 's5']],
    ]);
    expect(s1).toMatchObject({ value: { outcome: 'confirmed', walkIn: false, round: 1, session: { id: SESSION, courseName: 'Cálculo' } } });
    expect(s2).toMatchObject({ value: { outcome: 'already_confirmed' } });
    expect(s3).toMatchObject({ value: { outcome: 'use_not_recorded' } });
    expect(s4).toMatchObject({ error: { code: 'SESSION_NOT_FOUND' } });
    expect(s5).toMatchObject({ error: { code: confirmationErrors.SCAN_SESSION_CLOSED().code } });
  });

  it('hold one confirmation per student in a call: the same student again goes in the next', async () => {
    const h = harness({ inFlight: 1 });
    h.hold();
    const first = h.repository.record(request('s0'));
    await tick();
    const waiting = [request('s1'), request('s2'), request('s1', { deviceId: 99 }), request('s3')].map((r) => h.repository.record(r));
    await tick();
    h.release();
    await Promise.all([first, ...waiting]);
    expect(h.calls.map((c) => [c.batch, c.students])).toEqual([
      [false, ['s0']],
      [true, ['s1', 's2', 's3']],
      [false, ['s1']],
    ]);
  });

  it('are never more than SCAN_CONFIRM_BATCH_MAX in one call', async () => {
    const h = harness({ inFlight: 1, maxBatch: 2 });
    h.hold();
    const first = h.repository.record(request('s0'));
    await tick();
    const waiting = ['s1', 's2', 's3', 's4', 's5'].map((s) => h.repository.record(request(s)));
    await tick();
    h.release();
    await Promise.all([first, ...waiting]);
    expect(h.calls.map((c) => c.students)).toEqual([['s0'], ['s1', 's2'], ['s3', 's4'], ['s5']]);
  });

  it('are recorded alone, each answering for itself, when their batch fails as a whole', async () => {
    const h = harness({ inFlight: 1, failBatches: true });
    h.hold();
    const first = h.repository.record(request('s0'));
    await tick();
    h.behaviour.set('s2', { fail: Object.assign(new Error('violates foreign key constraint'), { code: '23503' }) });
    const waiting = ['s1', 's2', 's3'].map((s) => settled(h.repository.record(request(s))));
    await tick();
    h.release();
    await first;
    const [s1, s2, s3] = await Promise.all(waiting);
    expect(h.calls.map((c) => [c.batch, c.students])).toEqual([
      [false, ['s0']],
      [true, ['s1', 's2', 's3']],
      [false, ['s1']],
      [false, ['s2']],
      [false, ['s3']],
    ]);
    expect(s1).toMatchObject({ value: { outcome: 'confirmed' } });
    expect(s2).toMatchObject({ error: { code: '23503' } });
    expect(s3).toMatchObject({ value: { outcome: 'confirmed' } });
  });

  it('are refused at once (503) past SCAN_BATCH_MAX_WAITING waiting, instead of queueing', async () => {
    const h = harness({ inFlight: 1, maxWaiting: 2 });
    h.hold();
    const first = h.repository.record(request('s0'));
    await tick();
    const answers = ['s1', 's2', 's3', 's4'].map((s) => settled(h.repository.record(request(s))));
    const [s3, s4] = await Promise.all(answers.slice(2));
    expect(s3).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE' } });
    expect(s4).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE' } });
    h.release();
    await first;
    expect(await Promise.all(answers.slice(0, 2))).toMatchObject([{ value: { outcome: 'confirmed' } }, { value: { outcome: 'confirmed' } }]);
    expect(h.calls.map((c) => c.students)).toEqual([['s0'], ['s1', 's2']]);
    // Once the batch left, there is room again.
    expect((await h.repository.record(request('s5'))).outcome).toBe('confirmed');
  });

  it('wait no longer than their request: one whose deadline passed is refused with 503, unsent; a batch runs under its earliest deadline', async () => {
    const h = harness({ inFlight: 1 });
    h.hold();
    const first = h.repository.record(request('s0'));
    await tick();
    const soon = settled(requestDeadline.within(performance.now() + 20, () => h.repository.record(request('s1'))));
    const later = requestDeadline.within(performance.now() + 4000, () => h.repository.record(request('s2')));
    const latest = requestDeadline.within(performance.now() + 9000, () => h.repository.record(request('s3')));
    await new Promise((resolve) => setTimeout(resolve, 60));
    h.release();
    await first;
    expect(await soon).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE' } });
    await Promise.all([later, latest]);
    expect(h.calls.map((c) => c.students)).toEqual([['s0'], ['s2', 's3']]);
    expect(h.calls[1]!.remainingMs).toBeGreaterThan(3000);
    expect(h.calls[1]!.remainingMs).toBeLessThanOrEqual(4000);
  });
});
