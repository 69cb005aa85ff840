import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGradeChanges } from './grade-changes.js';

describe('grades posted after a change', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const harness = (sync: (courseId: string) => Promise<unknown> = async () => undefined) => {
    const synced: string[] = [];
    const reported: string[] = [];
    const changes = createGradeChanges({
      sync: async (courseId) => {
        synced.push(courseId);
        return sync(courseId);
      },
      delayMs: 2000,
      report: (_error, context) => void reported.push(context),
    });
    return { changes, synced, reported };
  };

  it('waits the delay, and sends changes close together in one pass per course', async () => {
    const { changes, synced } = harness();
    changes.changed('MAT101');
    changes.changed('MAT101');
    changes.changed('FIS110');
    await vi.advanceTimersByTimeAsync(1999);
    expect(synced).toEqual([]);
    changes.changed('MAT101');
    await vi.advanceTimersByTimeAsync(1);
    expect(synced).toEqual(['MAT101', 'FIS110']);
    // A change after the pass began gets a pass of its own.
    changes.changed('MAT101');
    await vi.advanceTimersByTimeAsync(2000);
    expect(synced).toEqual(['MAT101', 'FIS110', 'MAT101']);
  });

  it('reports a pass that fails, and keeps taking changes', async () => {
    const { changes, synced, reported } = harness(async () => {
      throw new Error('platform down');
    });
    changes.changed('MAT101');
    await vi.advanceTimersByTimeAsync(2000);
    expect(reported).toEqual(['LTI grades of course MAT101 not posted after a change']);
    changes.changed('MAT101');
    await vi.advanceTimersByTimeAsync(2000);
    expect(synced).toEqual(['MAT101', 'MAT101']);
  });

  it('on stop, starts nothing new and waits for the pass under way', async () => {
    let finish = () => {};
    const { changes, synced } = harness(() => new Promise<void>((resolve) => (finish = resolve)));
    changes.changed('MAT101');
    await vi.advanceTimersByTimeAsync(2000);
    changes.changed('FIS110');
    let stopped = false;
    const stopping = changes.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(5000);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(synced).toEqual(['MAT101']);
  });
});
