import { describe, expect, test } from 'vitest';
import { requestDeadline } from './request-deadline.js';

describe('the request deadline', () => {
  test('outside a request there is no deadline and no arrival', () => {
    expect(requestDeadline.remainingMs()).toBeUndefined();
    expect(requestDeadline.arrivedAt()).toBeUndefined();
  });

  test('inside one, what is left shrinks from the deadline, and the arrival is the one given', async () => {
    const { result } = requestDeadline.run(1_800_000_000_000, 5000, async () => {
      const first = requestDeadline.remainingMs()!;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { first, later: requestDeadline.remainingMs()!, arrivedAt: requestDeadline.arrivedAt() };
    });
    const { first, later, arrivedAt } = await result;
    expect(first).toBeLessThanOrEqual(5000);
    expect(later).toBeLessThan(first);
    expect(arrivedAt).toBe(1_800_000_000_000);
  });

  test('work that outlives its answered request (a timer it set) is no longer bounded by it', async () => {
    let timerSees: number | undefined = -1;
    const { end } = requestDeadline.run(0, 5000, () => {
      setTimeout(() => (timerSees = requestDeadline.remainingMs()), 10);
    });
    end();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(timerSees).toBeUndefined();
  });
});
