import { describe, expect, it } from 'vitest';
import { createReplicaReads } from './replica-reads.js';
import type { QueryResult } from './sql.js';

/**
 * The routing with a clock the test moves, a primary whose WAL position the test sets, and a standby whose
 * replayed position the test sets (or that fails). The real standby is in test/storage/replica-reads.test.ts.
 */
function harness(maxLagMs = 5000) {
  let clock = 100_000;
  const primary = { position: '0/100', reads: 0 };
  const standby = { replayed: '0/100' as string | null, inRecovery: true, down: false, reads: 0 };
  const reported: string[] = [];
  const answer = <R>(rows: unknown[]): QueryResult<R> => ({ rows: rows as R[], rowCount: rows.length });
  const reads = createReplicaReads({
    primary: {
      async query<R>(text: string) {
        if (text.includes('pg_current_wal_lsn')) return answer<R>([{ lsn: primary.position }]);
        primary.reads += 1;
        return answer<R>([{ from: 'primary' }]);
      },
    },
    replica: {
      async query<R>(text: string) {
        if (standby.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5433');
        if (text.includes('pg_last_wal_replay_lsn')) return answer<R>([{ in_recovery: standby.inRecovery, replayed: standby.replayed }]);
        standby.reads += 1;
        return answer<R>([{ from: 'standby' }]);
      },
    },
    maxLagMs,
    probeMs: 1000,
    now: () => clock,
    report: (_error, context) => reported.push(context),
  });
  const from = async () => (await reads.query<{ from: string }>('SELECT 1')).rows[0]!.from;
  return { reads, primary, standby, reported, from, advance: (ms: number) => void (clock += ms) };
}

describe('reads that may be seconds stale', () => {
  it('go to the primary until a probe has found the standby caught up', async () => {
    const { reads, from } = harness();
    expect(await from()).toBe('primary');
    expect(reads.state()).toMatchObject({ serving: false, reason: expect.stringContaining('not probed yet') });
    await reads.probe();
    expect(await from()).toBe('standby');
    expect(reads.state()).toEqual({ serving: true, lagMs: 0 });
  });

  it('stay on the standby while an idle primary writes nothing, however long', async () => {
    const { reads, from, advance } = harness();
    await reads.probe();
    advance(60_000);
    await reads.probe();
    expect(await from()).toBe('standby');
  });

  it('count the standby as fresh as the latest primary position it has replayed, and leave it past the bound', async () => {
    const { reads, primary, standby, from, advance } = harness(5000);
    await reads.probe(); // caught up at 0/100, time 100 000
    primary.position = '0/200';
    advance(1000);
    await reads.probe(); // primary at 0/200; standby still at 0/100: fresh as of 100 000
    expect(reads.state()).toEqual({ serving: true, lagMs: 1000 });
    standby.replayed = '0/180';
    advance(3000);
    await reads.probe(); // still short of 0/200
    expect(await from()).toBe('standby');
    advance(1001);
    expect(reads.state()).toMatchObject({ serving: false, lagMs: 5001, reason: expect.stringContaining('DATABASE_REPLICA_MAX_LAG_SECONDS (5 s)') });
    expect(await from()).toBe('primary');
    standby.replayed = '1/0'; // past every position kept
    await reads.probe();
    expect(await from()).toBe('standby');
  });

  it('compare positions as 64-bit numbers, not as text', async () => {
    const { reads, primary, standby, from } = harness();
    primary.position = 'A/0';
    standby.replayed = '9/FFFFFFFF';
    await reads.probe();
    expect(await from()).toBe('primary');
    standby.replayed = 'A/0';
    await reads.probe();
    expect(await from()).toBe('standby');
  });

  it('answer from the primary when the standby fails a read, and set it aside until a probe finds it again', async () => {
    const { reads, standby, from, reported } = harness();
    await reads.probe();
    standby.down = true;
    expect(await from()).toBe('primary');
    expect(reported).toHaveLength(1);
    standby.down = false;
    expect(await from()).toBe('primary'); // set aside: no second try before a probe
    await reads.probe();
    expect(await from()).toBe('standby');
  });

  it('say why the standby is set aside when a probe cannot reach it', async () => {
    const { reads, standby } = harness();
    standby.down = true;
    await expect(reads.probe()).rejects.toThrow(/ECONNREFUSED/);
    expect(reads.state()).toMatchObject({ serving: false, reason: expect.stringContaining('unreachable: connect ECONNREFUSED') });
  });

  it('leave a server that is not in recovery (promoted, or a primary named by mistake)', async () => {
    const { reads, standby, from } = harness();
    standby.inRecovery = false;
    standby.replayed = null;
    await reads.probe();
    expect(await from()).toBe('primary');
    expect(reads.state()).toMatchObject({ serving: false, reason: expect.stringContaining('not a standby') });
  });
});
