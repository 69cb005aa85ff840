import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

/**
 * The lookups every scan makes are served by an index, so their cost does not grow with the number of
 * students. A small test database makes a sequential scan the planner's cheapest choice, so sequential scans
 * are switched off here: a plan whose index condition does not name the key has no index to use. Checked by dropping
 * the phone-key index of migration 010 (or restoring 004's partial one): the first case goes red.
 */
const HOT_LOOKUPS: Array<[what: string, column: string, sql: string]> = [
  ['the devices bound to a phone key (challenge)', 'phone_key_id', `SELECT id FROM enrollment.devices d WHERE d.phone_key_id = 'k' ORDER BY d.id`],
  ['the device behind a credential (confirmation)', 'credential_id', `SELECT id FROM enrollment.devices d WHERE d.credential_id = 'c'`],
  ['a device’s alerts', 'device_id', `SELECT reason FROM enrollment.device_alerts a WHERE a.device_id = 1`],
  [
    'a device’s recent re-bindings',
    'device_id',
    `SELECT count(*) FROM enrollment.enrollment_history h WHERE h.device_id = 1 AND h.action = 'rebound'`,
  ],
];

let database: TestDatabase;
let client: pg.Client;
beforeAll(async () => {
  database = await createTestDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query('SET enable_seqscan = off');
});
afterAll(async () => {
  await client?.end();
  await database?.drop();
});

describe('the lookups of every scan', () => {
  it.each(HOT_LOOKUPS)('%s: an index finds the rows by their key', async (_what, column, sql) => {
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`);
    const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    // An index walked from end to end with the key as a filter would be no better than reading the table.
    expect(plan, plan).toMatch(new RegExp(`Index Cond: \\(.*\\b${column} = `));
  });
});
