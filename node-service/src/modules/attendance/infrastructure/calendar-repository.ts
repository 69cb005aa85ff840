import type { SqlDatabase } from '../../../shared/storage/sql.js';
import type { CalendarRepository } from '../application/calendar.js';

const SAVE_FEED = `
  INSERT INTO attendance.calendar_feeds (user_id, role, token_hash) VALUES ($1, $2, $3)
  ON CONFLICT (user_id) DO UPDATE SET role = excluded.role, token_hash = excluded.token_hash, created_at = now()
  RETURNING created_at`;
const DELETE_FEED = `DELETE FROM attendance.calendar_feeds WHERE user_id = $1`;
const SELECT_FEED = `SELECT created_at FROM attendance.calendar_feeds WHERE user_id = $1`;
const FEED_OWNER = `SELECT user_id, role FROM attendance.calendar_feeds WHERE token_hash = $1`;
const COURSE_SESSIONS = `
  SELECT id, course_id, course_name, room, planned_start, planned_end, calendar_sequence,
         coalesce(calendar_changed, created_at) AS last_modified
  FROM attendance.sessions WHERE course_id = $1 ORDER BY planned_start, id LIMIT $2`;


export function createCalendarRepository(db: SqlDatabase): CalendarRepository {
  return {
    async save(userId, role, tokenHash) {
      const { rows } = await db.query<{ created_at: Date }>(SAVE_FEED, [userId, role, tokenHash]);
      return rows[0]!.created_at;
    },
    async find(userId) {
      const { rows } = await db.query<{ created_at: Date }>(SELECT_FEED, [userId]);
      return rows[0] ? { createdAt: rows[0].created_at } : null;
    },
    async revoke(userId) {
      return ((await db.query(DELETE_FEED, [userId])).rowCount ?? 0) > 0;
    },
    async owner(tokenHash) {
      const { rows } = await db.query<{ user_id: string; role: 'student' | 'teacher' | 'admin' }>(FEED_OWNER, [tokenHash]);
      return rows[0] ? { userId: rows[0].user_id, role: rows[0].role } : null;
    },
    async courseSessions(courseId, limit) {
      const { rows } = await db.query<{
        id: string;
        course_id: string;
        course_name: string;
        room: string;
        planned_start: Date;
        planned_end: Date;
        calendar_sequence: number;
        last_modified: Date;
      }>(COURSE_SESSIONS, [courseId, limit]);
      return rows.map((r) => ({
        id: r.id,
        courseId: r.course_id,
        courseName: r.course_name,
        room: r.room,
        plannedStart: r.planned_start,
        plannedEnd: r.planned_end,
        sequence: r.calendar_sequence,
        lastModified: r.last_modified,
      }));
    },
  };
}
