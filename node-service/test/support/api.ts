import { portalToken } from './tokens.js';

/** A JSON body as tests read it: asserted field by field, so no static shape is claimed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type Json = any;

export interface ApiResponse<T = Json> {
  status: number;
  body: T;
  headers: Headers;
}

/** A signed-in user's calls to the service API (under BASE_PATH, `/asistencia` by default), with a fresh portal token each time. */
export function apiAs(baseUrl: string, user: { sub: string; role: string; name: string }, basePath = '/asistencia') {
  const call = async <T = Json>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> => {
    const response = await fetch(`${baseUrl}${basePath}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await portalToken(user)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
  };
  return {
    get: <T = Json>(path: string) => call<T>('GET', path),
    post: <T = Json>(path: string, body?: unknown) => call<T>('POST', path, body ?? {}),
    call,
  };
}

/** A session draft for course MAT101 (taught by the demo teacher, user 1), starting now. */
export function draftSession(overrides: Record<string, unknown> = {}) {
  const start = new Date();
  return {
    courseId: 'MAT101',
    room: 'Aula 204',
    plannedStart: start.toISOString(),
    plannedEnd: new Date(start.getTime() + 90 * 60_000).toISOString(),
    roundsPlanned: 2,
    ...overrides,
  };
}
