import { describe, expect, it, vi } from 'vitest';
import { createPortalDirectory } from './portal-directory.js';

const course = { id: 'MAT101', name: 'Cálculo I', teacherId: 1 };
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A portal older than course staff (schema v4): it knows `teacher=` and refuses `staff=` with 400. */
function olderPortal(asked: string[]) {
  return async (input: URL | string) => {
    const url = new URL(input);
    asked.push(url.search);
    if (url.searchParams.has('staff')) return json(400, { error: { code: 'BAD_QUERY' } });
    return json(200, { courses: url.searchParams.get('teacher') === '1' ? [course] : [] });
  };
}

describe('the portal directory', () => {
  const directory = createPortalDirectory({ baseUrl: 'http://portal.test', credential: 'x'.repeat(32) });

  it('asks a portal older than course staff for the courses the person teaches, with no staff', async () => {
    const asked: string[] = [];
    vi.stubGlobal('fetch', olderPortal(asked));
    await expect(directory.coursesStaffedBy('1')).resolves.toEqual([{ id: 'MAT101', name: 'Cálculo I', teacherId: '1', staff: [] }]);
    expect(asked).toEqual(['?staff=1', '?teacher=1']);
  });

  it('passes on a portal that is down, without asking again', async () => {
    const asked: string[] = [];
    vi.stubGlobal('fetch', async (input: URL | string) => (asked.push(new URL(input).search), json(503, {})));
    await expect(directory.coursesStaffedBy('1')).rejects.toMatchObject({ code: 'DIRECTORY_UNAVAILABLE' });
    expect(asked).toEqual(['?staff=1']);
  });
});
