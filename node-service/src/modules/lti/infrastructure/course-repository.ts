import type { SqlDatabase } from '../../../shared/storage/sql.js';
import type { CourseLink, CourseLinkRepository, LaunchLedger, MemberRepository, RosterMember } from '../application/ports.js';

const LINK_COLUMNS = `platform_id::text AS platform_id, context_id, course_id, context_title, memberships_url, lineitems_url, lineitem_url, roster_synced_at`;
const FIND_LINK = `SELECT ${LINK_COLUMNS} FROM lti.course_links WHERE platform_id = $1 AND context_id = $2`;
const COURSE_LINKS = `SELECT ${LINK_COLUMNS} FROM lti.course_links WHERE course_id = $1 ORDER BY platform_id, context_id`;
const GRADEBOOK_LINKS = `SELECT ${LINK_COLUMNS} FROM lti.course_links WHERE lineitems_url IS NOT NULL ORDER BY platform_id, context_id`;
const UPSERT_LINK = `
  INSERT INTO lti.course_links (platform_id, context_id, course_id, context_title, memberships_url, lineitems_url)
  VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT (platform_id, context_id) DO UPDATE SET
    course_id = excluded.course_id, context_title = excluded.context_title,
    memberships_url = excluded.memberships_url, lineitems_url = excluded.lineitems_url,
    -- Another course: its line item is another one too.
    lineitem_url = CASE WHEN lti.course_links.course_id = excluded.course_id THEN lti.course_links.lineitem_url END`;
const UPDATE_SERVICES = `UPDATE lti.course_links SET memberships_url = $3, lineitems_url = $4 WHERE platform_id = $1 AND context_id = $2`;
const SET_LINEITEM = `UPDATE lti.course_links SET lineitem_url = $3 WHERE platform_id = $1 AND context_id = $2`;
const INSERT_NONCE = `INSERT INTO lti.nonces (platform_id, nonce, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`;
const PRUNE_NONCES = `DELETE FROM lti.nonces WHERE expires_at < now() - interval '1 hour'`;
const DELETE_MEMBERS = `DELETE FROM lti.members WHERE platform_id = $1 AND context_id = $2`;
const INSERT_MEMBERS = `
  INSERT INTO lti.members (platform_id, context_id, user_id, name, email, role, person_id)
  SELECT $1, $2, m.user_id, m.name, m.email, m.role, m.person_id
  FROM jsonb_to_recordset($3::jsonb) AS m(user_id text, name text, email text, role text, person_id text)`;
const MARK_SYNCED = `UPDATE lti.course_links SET roster_synced_at = now() WHERE platform_id = $1 AND context_id = $2`;
const LINK_MEMBERS = `SELECT user_id, name, email, role, person_id FROM lti.members WHERE platform_id = $1 AND context_id = $2 ORDER BY name, user_id`;

interface LinkRow {
  platform_id: string;
  context_id: string;
  course_id: string;
  context_title: string;
  memberships_url: string | null;
  lineitems_url: string | null;
  lineitem_url: string | null;
  roster_synced_at: Date | null;
}

const toLink = (r: LinkRow): CourseLink => ({
  platformId: r.platform_id,
  contextId: r.context_id,
  courseId: r.course_id,
  contextTitle: r.context_title,
  membershipsUrl: r.memberships_url,
  lineitemsUrl: r.lineitems_url,
  lineitemUrl: r.lineitem_url,
  rosterSyncedAt: r.roster_synced_at,
});

export function createCourseLinkRepository(db: SqlDatabase): CourseLinkRepository & LaunchLedger {
  return {
    async find(platformId, contextId) {
      const { rows } = await db.query<LinkRow>(FIND_LINK, [platformId, contextId]);
      return rows[0] ? toLink(rows[0]) : null;
    },
    async ofCourse(courseId) {
      return (await db.query<LinkRow>(COURSE_LINKS, [courseId])).rows.map(toLink);
    },
    async withGradebook() {
      return (await db.query<LinkRow>(GRADEBOOK_LINKS)).rows.map(toLink);
    },
    async link(input) {
      await db.query(UPSERT_LINK, [input.platformId, input.contextId, input.courseId, input.contextTitle, input.membershipsUrl, input.lineitemsUrl]);
    },
    async setLineItem(platformId, contextId, lineitemUrl) {
      await db.query(SET_LINEITEM, [platformId, contextId, lineitemUrl]);
    },
    async accept({ platformId, nonce, expiresAt, link }) {
      return db.transaction(async (tx) => {
        await tx.query(PRUNE_NONCES);
        const inserted = await tx.query(INSERT_NONCE, [platformId, nonce, expiresAt]);
        if ((inserted.rowCount ?? 0) === 0) return false;
        if (link?.courseId !== undefined) {
          const { membershipsUrl, lineitemsUrl } = link.services;
          await tx.query(UPSERT_LINK, [platformId, link.contextId, link.courseId, link.contextTitle ?? '', membershipsUrl, lineitemsUrl]);
        } else if (link) {
          await tx.query(UPDATE_SERVICES, [platformId, link.contextId, link.services.membershipsUrl, link.services.lineitemsUrl]);
        }
        return true;
      });
    },
  };
}

export function createMemberRepository(db: SqlDatabase): MemberRepository {
  return {
    async replace(platformId, contextId, members) {
      const rows = members.map((m) => ({ user_id: m.userId, name: m.name, email: m.email, role: m.role, person_id: m.personId }));
      await db.transaction(async (tx) => {
        await tx.query(DELETE_MEMBERS, [platformId, contextId]);
        await tx.query(INSERT_MEMBERS, [platformId, contextId, JSON.stringify(rows)]);
        await tx.query(MARK_SYNCED, [platformId, contextId]);
      });
    },
    async ofLink(platformId, contextId) {
      const { rows } = await db.query<{ user_id: string; name: string; email: string | null; role: RosterMember['role']; person_id: string | null }>(LINK_MEMBERS, [platformId, contextId]);
      return rows.map((r) => ({ userId: r.user_id, name: r.name, email: r.email, role: r.role, personId: r.person_id }));
    },
  };
}
