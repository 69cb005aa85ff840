import { createPgDatabase } from '../../src/shared/storage/pg-database.js';
import { createPgliteDatabase } from '../../src/shared/storage/pglite-database.js';
import { createTestDatabase } from '../support/databases.js';
import { sqlDatabaseContract } from './sql-contract.js';

// One contract, two adapters: what passes in development (embedded PGlite) passes in production (PostgreSQL).

sqlDatabaseContract('PostgreSQL through pg', async () => {
  const database = await createTestDatabase({ migrated: false });
  const db = createPgDatabase({ url: database.url, poolSize: 4 });
  return {
    db,
    async dispose() {
      await db.close();
      await database.drop();
    },
  };
});

sqlDatabaseContract('embedded PGlite in memory', async () => {
  const db = await createPgliteDatabase({ dataDir: 'memory://' });
  return { db, dispose: () => db.close() };
});
