import type { SqlDatabase } from '../../../shared/storage/sql.js';
import type { HolidayRepository } from '../application/ports.js';

const LIST = `SELECT to_char(day, 'YYYY-MM-DD') AS date, name FROM attendance.holidays ORDER BY day`;
const BETWEEN = `SELECT to_char(day, 'YYYY-MM-DD') AS date, name FROM attendance.holidays WHERE day BETWEEN $1::date AND $2::date`;
const PUT = `
  INSERT INTO attendance.holidays (day, name, changed_by) VALUES ($1::date, $2, $3)
  ON CONFLICT (day) DO UPDATE SET name = excluded.name, changed_by = excluded.changed_by, changed_at = now()`;
const REMOVE = `DELETE FROM attendance.holidays WHERE day = $1::date`;

/** Public holidays in PostgreSQL (migration 017 ships Chile's of 2027). */
export function createHolidayRepository(db: SqlDatabase): HolidayRepository {
  return {
    async list() {
      return (await db.query<{ date: string; name: string }>(LIST, [])).rows;
    },
    async between(from, until) {
      const { rows } = await db.query<{ date: string; name: string }>(BETWEEN, [from, until]);
      return new Map(rows.map((r) => [r.date, r.name]));
    },
    async put(holiday, actor) {
      await db.query(PUT, [holiday.date, holiday.name, actor.id]);
    },
    async remove(date) {
      const result = await db.query(REMOVE, [date]);
      return (result.rowCount ?? 0) > 0;
    },
  };
}
