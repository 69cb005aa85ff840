import { isErasedId } from '../../../shared/ids.js';
import { locks, lockStatement } from '../../../shared/storage/locks.js';
import type { SqlDatabase, SqlExecutor } from '../../../shared/storage/sql.js';
import { attendanceErrors } from '../domain/errors.js';
import { refreshResults } from './results-writer.js';
import type { Session } from '../domain/session.js';
import type { LiveCount, RosterRow, RoundSummary, SessionRepository } from '../application/ports.js';

const SESSION_COLUMNS = `
  s.id, s.course_id, s.course_name, s.teacher_id, s.room, s.planned_start, s.planned_end,
  s.rounds_planned, s.rotation_period_ms, s.grace_ms, s.late_after_minutes,
  s.allowed_networks::text[] AS allowed_networks, s.fallback_code_enabled, s.roster_policy, s.state,
  s.opened_at, s.closed_at, s.rounds_started::int AS rounds_started, s.current_round::int AS current_round, s.series_id`;

const INSERT_SESSION = `
  INSERT INTO attendance.sessions (course_id, course_name, teacher_id, room, planned_start, planned_end, rounds_planned,
    rotation_period_ms, grace_ms, late_after_minutes, allowed_networks, fallback_code_enabled, roster_policy)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::cidr[], $12, $13)
  RETURNING id`;
const SELECT_SESSION = `SELECT ${SESSION_COLUMNS} FROM attendance.sessions s WHERE s.id = $1`;
const LOCK_SESSION = `SELECT id FROM attendance.sessions WHERE id = $1 FOR UPDATE`;
const SERIES_SESSION_IDS = `
  SELECT id FROM attendance.sessions WHERE series_id = $1 AND ($2::timestamptz IS NULL OR planned_start >= $2) ORDER BY id`;
const LOCK_SERIES = `
  SELECT ${SESSION_COLUMNS} FROM attendance.sessions s
  WHERE s.series_id = $1 AND ($2::timestamptz IS NULL OR s.planned_start >= $2)
  ORDER BY s.planned_start, s.id FOR UPDATE`;

const INSERT_SERIES = `
  INSERT INTO attendance.session_series (course_id, teacher_id, weekdays, start_time, end_time, first_date, until_date, time_zone, occurrences, recesses, skipped)
  VALUES ($1, $2, $3::smallint[], $4::time, $5::time, $6::date, $7::date, $8, $9, $10::jsonb, $11::jsonb)
  RETURNING id`;
// One statement for every class of the series: each class's times come in as two parallel arrays.
const INSERT_SERIES_SESSIONS = `
  INSERT INTO attendance.sessions (course_id, course_name, teacher_id, room, planned_start, planned_end, rounds_planned,
    rotation_period_ms, grace_ms, late_after_minutes, allowed_networks, fallback_code_enabled, roster_policy, series_id)
  SELECT $1, $2, $3, $4, class.planned_start, class.planned_end, $7, $8, $9, $10, $11::cidr[], $12, $13, $14
  FROM unnest($5::timestamptz[], $6::timestamptz[]) AS class(planned_start, planned_end)
  RETURNING id`;
// Page by page: the key (planned_start, id) of the previous page's last row, in the order asked.
const listSql = (order: 'asc' | 'desc') => `
  SELECT ${SESSION_COLUMNS} FROM attendance.sessions s
  WHERE ($1::text[] IS NULL OR s.course_id = ANY ($1))
    AND ($2::text IS NULL OR s.course_id = $2)
    AND ($3::timestamptz IS NULL OR s.planned_start >= $3)
    AND ($4::timestamptz IS NULL OR s.planned_start < $4)
    AND ($5::timestamptz IS NULL OR (s.planned_start, s.id) ${order === 'desc' ? '<' : '>'} ($5, $6::uuid))
  ORDER BY s.planned_start ${order}, s.id ${order}
  LIMIT $7`;
const LIST = { asc: listSql('asc'), desc: listSql('desc') };
// A new room or time bumps the session's calendar SEQUENCE (attendance/infrastructure/ical.ts): calendar apps
// replace their copy of the event only when it grows.
const UPDATE_SESSION = `
  UPDATE attendance.sessions SET room = $2, planned_start = $3, planned_end = $4, rounds_planned = $5,
    calendar_sequence = calendar_sequence + CASE WHEN (room, planned_start, planned_end) IS DISTINCT FROM ($2::text, $3::timestamptz, $4::timestamptz) THEN 1 ELSE 0 END,
    calendar_changed = CASE WHEN (room, planned_start, planned_end) IS DISTINCT FROM ($2::text, $3::timestamptz, $4::timestamptz) THEN now() ELSE calendar_changed END
  WHERE id = $1 AND state = 'scheduled'`;
