import type { FastifyInstance } from 'fastify';
import { commonErrors } from '../errors.js';

/**
 * Control characters never reach a route: NUL is refused by PostgreSQL's text types (a 500 on the first
 * query that carries it), and the rest have no place in an id, a name, a code or a token. One hook before
 * every route's schema, so a new route is covered without remembering a refinement.
 * C0, DEL and C1 are refused in path parameters and the query string; in a body, tab and line breaks
 * stay allowed in values, since a correction reason is typed in a textarea.
 */
/* eslint-disable no-control-regex -- matching control characters is the point */
export const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_BUT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/* eslint-enable no-control-regex */
const CONTROL_CHARACTER_PROBLEM = 'control characters are not allowed';

export function installInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const where =
      controlCharacterAt('params', request.params, ANY_CONTROL, ANY_CONTROL) ??
      controlCharacterAt('querystring', request.query, ANY_CONTROL, ANY_CONTROL) ??
      controlCharacterAt('body', request.body, CONTROL_BUT_LINE_BREAKS, ANY_CONTROL);
    if (where === null) return;
    throw commonErrors.VALIDATION_FAILED(
      { detail: `${where}: ${CONTROL_CHARACTER_PROBLEM}` },
      [{ where, problem: CONTROL_CHARACTER_PROBLEM }],
    );
  });
}

/**
 * The path (`body/reason`, `querystring/studentId`) of the first string value or object key holding a
 * refused character, or null. Iterative, so a deeply nested body cannot exhaust the stack.
 */
export function controlCharacterAt(root: string, input: unknown, inValues: RegExp, inKeys: RegExp): string | null {
  const pending: Array<[string, unknown]> = [[root, input]];
  for (let next = 0; next < pending.length; next += 1) {
    const [path, value] = pending[next]!;
    if (typeof value === 'string') {
      if (inValues.test(value)) return path;
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => pending.push([`${path}/${index}`, item]));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (inKeys.test(key)) return path;
        pending.push([`${path}/${key}`, item]);
      }
    }
  }
  return null;
}
