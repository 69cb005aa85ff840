import { locks, takeLock } from '../../../shared/storage/locks.js';
import type { SqlDatabase } from '../../../shared/storage/sql.js';
import type { CourseMinimumRepository, CourseSessionRow } from '../application/ports.js';
import type { PartialCredit } from '../domain/results.js';

const MINIMUMS = `SELECT course_id, min_rate_percent::float8 AS percent FROM attendance.course_minimums WHERE course_id = ANY($1::text[])`;
const UPSERT_MINIMUM = `
  INSERT INTO attendance.course_minimums (course_id, min_rate_percent, set_by) VALUES ($1, $2, $3)
  ON CONFLICT (course_id) DO UPDATE SET min_rate_percent = EXCLUDED.min_rate_percent, set_by = EXCLUDED.set_by, set_at = now()`;
const DELETE_MINIMUM = `DELETE FROM attendance.course_minimums WHERE course_id = $1`;
const AUDIT_MINIMUM = `
  INSERT INTO attendance.course_minimum_changes (course_id, previous_percent, new_percent, reason, actor_id, actor_role)
  VALUES ($1, $2, $3, $4, $5, $6)`;
const PARTIAL_CREDITS = `SELECT course_id, credit FROM attendance.course_partial_credit WHERE course_id = ANY($1::text[])`;
const UPSERT_PARTIAL_CREDIT = `
  INSERT INTO attendance.course_partial_credit (course_id, credit, set_by) VALUES ($1, $2, $3)
  ON CONFLICT (course_id) DO UPDATE SET credit = EXCLUDED.credit, set_by = EXCLUDED.set_by, set_at = now()`;
const AUDIT_PARTIAL_CREDIT = `
  INSERT INTO attendance.course_partial_credit_changes (course_id, previous, new, reason, actor_id, actor_role)
  VALUES ($1, $2, $3, $4, $5, $6)`;
const COURSE_SESSIONS = `
  SELECT id, course_id, planned_start, room, state FROM attendance.sessions
  WHERE course_id = ANY($1::text[]) ORDER BY planned_start, id`;

/** Course minimums and partial credit (with their audits) and every session planned for a course, scheduled ones included. */
export function createCourseMinimumRepository(db: SqlDatabase): CourseMinimumRepository {
  return {
    async minimums(courseIds) {
      const { rows } = await db.query<{ course_id: string; percent: number }>(MINIMUMS, [courseIds]);
      return new Map(rows.map((r) => [r.course_id, Number(r.percent)]));
    },
    setMinimum({ courseId, percent, reason, actor }) {
      return db.transaction(async (tx) => {
        // One course's minimum is changed by one transaction at a time, so each audit row names the value it replaced.
        await takeLock(tx, locks.courseMinimum, courseId);
        const before = await tx.query<{ percent: number }>(`${MINIMUMS} FOR UPDATE`, [[courseId]]);
        const previous = before.rows[0] ? Number(before.rows[0].percent) : null;
        if (percent === null) await tx.query(DELETE_MINIMUM, [courseId]);
        else await tx.query(UPSERT_MINIMUM, [courseId, percent, actor.id]);
        await tx.query(AUDIT_MINIMUM, [courseId, previous, percent, reason, actor.id, actor.role]);
        return { previous };
      });
    },
    async partialCredits(courseIds) {
      const { rows } = await db.query<{ course_id: string; credit: PartialCredit }>(PARTIAL_CREDITS, [courseIds]);
      return new Map(rows.map((r) => [r.course_id, r.credit]));
    },
    setPartialCredit({ courseId, credit, reason, actor }) {
      return db.transaction(async (tx) => {
        // Under the course's lock, as its minimum: each audit row names the value it replaced.
        await takeLock(tx, locks.courseMinimum, courseId);
        const before = await tx.query<{ credit: PartialCredit }>(`${PARTIAL_CREDITS} FOR UPDATE`, [[courseId]]);
        const previous = before.rows[0]?.credit ?? 'full';
        await tx.query(UPSERT_PARTIAL_CREDIT, [courseId, credit, actor.id]);
        await tx.query(AUDIT_PARTIAL_CREDIT, [courseId, previous, credit, reason, actor.id, actor.role]);
        return { previous };
      });
    },
    async courseSessions(courseIds) {
      const { rows } = await db.query<{ id: string; course_id: string; planned_start: Date; room: string; state: CourseSessionRow['state'] }>(
        COURSE_SESSIONS,
        [courseIds],
      );
      return rows.map((r) => ({ id: r.id, courseId: r.course_id, plannedStart: r.planned_start, room: r.room, state: r.state }));
    },
  };
}