const DELETE_SESSION = `DELETE FROM attendance.sessions WHERE id = $1 AND state = 'scheduled' AND opened_at IS NULL`;
const RECORD_CHANGE = `
  INSERT INTO attendance.session_changes (session_id, course_id, action, before, after, actor_id, actor_role)
  VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7)`;
const MARK_OPEN = `UPDATE attendance.sessions SET state = 'open', opened_at = now() WHERE id = $1`;
const REGISTER_ROSTER = `
  INSERT INTO attendance.registrations (session_id, student_id, student_name, source)
  SELECT $1, student.id, student.name, 'roster'
  FROM unnest($2::text[], $3::text[]) AS student(id, name)
  ON CONFLICT (session_id, student_id) DO NOTHING`;
// The session row carries its rounds too (rounds_started, current_round): see migration 003 for why.
const INSERT_ROUND = `
  WITH started AS (INSERT INTO attendance.rounds (session_id, number) VALUES ($1, $2))
  UPDATE attendance.sessions SET rounds_started = $2, current_round = $2 WHERE id = $1`;
const END_ROUND = `
  WITH ended AS (UPDATE attendance.rounds SET ended_at = now() WHERE session_id = $1 AND number = $2 AND ended_at IS NULL)
  UPDATE attendance.sessions SET current_round = NULL WHERE id = $1`;
const MARK_CLOSED = `
  WITH ended AS (UPDATE attendance.rounds SET ended_at = now() WHERE session_id = $1 AND ended_at IS NULL)
  UPDATE attendance.sessions SET state = 'closed', closed_at = now(), opened_at = coalesce(opened_at, now()), current_round = NULL
  WHERE id = $1`;
const ROUNDS = `
  SELECT r.number::int AS number, r.started_at, r.ended_at,
         (SELECT count(*)::int FROM attendance.validations v WHERE v.session_id = r.session_id AND v.round = r.number) AS confirmed
  FROM attendance.rounds r WHERE r.session_id = $1 ORDER BY r.number`;
const ROSTER = `
  SELECT g.student_id, g.student_name, g.source, g.flagged, r.status, r.override_reason, r.first_confirmed_at,
         coalesce(array_agg(v.round::int ORDER BY v.round) FILTER (WHERE v.round IS NOT NULL), '{}') AS rounds_confirmed,
         ARRAY(SELECT DISTINCT a FROM attendance.validations w, unnest(w.alerts) a
               WHERE w.session_id = $1 AND w.student_id = g.student_id ORDER BY a) AS alerts,
         (SELECT c.outcome FROM attendance.spot_check_calls c WHERE c.session_id = $1 AND c.student_id = g.student_id
          ORDER BY c.spot_check_id DESC LIMIT 1) AS spot_check,
         (SELECT json_build_object('code', t.last_code, 'at', t.last_at, 'count', t.attempts) FROM attendance.scan_attempts t
          WHERE t.session_id = $1 AND t.student_id = g.student_id) AS attempt
  FROM attendance.registrations g
  LEFT JOIN attendance.results r ON r.session_id = g.session_id AND r.student_id = g.student_id
  LEFT JOIN attendance.validations v ON v.session_id = g.session_id AND v.student_id = g.student_id
  WHERE g.session_id = $1
  GROUP BY g.student_id, g.student_name, g.source, g.flagged, r.status, r.override_reason, r.first_confirmed_at
  ORDER BY g.student_name`;
const LIVE_COUNT = `
  SELECT cur.number::int AS round,
         (SELECT count(*)::int FROM attendance.validations v WHERE v.session_id = $1 AND v.round = cur.number) AS confirmed,
         (SELECT count(*)::int FROM attendance.registrations g WHERE g.session_id = $1 AND g.source = 'roster') AS expected
  FROM (SELECT (SELECT current_round FROM attendance.sessions WHERE id = $1) AS number) cur`;

