import { AsyncLocalStorage } from 'node:async_hooks';
import { commonErrors, isAppError, type AppError } from './errors.js';

/**
 * When the request being served arrived, and how long it may still wait for PostgreSQL or Valkey. The
 * storage adapters read it (they have no request in hand) through an AsyncLocalStorage that the HTTP
 * layer enters on arrival (shared/http/deadline.ts) and leaves when the answer is sent: work that outlives
 * its request (a timer it set, a live count announced later) is no longer bounded by it.
 */
interface RequestTime {
  /** On the shared clock: codes and challenges are judged at this moment. */
  arrivedAt: number;
  /** On the monotonic clock (performance.now()). */
  expiresAt: number;
  open: boolean;
}

const current = new AsyncLocalStorage<RequestTime>();

export const requestDeadline = {
  /** Runs `work` (the rest of the request) with a deadline of `deadlineMs` from now. */
  run<T>(arrivedAt: number, deadlineMs: number, work: () => T): { result: T; end: () => void } {
    const time: RequestTime = { arrivedAt, expiresAt: performance.now() + deadlineMs, open: true };
    return { result: current.run(time, work), end: () => void (time.open = false) };
  },

  /** Ms the current request may still wait; undefined outside a request (or once it was answered). */
  remainingMs(): number | undefined {
    const time = current.getStore();
    return time?.open ? time.expiresAt - performance.now() : undefined;
  },

  /**
   * When the current request's deadline falls (performance.now()), for work done later on its behalf (a batch
   * serving several requests: see `within`); undefined outside a request.
   */
  expiresAt(): number | undefined {
    const time = current.getStore();
    return time?.open ? time.expiresAt : undefined;
  },

  /** Runs `work` bounded by a deadline taken with `expiresAt` (none: unbounded, as outside a request). */
  async within<T>(expiresAt: number | undefined, work: () => Promise<T>): Promise<T> {
    if (expiresAt === undefined) return current.exit(work);
    // Work done on a request's behalf judges no codes: its arrival is now.
    const time: RequestTime = { arrivedAt: Date.now(), expiresAt, open: true };
    try {
      return await current.run(time, work);
    } finally {
      time.open = false;
    }
  },

  /** When the current request arrived, on the shared clock; undefined outside a request. */
  arrivedAt(): number | undefined {
    const time = current.getStore();
    return time?.open ? time.arrivedAt : undefined;
  },
};

/** What a request that waited too long for `part`, or found it down, answers: 503 with Retry-After. */
export function unavailable(part: 'postgres' | 'valkey', reason: string): AppError {
  return commonErrors.SERVICE_UNAVAILABLE({ part }, { reason });
}

/** Why `unavailable` was answered (what PostgreSQL, Valkey or the pool said), for an operator's message. */
export function unavailableReason(error: unknown): string | undefined {
  const details = isAppError(error) && error.code === 'SERVICE_UNAVAILABLE' ? (error.details as { reason?: unknown } | undefined) : undefined;
  return typeof details?.reason === 'string' ? details.reason : undefined;
}
