import type { ApiClient } from '../support/portal.js';
import { mapLimit } from '../support/stats.js';

/**
 * N class sessions of MAT101, each created, opened and in round 1, through the HTTP API as the teacher's
 * page does it, with at most `concurrency` sessions being set up at a time.
 */
export async function runningSessions(api: ApiClient, count: number, concurrency: number): Promise<string[]> {
  return mapLimit(Array.from({ length: count }, (_, i) => i), concurrency, async (i) => {
    const start = new Date();
    const { id } = await api<{ id: string }>('POST', '/api/sessions', 201, {
      courseId: 'MAT101',
      room: `Aula ${100 + (i % 900)}`,
      plannedStart: start.toISOString(),
      plannedEnd: new Date(start.getTime() + 90 * 60_000).toISOString(),
      roundsPlanned: 1,
    });
    await api('POST', `/api/sessions/${id}/open`, 200, {});
    await api('POST', `/api/sessions/${id}/rounds`, 200, {});
    return id;
  });
}
