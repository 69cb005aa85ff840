import { basePath } from './api';

/**
 * Where to go after signing in: the `next` query parameter only when it is a path on this site under
 * /asistencia/ (never another origin, `//host` or `/\host`), else the landing page.
 */
export function safeNext(search: string = location.search): string {
  const next = new URLSearchParams(search).get('next');
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return basePath;
  const url = new URL(next, location.origin);
  if (url.origin !== location.origin || !url.pathname.startsWith(basePath)) return basePath;
  return url.pathname + url.search + url.hash;
}
