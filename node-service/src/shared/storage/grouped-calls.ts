import DataLoader from 'dataloader';
import { requestDeadline, unavailable } from '../request-deadline.js';

export interface Grouping {
  /** Calls running at once; what arrives while they all run waits and goes together. */
  inFlight: number;
  /** The most keys in one call. */
  maxBatch: number;
  /** Keys waiting for a call at most: past it, a key is refused at once (503) instead of queueing. */
  maxWaiting: number;
}

/** A key waiting for its call, with its request's deadline (performance.now(); none outside a request). */
interface Waiting<K> {
  key: K;
  expiresAt: number | undefined;
}

/**
 * Natural batching (group commit) of calls to PostgreSQL. While fewer than `inFlight` calls run, a key goes
 * at once and alone (`one`, as without batching). When they are all busy, as when a classroom scans at once,
 * the keys that arrive meanwhile wait and then go together (`many`): one round trip, one statement, one
 * commit for all of them, which is most of what a small call costs PostgreSQL. DataLoader keeps the waiting
 * batch and gives each caller its own answer or error.
 *
 * Nothing waits past its request's deadline: a key whose deadline passed while it waited is refused (503)
 * unsent, and a call runs under the earliest deadline of its keys. Nor do more than `maxWaiting` keys wait:
 * past it, when PostgreSQL is stuck, a key is refused at once, as a query past DATABASE_MAX_WAITING is. A call of several keys that fails as a
 * whole (a deadlock, a timeout, an outage) committed nothing, so each of its keys is then tried alone,
 * under its own deadline, and answers for itself. With `distinct`, a call holds at most one key of each
 * value (the rest go in the next call).
 */
export function groupedCalls<K, V>(options: Grouping & {
  one: (key: K) => Promise<V>;
  many: (keys: readonly K[]) => Promise<V[]>;
  distinct?: (key: K) => string;
}): { load(key: K): Promise<V> } {
  const slots = createSlots(options.inFlight);
  /** Keys handed to DataLoader and not yet in a call. */
  let waitingKeys = 0;

  const alone = (w: Waiting<K>) => requestDeadline.within(w.expiresAt, () => options.one(w.key));
  const together = (batch: readonly Waiting<K>[]) => {
    const deadlines = batch.map((w) => w.expiresAt).filter((at): at is number => at !== undefined);
    return requestDeadline.within(deadlines.length > 0 ? Math.min(...deadlines) : undefined, () => options.many(batch.map((w) => w.key)));
  };

  const callAll = async (waiting: readonly Waiting<K>[]): Promise<(V | Error)[]> => {
    const answers = new Map<Waiting<K>, V | Error>();
    const settle = async (w: Waiting<K>) => answers.set(w, await alone(w).catch(asError));
    let left = waiting.filter((w) => {
      if (w.expiresAt === undefined || w.expiresAt > performance.now()) return true;
      answers.set(w, unavailable('postgres', 'request deadline passed waiting for a batch'));
      return false;
    });
    while (left.length > 0) {
      // With `distinct`, the first key of each value goes now and the others in the next call.
      const seen = new Set<string>();
      const batch: Waiting<K>[] = [];
      const rest: Waiting<K>[] = [];
      for (const w of left) {
        const value = options.distinct?.(w.key);
        if (value !== undefined && seen.has(value)) {
          rest.push(w);
          continue;
        }
        if (value !== undefined) seen.add(value);
        batch.push(w);
      }
      left = rest;
      if (batch.length === 1) {
        await settle(batch[0]!);
        continue;
      }
      try {
        const values = await together(batch);
        batch.forEach((w, i) => answers.set(w, values[i]!));
      } catch {
        // Nothing of the call was committed: each key alone, answering for itself.
        await Promise.all(batch.map(settle));
      }
    }
    return waiting.map((w) => answers.get(w)!);
  };

  const loader = new DataLoader<Waiting<K>, V>(
    async (waiting) => {
      waitingKeys -= waiting.length;
      try {
        return await callAll(waiting);
      } finally {
        slots.release();
      }
    },
    { cache: false, maxBatchSize: options.maxBatch, batchScheduleFn: (dispatch) => void slots.acquire().then(dispatch) },
  );
  return {
    load(key) {
      if (waitingKeys >= options.maxWaiting) return Promise.reject(unavailable('postgres', `${waitingKeys} already waiting for a call`));
      waitingKeys += 1;
      return loader.load({ key, expiresAt: requestDeadline.expiresAt() });
    },
  };
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/** At most `size` holders at once; the others wait in arrival order. */
function createSlots(size: number) {
  let free = size;
  const waiting: (() => void)[] = [];
  return {
    acquire(): Promise<void> {
      if (free > 0) {
        free -= 1;
        return Promise.resolve();
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
    release(): void {
      const next = waiting.shift();
      if (next) next();
      else free += 1;
    },
  };
}
