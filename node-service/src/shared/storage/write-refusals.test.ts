import { describe, expect, test } from 'vitest';
import { createWriteRefusals, probedRefusal, refusalCause, type WriteRefusalEvent } from './write-refusals.js';

describe('the SQLSTATEs that say PostgreSQL refuses writes', () => {
  test.each([
    ['25006', 'read_only'],
    ['57P03', 'in_recovery'],
    ['53100', 'disk_full'],
    ['53200', 'out_of_memory'],
    ['53300', 'too_many_connections'],
    ['53400', 'configuration_limit_exceeded'],
    ['53000', 'insufficient_resources'],
  ])('%s is %s', (sqlstate, cause) => expect(refusalCause(sqlstate)).toBe(cause));

  test.each(['23505', '40001', '57014', '42P01', undefined])('%s is not a refusal (the request or a wait, not the server)', (sqlstate) =>
    expect(refusalCause(sqlstate)).toBeUndefined(),
  );

  test('the probe tells a hot standby from a read-only primary', () => {
    expect(probedRefusal({ inRecovery: true, readOnly: true })?.cause).toBe('hot_standby');
    expect(probedRefusal({ inRecovery: false, readOnly: true })?.cause).toBe('read_only');
    expect(probedRefusal({ inRecovery: false, readOnly: false })).toBeUndefined();
  });
});

describe('an episode of refused writes', () => {
  const diskFull = { cause: 'disk_full' as const, sqlstate: '53100', message: 'could not extend file: No space left on device' };
  const readOnly = { cause: 'read_only' as const, sqlstate: '25006', message: 'cannot execute INSERT in a read-only transaction' };

  function tracked() {
    let now = 0;
    const refusals = createWriteRefusals({ holdMs: 1000, now: () => now });
    const events: WriteRefusalEvent[] = [];
    refusals.onEvent((event) => events.push(event));
    return { refusals, events, step: (ms: number) => void (now += ms) };
  }

  test('begins once, counts every refusal, and ends when a write succeeds', () => {
    const { refusals, events } = tracked();
    refusals.refused(diskFull);
    refusals.refused(diskFull);
    expect(refusals.current()).toEqual(diskFull);
    refusals.accepted();
    expect(refusals.current()).toBeUndefined();
    expect(events.map((e) => [e.kind, e.kind === 'refused' && e.began])).toEqual([
      ['refused', true],
      ['refused', false],
      ['accepted', false],
    ]);
  });

  test('is held while refusals keep coming, and ends holdMs after the last one', () => {
    const { refusals, events, step } = tracked();
    refusals.refused(diskFull);
    step(800);
    refusals.refused(diskFull);
    step(800);
    expect(refusals.current()).toEqual(diskFull);
    step(201);
    expect(refusals.current()).toBeUndefined();
    expect(events.at(-1)?.kind).toBe('accepted');
  });

  test('a probe that finds the server writable ends a read-only episode, not a full disk it cannot see', () => {
    const { refusals } = tracked();
    refusals.refused(readOnly);
    refusals.probed(undefined);
    expect(refusals.current()).toBeUndefined();
    refusals.refused(diskFull);
    refusals.probed(undefined);
    expect(refusals.current()).toEqual(diskFull);
  });
});
