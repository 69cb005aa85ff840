import { describe, expect, it } from 'vitest';
import { createValkeyLatency } from './valkey-latency.js';

/** The probe's judgement with a clock the test moves and a PING the test answers. */
function harness() {
  let clock = 1000;
  let answer: (() => void) | undefined;
  const observed: number[] = [];
  const latency = createValkeyLatency({
    ping: () => new Promise<void>((resolve) => (answer = resolve)),
    intervalMs: 1000,
    observe: (seconds) => observed.push(seconds),
    now: () => clock,
  });
  /** One probe answered after `ms`. */
  const probe = async (ms: number) => {
    const measured = latency.measure();
    clock += ms;
    answer!();
    return measured;
  };
  return { latency, probe, observed, advance: (ms: number) => void (clock += ms) };
}

describe('Valkey latency', () => {
  it('is unknown before any probe, then each round trip is observed', async () => {
    const { latency, probe, observed } = harness();
    expect(latency.currentMs()).toBeNull();
    expect(await probe(12)).toBe(12);
    expect(observed).toEqual([0.012]);
    expect(latency.currentMs()).toBe(12);
  });

  it('is the median of the last five probes: one slow answer does not make it slow, a slow Valkey does', async () => {
    const { latency, probe } = harness();
    for (const ms of [2, 3, 400, 2, 3]) await probe(ms);
    expect(latency.currentMs()).toBe(3);
    for (const ms of [300, 350, 320]) await probe(ms);
    expect(latency.currentMs()).toBe(300);
  });

  it('counts a probe still unanswered by its age, so that a Valkey that stopped answering is slow at once', async () => {
    const { latency, probe, advance } = harness();
    await probe(2);
    void latency.measure();
    advance(900);
    expect(latency.currentMs()).toBe(900);
  });
});
