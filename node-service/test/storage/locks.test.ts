import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keySql, locks, lockStatement, takeLock, tryLock, type AdvisoryLock } from '../../src/shared/storage/locks.js';
import { createPgDatabase } from '../../src/shared/storage/pg-database.js';
import type { SqlDatabase } from '../../src/shared/storage/sql.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { FUNCTIONS_DIR } from '../support/global-setup.js';

/**
 * One registry of advisory-lock keys (src/shared/storage/locks.ts). Two keys are also written in SQL, where
 * TypeScript cannot reach: the session's in attendance.record_confirmations (shared, while a batch records;
 * a round change takes it alone from TypeScript) and the migrations' in database/init.sh (the container's
 * first start; the service takes it from TypeScript). Each SQL key expression is read from its file and
 * evaluated by PostgreSQL beside the registry's: if they differ, the two sides would not exclude each other.
 */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let database: TestDatabase;
let db: SqlDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createPgDatabase({ url: database.url, poolSize: 3 });
});
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

/** The bigint the registry's lock takes for one key text, as PostgreSQL computes it. */
async function registryKey(lock: AdvisoryLock<[] | [string]>, text: string): Promise<string> {
  const { rows } = await db.query<{ key: string }>(`SELECT (${keySql(lock)})::text AS key`, [text]);
  return rows[0]!.key;
}

/** The bigint of a SQL key expression read from a file, `$1` standing for what it locks. */
async function sqlKey(expression: string, subject?: string): Promise<string> {
  const { rows } = await db.query<{ key: string }>(`SELECT (${expression})::text AS key`, subject === undefined ? [] : [subject]);
  return rows[0]!.key;
}

function advisoryCalls(sql: string): string[] {
  return [...sql.matchAll(/pg_(?:try_)?advisory_\w+\(/g)].map((m) => m[0]);
}

const RECORD_CONFIRMATIONS = readFileSync(join(FUNCTIONS_DIR, 'attendance.record_confirmations.sql'), 'utf8');
const INIT_SH = readFileSync(join(REPO_ROOT, 'database/init.sh'), 'utf8');

describe('the advisory-lock keys written in SQL', () => {
  it('the session’s key in attendance.record_confirmations is the registry’s, whatever the id’s case', async () => {
    const taken = /PERFORM pg_advisory_xact_lock_shared\((.+)\);/.exec(RECORD_CONFIRMATIONS);
    expect(taken, 'the shared lock of attendance.record_confirmations').not.toBeNull();
    const expression = taken![1]!.replaceAll('v_session', '$1::uuid');
    expect(expression).not.toBe(taken![1]);
    for (const id of ['0b9c2f4e-8d3a-4c1b-9e6f-2a7d5c3b1e90', '0B9C2F4E-8D3A-4C1B-9E6F-2A7D5C3B1E90']) {
      expect(await sqlKey(expression, id)).toBe(await registryKey(locks.session, locks.session.key(id)));
    }
  });

  it('the migrations’ key in database/init.sh is the registry’s', async () => {
    const taken = /^\s*lock="SELECT pg_advisory_xact_lock\((.+)\);"$/m.exec(INIT_SH);
    expect(taken, 'the lock line of init.sh').not.toBeNull();
    expect(await sqlKey(taken![1]!)).toBe(await registryKey(locks.migrations, locks.migrations.key()));
  });

  it('no other advisory lock is taken in the function files or init.sh', () => {
    const inFunctions = readdirSync(FUNCTIONS_DIR)
      .filter((name) => name.endsWith('.sql'))
      .flatMap((name) => advisoryCalls(readFileSync(join(FUNCTIONS_DIR, name), 'utf8')));
    expect(inFunctions).toEqual(['pg_advisory_xact_lock_shared(']);
    expect(advisoryCalls(INIT_SH)).toEqual(['pg_advisory_xact_lock(']);
  });
});

describe('the registry', () => {
  it('is the only place in the service’s code that names an advisory lock or a key hash', () => {
    const src = join(REPO_ROOT, 'node-service/src');
    const offenders = (readdirSync(src, { recursive: true }) as string[])
      .filter((path) => path.endsWith('.ts') && !path.startsWith(join('shared', 'storage', 'locks.')))
      .filter((path) => /pg_(?:try_)?advisory|hashtext/.test(readFileSync(join(src, path), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('gives every lock a key no other lock can produce', () => {
    const all = Object.entries(locks).map(([name, lock]) => ({ name, text: (lock as AdvisoryLock<[string]>).key('') }));
    for (const a of all) {
      for (const b of all) {
        if (a.name !== b.name) expect(b.text.startsWith(a.text), `${b.name} starts with ${a.name}’s key`).toBe(false);
      }
    }
  });

  it('takes what it names: a held key makes tryLock fail, and the inline statement takes the same key', async () => {
    const id = '0b9c2f4e-8d3a-4c1b-9e6f-2a7d5c3b1e91';
    await db.transaction(async (holder) => {
      await holder.exec(lockStatement(locks.session, id.toUpperCase()));
      expect(await db.transaction((other) => tryLock(other, locks.session, id))).toBe(false);
      expect(await db.transaction((other) => tryLock(other, locks.session, '0b9c2f4e-8d3a-4c1b-9e6f-2a7d5c3b1e92'))).toBe(true);
    });
    await db.transaction(async (holder) => {
      await takeLock(holder, locks.student, 'student-1');
      expect(await db.transaction((other) => tryLock(other, locks.student, 'student-1'))).toBe(false);
      expect(await db.transaction((other) => tryLock(other, locks.phoneKey, 'student-1'))).toBe(true);
    });
    expect(() => lockStatement(locks.courseMinimum, "x'); DROP TABLE t; --")).toThrow('unsafe advisory lock key');
  });
});
