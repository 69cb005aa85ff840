import { locks, takeLock } from '../../../shared/storage/locks.js';
import type { SqlDatabase } from '../../../shared/storage/sql.js';
import type { CourseMinimumRepository, CourseSessionRow } from '../application/ports.js';
import type { GradePolicy } from '../domain/grade-policy.js';

const MINIMUMS = `SELECT course_id, min_rate_percent::float8 AS percent FROM attendance.course_minimums WHERE course_id = ANY($1::text[])`;
const UPSERT_MINIMUM = `
  INSERT INTO attendance.course_minimums (course_id, min_rate_percent, set_by) VALUES ($1, $2, $3)
  ON CONFLICT (course_id) DO UPDATE SET min_rate_percent = EXCLUDED.min_rate_percent, set_by = EXCLUDED.set_by, set_at = now()`;
const DELETE_MINIMUM = `DELETE FROM attendance.course_minimums WHERE course_id = $1`;
const AUDIT_MINIMUM = `
  INSERT INTO attendance.course_minimum_changes (course_id, previous_percent, new_percent, reason, actor_id, actor_role)
  VALUES ($1, $2, $3, $4, $5, $6)`;
const GRADE_POLICIES = `
  SELECT course_id, basis, drop_lowest, late_points::float8 AS late_points, partial_points::float8 AS partial_points,
         absence_penalty::float8 AS absence_penalty
  FROM attendance.course_grade_policies WHERE course_id = ANY($1::text[])`;
const UPSERT_GRADE_POLICY = `
  INSERT INTO attendance.course_grade_policies (course_id, basis, drop_lowest, late_points, partial_points, absence_penalty, set_by)
  VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (course_id) DO UPDATE SET basis = EXCLUDED.basis, drop_lowest = EXCLUDED.drop_lowest, late_points = EXCLUDED.late_points,
    partial_points = EXCLUDED.partial_points, absence_penalty = EXCLUDED.absence_penalty, set_by = EXCLUDED.set_by, set_at = now()`;
const AUDIT_GRADE_POLICY = `
  INSERT INTO attendance.course_grade_policy_changes (course_id, previous, new, reason, actor_id, actor_role)
  VALUES ($1, $2, $3, $4, $5, $6)`;

interface GradePolicyRow {
  course_id: string;
  basis: GradePolicy['basis'];
  drop_lowest: number;
  late_points: number;
  partial_points: number;
  absence_penalty: number;
}
const policyOf = (r: GradePolicyRow): GradePolicy => ({
  basis: r.basis,
  dropLowest: Number(r.drop_lowest),
  points: { late: Number(r.late_points), partial: Number(r.partial_points) },
  absencePenalty: Number(r.absence_penalty),
});
const COURSE_SESSIONS = `
  SELECT id, course_id, planned_start, room, state FROM attendance.sessions
  WHERE course_id = ANY($1::text[]) ORDER BY planned_start, id`;

/** Course minimums and grade policies (with their audits) and every session planned for a course, scheduled ones included. */
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
    async gradePolicies(courseIds) {
      const { rows } = await db.query<GradePolicyRow>(GRADE_POLICIES, [courseIds]);
      return new Map(rows.map((r) => [r.course_id, policyOf(r)]));
    },
    setGradePolicy({ courseId, policy, reason, actor }) {
      return db.transaction(async (tx) => {
        // Under the course's lock, as its minimum: each audit row names the policy it replaced.
        await takeLock(tx, locks.courseMinimum, courseId);
        const before = await tx.query<GradePolicyRow>(`${GRADE_POLICIES} FOR UPDATE`, [[courseId]]);
        const previous = before.rows[0] ? policyOf(before.rows[0]) : null;
        const { basis, dropLowest, points, absencePenalty } = policy;
        await tx.query(UPSERT_GRADE_POLICY, [courseId, basis, dropLowest, points.late, points.partial, absencePenalty, actor.id]);
        await tx.query(AUDIT_GRADE_POLICY, [courseId, previous, policy, reason, actor.id, actor.role]);
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
