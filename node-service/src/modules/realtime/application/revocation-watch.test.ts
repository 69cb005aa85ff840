import { afterEach, describe, expect, it, vi } from 'vitest';
import { watchRevocations } from './revocation-watch.js';

// Checked once without the retry: the first test fails.

afterEach(() => vi.useRealTimers());

function fakeFeed(failures: number) {
  let listener: ((jti: string) => void) | undefined;
  let attempts = 0;
  let stopped = 0;
  return {
    authenticator: {
      watchRevocations: async (onRevoked: (jti: string) => void) => {
        attempts += 1;
        if (attempts <= failures) throw new Error('valkey down');
        listener = onRevoked;
        return async () => void (stopped += 1);
      },
    },
    announce: (jti: string) => listener?.(jti),
    attempts: () => attempts,
    stopped: () => stopped,
  };
}

describe('watching revocations', () => {
  it('retries a refused subscription with back-off until it holds, then hears revocations', async () => {
    vi.useFakeTimers();
    const feed = fakeFeed(3);
    const heard: string[] = [];
    const reports: string[] = [];
    const stop = watchRevocations(feed.authenticator, (jti) => heard.push(jti), (_e, context) => reports.push(context));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(feed.attempts()).toBe(4);
    expect(reports).toHaveLength(3);
    feed.announce('jti-1');
    expect(heard).toEqual(['jti-1']);
    await stop();
    expect(feed.stopped()).toBe(1);
  });

  it('stops retrying once stopped', async () => {
    vi.useFakeTimers();
    const feed = fakeFeed(100);
    const stop = watchRevocations(feed.authenticator, () => undefined, () => undefined);
    await vi.advanceTimersByTimeAsync(0);
    await stop();
    const attempts = feed.attempts();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(feed.attempts()).toBe(attempts);
  });
});
