import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The feriados shipped with the schema: migration 017 inserts exactly the rows of the data file
 * database/data/feriados-cl-2027.csv (the list a reader checks against the official calendar).
 */
const root = new URL('../../../../../database/', import.meta.url);
const dataFile = readFileSync(new URL('data/feriados-cl-2027.csv', root), 'utf8');
const migration = readFileSync(new URL('migrations/017.do.series-exclusions.sql', root), 'utf8');

describe('the shipped public holidays', () => {
  it('are the same rows in the data file and in the migration, every one a real 2027 date', () => {
    const fromFile = dataFile.trim().split('\n').slice(1).map((line) => line.split(';') as [string, string]);
    const fromMigration = [...migration.matchAll(/\('(\d{4}-\d{2}-\d{2})', '([^']+)'\)/g)].map((m) => [m[1], m[2]]);
    expect(fromMigration).toEqual(fromFile);
    expect(fromFile).toHaveLength(16);
    for (const [date] of fromFile) {
      expect(new Date(`${date}T12:00:00Z`).toISOString().slice(0, 10)).toBe(date);
      expect(date.startsWith('2027-')).toBe(true);
    }
  });
});
