/**
 * The real services integration tests talk to: this machine's PostgreSQL and Valkey (Redis protocol).
 * Override with TEST_POSTGRES_URL / TEST_VALKEY_URL; never skipped when unreachable.
 */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const VALKEY_URL = process.env.TEST_VALKEY_URL ?? 'redis://127.0.0.1:6379';

export function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

declare module 'vitest' {
  export interface ProvidedContext {
    runId: string;
    templateDatabase: string;
    valkeyPrefix: string;
  }
}
