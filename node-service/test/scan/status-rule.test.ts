import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase } from '../../src/shared/storage/pg-database.js';
import { createPgliteDatabase } from '../../src/shared/storage/pglite-database.js';
import { migrate } from '../../src/shared/storage/migrations.js';
import type { SqlDatabase } from '../../src/shared/storage/sql.js';
import { createTestDatabase } from '../support/databases.js';
import { FUNCTIONS_DIR, MIGRATIONS_DIR } from '../support/global-setup.js';

/**
 * The rule for a student's computed result (database/functions/attendance.computed_status.sql), as both
 * database adapters run it: the confirmation statement, the round change and the close all apply it there.
 */
const lateFrom = new Date('2026-11-22T08:15:00Z');
const minutes = (m: number) => new Date(lateFrom.getTime() + m * 60_000);

const cases: { name: string; roundsRun: number; roundsConfirmed: number; firstConfirmedAt: Date | null; status: string }[] = [
  { name: 'every round on time', roundsRun: 3, roundsConfirmed: 3, firstConfirmedAt: minutes(-13), status: 'present' },
  { name: 'more confirmed than run (a round just started)', roundsRun: 1, roundsConfirmed: 2, firstConfirmedAt: minutes(-5), status: 'present' },
  { name: 'some rounds', roundsRun: 3, roundsConfirmed: 1, firstConfirmedAt: minutes(-13), status: 'partial' },
  { name: 'first confirmation after the threshold, every round', roundsRun: 2, roundsConfirmed: 2, firstConfirmedAt: minutes(1), status: 'late' },
  { name: 'first confirmation after the threshold, some rounds', roundsRun: 3, roundsConfirmed: 1, firstConfirmedAt: minutes(20), status: 'late' },
  { name: 'first confirmation exactly at the threshold', roundsRun: 2, roundsConfirmed: 2, firstConfirmedAt: minutes(0), status: 'present' },
  { name: 'no confirmation', roundsRun: 2, roundsConfirmed: 0, firstConfirmedAt: null, status: 'absent' },
  { name: 'no round run yet, none confirmed', roundsRun: 0, roundsConfirmed: 0, firstConfirmedAt: null, status: 'absent' },
];

const adapters: { name: string; open: () => Promise<{ db: SqlDatabase; dispose: () => Promise<void> }> }[] = [
  {
    name: 'PostgreSQL',
    async open() {
      const database = await createTestDatabase({ migrated: false });
      const db = createPgDatabase({ url: database.url, poolSize: 1 });
      return { db, dispose: async () => { await db.close(); await database.drop(); } };
    },
  },
  {
    name: 'embedded PGlite',
    async open() {
      const db = await createPgliteDatabase({ dataDir: 'memory://' });
      return { db, dispose: () => db.close() };
    },
  },
];

describe.each(adapters)('the computed status on $name', ({ open }) => {
  let subject: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    subject = await open();
    await migrate(subject.db, MIGRATIONS_DIR, FUNCTIONS_DIR);
  });
  afterAll(() => subject?.dispose());

  it.each(cases)('$name: $status', async ({ roundsRun, roundsConfirmed, firstConfirmedAt, status }) => {
    const { rows } = await subject.db.query<{ status: string }>(
      'SELECT attendance.computed_status($1, $2, $3, $4) AS status',
      [roundsRun, roundsConfirmed, firstConfirmedAt, lateFrom],
    );
    expect(rows).toEqual([{ status }]);
  });
});