interface SessionRow {
  id: string;
  course_id: string;
  course_name: string;
  teacher_id: string;
  room: string;
  planned_start: Date;
  planned_end: Date;
  rounds_planned: number;
  rotation_period_ms: number;
  grace_ms: number;
  late_after_minutes: number;
  allowed_networks: string[];
  fallback_code_enabled: boolean;
  roster_policy: Session['rosterPolicy'];
  state: Session['state'];
  opened_at: Date | null;
  closed_at: Date | null;
  rounds_started: number;
  current_round: number | null;
  series_id: string | null;
}

/** What an audit row keeps of a session: what a teacher may change, and what says which class it was. */
const auditedFields = (s: Pick<Session, 'room' | 'plannedStart' | 'plannedEnd' | 'roundsPlanned' | 'courseName' | 'seriesId'>) =>
  JSON.stringify({
    courseName: s.courseName,
    room: s.room,
    plannedStart: s.plannedStart.toISOString(),
    plannedEnd: s.plannedEnd.toISOString(),
    roundsPlanned: s.roundsPlanned,
    seriesId: s.seriesId,
  });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createSessionRepository(db: SqlDatabase): SessionRepository {
  const find = async (executor: SqlExecutor, id: string) => {
    if (!UUID.test(id)) return null;
    const { rows } = await executor.query<SessionRow>(SELECT_SESSION, [id]);
    return rows[0] ? toSession(rows[0]) : null;
  };
  return {
    async insert(s) {
      const { rows } = await db.query<{ id: string }>(INSERT_SESSION, [
        s.courseId, s.courseName, s.teacherId, s.room, s.plannedStart, s.plannedEnd, s.roundsPlanned,
        s.rotationPeriodMs, s.graceMs, s.lateAfterMinutes, s.allowedNetworks, s.fallbackCodeEnabled, s.rosterPolicy,
      ]);
      return (await find(db, rows[0]!.id))!;
    },
    find: (id) => find(db, id),
    insertSeries(series, classes) {
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<{ id: string }>(INSERT_SERIES, [
          series.courseId, series.teacherId, series.weekdays, series.startTime, series.endTime,
          series.firstDate, series.untilDate, series.timeZone, classes.length, JSON.stringify(series.recesses), JSON.stringify(series.skipped),
        ]);
        const seriesId = rows[0]!.id;
        const s = classes[0]!; // every class shares all but its times
        await tx.query(INSERT_SERIES_SESSIONS, [
          s.courseId, s.courseName, s.teacherId, s.room, classes.map((c) => c.plannedStart), classes.map((c) => c.plannedEnd),
          s.roundsPlanned, s.rotationPeriodMs, s.graceMs, s.lateAfterMinutes, s.allowedNetworks, s.fallbackCodeEnabled, s.rosterPolicy, seriesId,
        ]);
        const created = await tx.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM attendance.sessions s WHERE s.series_id = $1 ORDER BY s.planned_start`, [seriesId]);
        return { seriesId, sessions: created.rows.map(toSession) };
      });
    },
    insertMany(classes) {
      return db.transaction(async (tx) => {
        const created: Session[] = [];
        for (const s of classes) {
          const { rows } = await tx.query<{ id: string }>(INSERT_SESSION, [
            s.courseId, s.courseName, s.teacherId, s.room, s.plannedStart, s.plannedEnd, s.roundsPlanned,
            s.rotationPeriodMs, s.graceMs, s.lateAfterMinutes, s.allowedNetworks, s.fallbackCodeEnabled, s.rosterPolicy,
          ]);
          created.push((await find(tx, rows[0]!.id))!);
        }
        return created;
      });
    },
    withLockedSeries(seriesId, from, work) {
      return db.transaction(async (tx) => {
        // In the order withLockedSession takes them (each session's key, then the rows): confirmations in
        // flight hold the keys shared, so the change waits for them, and an opening cannot interleave.
        const ids = await tx.query<{ id: string }>(SERIES_SESSION_IDS, [seriesId, from]);
        for (const { id } of ids.rows) await tx.exec(lockStatement(locks.session, id));
        const { rows } = await tx.query<SessionRow>(LOCK_SERIES, [seriesId, from]);
        return work(rows.map(toSession), tx);
      });
    },
    async list(q) {
      const { rows } = await db.query<SessionRow>(LIST[q.order], [
        q.courseIds, q.courseId ?? null, q.from ?? null, q.until ?? null, q.after?.plannedStart ?? null, q.after?.id ?? null, q.limit,
      ]);
      return rows.map(toSession);
    },
    async update(tx, before, changes, actor) {
      const after = { ...before, ...changes };
      await tx.query(UPDATE_SESSION, [before.id, after.room, after.plannedStart, after.plannedEnd, after.roundsPlanned]);
      await tx.query(RECORD_CHANGE, [before.id, before.courseId, 'edited', auditedFields(before), auditedFields(after), actor.id, actor.role]);
    },
    async remove(tx, before, actor) {
      await tx.query(DELETE_SESSION, [before.id]);
      await tx.query(RECORD_CHANGE, [before.id, before.courseId, 'deleted', auditedFields(before), null, actor.id, actor.role]);
    },
    withLockedSession(id, work) {
      return db.transaction(async (tx) => {
        if (!UUID.test(id)) throw attendanceErrors.SESSION_NOT_FOUND();
        // Waits for confirmations in flight (attendance.record_confirmations holds the session's lock shared),
        // and new ones wait for this change.
        await tx.exec(lockStatement(locks.session, id));
        await tx.query(LOCK_SESSION, [id]);
        const session = await find(tx, id);
        if (!session) throw attendanceErrors.SESSION_NOT_FOUND();
        return work(session, tx);
      });
    },
    async markOpen(tx, id, roster) {
      await tx.query(MARK_OPEN, [id]);
      await tx.query(REGISTER_ROSTER, [id, roster.map((s) => s.id), roster.map((s) => s.name)]);
    },
    async insertRound(tx, id, number) {
      await tx.query(INSERT_ROUND, [id, number]);
    },
    async endRound(tx, id, number) {
      await tx.query(END_ROUND, [id, number]);
    },
    async markClosed(tx, id) {
      await tx.query(MARK_CLOSED, [id]);
    },
    refreshResults: (tx, session, roundsRun, final) => refreshResults(tx, { id: session.id, roundsRun, final }),
    async rounds(id) {
      const { rows } = await db.query<{ number: number; started_at: Date; ended_at: Date | null; confirmed: number }>(ROUNDS, [id]);
      return rows.map((r): RoundSummary => ({ number: r.number, startedAt: r.started_at, endedAt: r.ended_at, confirmed: r.confirmed }));
    },
    async roster(id) {
      const { rows } = await db.query<{
        student_id: string;
        student_name: string;
        source: RosterRow['source'];
        flagged: boolean;
        status: RosterRow['status'];
        override_reason: string | null;
        first_confirmed_at: Date | null;
        rounds_confirmed: number[];
        alerts: string[];
        spot_check: RosterRow['spotCheck'];
        attempt: { code: string; at: string; count: number } | null;
      }>(ROSTER, [id]);
      return rows.map((r): RosterRow => ({
        studentId: r.student_id,
        studentName: r.student_name,
        source: r.source,
        flagged: r.flagged,
        roundsConfirmed: r.rounds_confirmed,
        alerts: r.alerts,
        status: r.status,
        firstConfirmedAt: r.first_confirmed_at,
        overrideReason: r.override_reason,
        spotCheck: r.spot_check,
        erased: isErasedId(r.student_id),
        attempt: r.attempt ? { code: r.attempt.code, at: new Date(r.attempt.at), count: r.attempt.count } : null,
      }));
    },
    async liveCount(id) {
      const { rows } = await db.query<{ round: number | null; confirmed: number; expected: number }>(LIVE_COUNT, [id]);
      const row = rows[0]!;
      return { round: row.round, confirmed: row.round === null ? 0 : row.confirmed, expected: row.expected } satisfies LiveCount;
    },
  };
}

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    courseId: row.course_id,
    courseName: row.course_name,
    teacherId: row.teacher_id,
    room: row.room,
    plannedStart: row.planned_start,
    plannedEnd: row.planned_end,
    roundsPlanned: row.rounds_planned,
    rotationPeriodMs: row.rotation_period_ms,
    graceMs: row.grace_ms,
    lateAfterMinutes: row.late_after_minutes,
    allowedNetworks: row.allowed_networks,
    fallbackCodeEnabled: row.fallback_code_enabled,
    rosterPolicy: row.roster_policy,
    state: row.state,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
    roundsStarted: row.rounds_started,
    currentRound: row.current_round,
    seriesId: row.series_id,
  };
}
