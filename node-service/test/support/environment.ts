import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * The real services integration tests talk to: this machine's PostgreSQL and Valkey (Redis protocol).
 * Override with TEST_POSTGRES_URL / TEST_VALKEY_URL; never skipped when unreachable.
 */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const VALKEY_URL = process.env.TEST_VALKEY_URL ?? 'redis://127.0.0.1:6379';

/** The portal's signing secret in tests and benchmarks (the service under test is started with it). */
export const TEST_JWT_SECRET = 'test-secret-for-asistencia-integration-0123456789';

export function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** One client of the database at `url` for `work`, closed after it. */
export async function withDatabase<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** One statement or more on the admin connection (CREATE/DROP DATABASE, server counters). */
export function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  return withDatabase(POSTGRES_ADMIN_URL, work);
}

/** One Valkey client for `work`, disconnected after it. */
export async function withValkey<T>(work: (valkey: Redis) => Promise<T>): Promise<T> {
  const valkey = new Redis(VALKEY_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await valkey.connect();
  try {
    return await work(valkey);
  } finally {
    valkey.disconnect();
  }
}

/** Deletes every key under `prefix` (a run's or a benchmark's), SCAN by SCAN. */
export async function deleteKeys(valkey: Redis, prefix: string): Promise<void> {
  for (let cursor = '0', keys: string[]; ; ) {
    [cursor, keys] = await valkey.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await valkey.del(...keys);
    if (cursor === '0') return;
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    runId: string;
    templateDatabase: string;
    valkeyPrefix: string;
    /** The service compiled for this run (test/support/service-build.ts). */
    serviceBuild: string;
    /** The browser project's shared Chromium (test/support/chromium-server.ts); absent elsewhere. */
    chromiumEndpoint?: string;
  }
}
