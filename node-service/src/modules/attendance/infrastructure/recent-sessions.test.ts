import { describe, expect, it } from 'vitest';
import type { Session } from '../domain/session.js';
import { createRecentSessions } from './recent-sessions.js';

/** The scan's recent-session reads with a fake repository and a clock the test moves. */
function harness(maxAgeMs = 1000, maxEntries = 10) {
  let clock = 1_000;
  const reads: string[] = [];
  const rows = new Map<string, Session>([['s1', { id: 's1', currentRound: 1 } as Session]]);
  const find = async (id: string) => {
    reads.push(id);
    await new Promise((resolve) => setImmediate(resolve));
    return rows.get(id) ?? null;
  };
  const recent = createRecentSessions(find, { maxAgeMs, maxEntries, now: () => clock });
  return { recent, reads, rows, advance: (ms: number) => void (clock += ms) };
}

describe('recent session reads', () => {
  it('serve a classroom asking at once with one read, until SCAN_SESSION_CACHE_MS has passed', async () => {
    const h = harness();
    const answers = await Promise.all(Array.from({ length: 50 }, () => h.recent('s1')));
    expect(answers.every((session) => session?.currentRound === 1)).toBe(true);
    expect(h.reads).toEqual(['s1']);
    h.rows.set('s1', { id: 's1', currentRound: 2 } as Session);
    h.advance(1000);
    expect((await h.recent('s1'))?.currentRound).toBe(1);
    h.advance(1);
    expect((await h.recent('s1'))?.currentRound).toBe(2);
    expect(h.reads).toEqual(['s1', 's1']);
  });

  it('do not remember a session that does not exist, and read every time when the setting is 0', async () => {
    const h = harness();
    expect(await h.recent('nope')).toBeNull();
    expect(await h.recent('nope')).toBeNull();
    expect(h.reads).toEqual(['nope', 'nope']);
    const off = harness(0);
    await off.recent('s1');
    await off.recent('s1');
    expect(off.reads).toEqual(['s1', 's1']);
  });

  it('keep at most SCAN_SESSION_CACHE_MAX sessions, the least recently used going first', async () => {
    const h = harness(60_000, 2);
    for (const id of ['a', 'b', 'c']) h.rows.set(id, { id, currentRound: 1 } as Session);
    await h.recent('a');
    await h.recent('b');
    await h.recent('a');
    await h.recent('c');
    await h.recent('a');
    await h.recent('b');
    expect(h.reads).toEqual(['a', 'b', 'c', 'b']);
  });
});
