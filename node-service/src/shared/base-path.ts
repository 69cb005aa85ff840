/**
 * Where the service lives behind the door: every route, the pages (Vite's `base`), the WebSocket and the
 * development sign-in hang under it. BASE_PATH in the environment; the door (apache-config/) serves
 * `/asistencia`, so changing it means changing the door's config too. A file with no imports, so the pages'
 * build (vite.config.ts) and the service's config (config/env.ts) read it with the same rule.
 */
export const DEFAULT_BASE_PATH = '/asistencia';

/** What is wrong with a base path, or null: one or more `/segment`s, no trailing slash. */
export function basePathProblem(value: string): string | null {
  if (!value.startsWith('/')) return "must start with '/'";
  if (value.endsWith('/')) return "must not end with '/'";
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(value)) return "expected path segments of letters, digits, '.', '_', '~' or '-'";
  return null;
}

/** BASE_PATH as the pages' build reads it (the service reads it through config/env.ts): refused loudly if bad. */
export function basePathFrom(env: Record<string, string | undefined>): string {
  const value = env['BASE_PATH']?.trim() || DEFAULT_BASE_PATH;
  const problem = basePathProblem(value);
  if (problem) throw new Error(`BASE_PATH: ${problem} (got ${JSON.stringify(value)})`);
  return value;
}
