import pg from 'pg';
import { POSTGRES_ADMIN_URL } from './service.js';

/**
 * What PostgreSQL's backends for one database were doing during a window, from pg_stat_activity sampled
 * every few milliseconds: per sample, each backend that is not idle counts once under its wait event (or
 * "on CPU") and the start of its query. For investigating (`--profile`): the sampling itself costs a little.
 */
export interface WaitSummary {
  samples: number;
  /** Mean number of backends of the database that were busy (in a query or in a transaction). */
  meanBusy: number;
  /** Mean number of backends in a transaction but waiting for the client (the service) to send the next statement. */
  meanIdleInTransaction: number;
  events: Array<{ event: string; share: number }>;
  queries: Array<{ query: string; share: number }>;
}

export function sampleWaits(database: string, everyMs = 5): { stop(): Promise<WaitSummary> } {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, application_name: 'bench-wait-sampler' });
  const events = new Map<string, number>();
  const queries = new Map<string, number>();
  let samples = 0;
  let busy = 0;
  let idleInTransaction = 0;
  let running = true;
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const loop = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query<{ state: string; wait: string | null; query: string }>(
        `SELECT state, wait_event_type || ':' || wait_event AS wait, left(regexp_replace(query, '\\s+', ' ', 'g'), 70) AS query
         FROM pg_stat_activity WHERE datname = $1 AND state <> 'idle' AND pid <> pg_backend_pid()`,
        [database],
      );
      samples += 1;
      for (const row of rows) {
        busy += 1;
        if (row.state.startsWith('idle in transaction')) {
          idleInTransaction += 1;
          add(events, 'idle in transaction (waiting for the service)');
        } else {
          add(events, row.wait ?? 'on CPU (no wait event)');
          add(queries, row.query.trim());
        }
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
    await client.end();
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const total = Math.max(1, busy);
      const ranked = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]).slice(0, 12);
      return {
        samples,
        meanBusy: busy / Math.max(1, samples),
        meanIdleInTransaction: idleInTransaction / Math.max(1, samples),
        events: ranked(events).map(([event, n]) => ({ event, share: n / total })),
        queries: ranked(queries).map(([query, n]) => ({ query, share: n / total })),
      };
    },
  };
}

export function formatWaits(w: WaitSummary): string {
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`;
  return [
    `PostgreSQL backends of this database, sampled ${w.samples} times: on average ${w.meanBusy.toFixed(1)} busy, of which ${w.meanIdleInTransaction.toFixed(1)} idle in a transaction`,
    '  by wait event (share of busy backend-samples):',
    ...w.events.map((e) => `    ${pct(e.share)}  ${e.event}`),
    '  by statement (active backend-samples):',
    ...w.queries.map((q) => `    ${pct(q.share)}  ${q.query}`),
  ].join('\n');
}
