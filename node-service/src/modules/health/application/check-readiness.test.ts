import { describe, expect, test } from 'vitest';
import { checkReadiness, type ReadinessCheck } from './check-readiness.js';

// Tiny fakes: each part either answers, answers "no", fails, or never answers.
const answers = (part: ReadinessCheck['part']): ReadinessCheck => ({ part, check: async () => true });
const saysNo = (part: ReadinessCheck['part']): ReadinessCheck => ({ part, check: async () => false });
const fails = (part: ReadinessCheck['part']): ReadinessCheck => ({
  part,
  check: async () => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
  },
});
const hangs = (part: ReadinessCheck['part']): ReadinessCheck => ({ part, check: () => new Promise<boolean>(() => undefined) });

describe('readiness', () => {
  test('is ready when every part answers', async () => {
    expect(await checkReadiness([answers('postgres'), answers('valkey'), answers('migrations')])).toEqual({
      ready: true,
      parts: { postgres: 'ok', valkey: 'ok', migrations: 'ok' },
    });
  });

  test('names the part that fails and still reports the others', async () => {
    expect(await checkReadiness([answers('postgres'), fails('valkey'), answers('migrations')])).toEqual({
      ready: false,
      parts: { postgres: 'ok', valkey: 'failing', migrations: 'ok' },
    });
  });

  test('a part that answers "no" (e.g. migrations not applied) is failing', async () => {
    const readiness = await checkReadiness([answers('postgres'), answers('valkey'), saysNo('migrations')]);
    expect(readiness.ready).toBe(false);
    expect(readiness.parts['migrations']).toBe('failing');
  });

  test('a part that never answers is failing once the timeout passes, not hanging the probe', async () => {
    const readiness = await checkReadiness([hangs('postgres'), answers('valkey')], 50);
    expect(readiness).toEqual({ ready: false, parts: { postgres: 'failing', valkey: 'ok' } });
  });

  test('names every failing part at once', async () => {
    const readiness = await checkReadiness([fails('postgres'), hangs('valkey'), saysNo('migrations')], 50);
    expect(readiness.parts).toEqual({ postgres: 'failing', valkey: 'failing', migrations: 'failing' });
  });
});

describe('a degraded part', () => {
  test('is reported by name but keeps the instance ready (it still serves correctly)', async () => {
    const clockOff: ReadinessCheck = { part: 'clock', check: async () => 'degraded' };
    expect(await checkReadiness([answers('postgres'), clockOff])).toEqual({ ready: true, parts: { postgres: 'ok', clock: 'degraded' } });
  });
});

describe('a part that says why', () => {
  test('is failing or degraded as it says, and the reason is kept for that part alone', async () => {
    const readOnly: ReadinessCheck = { part: 'postgres', check: async () => ({ state: 'failing', reason: 'refusing writes: read_only' }) };
    expect(await checkReadiness([readOnly, answers('valkey')])).toEqual({
      ready: false,
      parts: { postgres: 'failing', valkey: 'ok' },
      reasons: { postgres: 'refusing writes: read_only' },
    });
  });
});
