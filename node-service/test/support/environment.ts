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

/** One statement or more on the admin connection (CREATE/DROP DATABASE, server counters). */
export async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    runId: string;
    templateDatabase: string;
    valkeyPrefix: string;
  }
}
