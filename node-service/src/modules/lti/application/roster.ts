import type { Identity } from '../../auth/index.js';
import { ltiErrors } from '../domain/errors.js';
import { memberRole } from '../domain/roles.js';
import type { CourseLink, CourseLinkRepository, MemberRepository, People, Platform, PlatformRepository, PlatformServices, RosterMember } from './ports.js';

/** Where a student of the merged roster comes from: the portal's roster, the LMS's (NRPS), or both. */
type RosterSource = 'both' | 'portal' | 'lms';

export interface MergedStudent {
  /** The portal's id; null for an LMS member the portal does not know (no account to sign in with). */
  studentId: string | null;
  name: string;
  email: string | null;
  source: RosterSource;
}

/**
 * The course roster from the platform (NRPS 2.0): synced on each launch into the course and on demand,
 * students who never launched included, each matched to a portal person by e-mail (or the configured
 * field), and merged with the portal's roster with the source of each student said.
 */
export function createRosterService(deps: {
  platforms: Pick<PlatformRepository, 'find'>;
  links: Pick<CourseLinkRepository, 'find' | 'ofCourse'>;
  members: MemberRepository;
  services: Pick<PlatformServices, 'memberships'>;
  people: People;
  personField: 'email' | 'username';
  maxMembers: number;
  assertTeaches: (personId: string, courseId: string) => Promise<void>;
}) {
  async function sync(platform: Platform, link: CourseLink): Promise<number> {
    if (!link.membershipsUrl) throw ltiErrors.LTI_SERVICE_NOT_OFFERED({ service: 'NRPS' });
    const listed = await deps.services.memberships(platform, link.membershipsUrl, deps.maxMembers);
    const members: RosterMember[] = [];
    for (const member of listed.filter((m) => m.status === 'Active')) {
      const value = deps.personField === 'email' ? member.email : member.sourcedId;
      const person = value ? await deps.people.personBy({ field: deps.personField, value }) : null;
      members.push({ userId: member.userId, name: member.name, email: member.email, role: memberRole(member.roles), personId: person?.id ?? null });
    }
    await deps.members.replace(platform.id, link.contextId, members);
    return members.length;
  }

  async function assertAllowed(actor: Identity, courseId: string) {
    if (actor.role === 'admin') return;
    if (actor.role !== 'teacher') throw ltiErrors.LTI_COURSE_NOT_TAUGHT({ courseId });
    await deps.assertTeaches(actor.id, courseId);
  }

  return {
    /** After a launch: the course's roster from its platform, when the platform offers NRPS. */
    async syncLink(platform: Platform, contextId: string): Promise<void> {
      const link = await deps.links.find(platform.id, contextId);
      if (link?.membershipsUrl) await sync(platform, link);
    },

    /** The teacher's "sync now": every LMS course linked to this course. */
    async syncCourse(actor: Identity, courseId: string): Promise<{ members: number }> {
      await assertAllowed(actor, courseId);
      let total = 0;
      for (const link of (await deps.links.ofCourse(courseId)).filter((l) => l.membershipsUrl)) {
        const platform = await deps.platforms.find(link.platformId);
        if (platform) total += await sync(platform, link);
      }
      return { members: total };
    },

    /** The portal's roster and the LMS's, merged, with a source per student. */
    async merged(actor: Identity, courseId: string): Promise<{ links: CourseLink[]; students: MergedStudent[] }> {
      await assertAllowed(actor, courseId);
      const [roster, links] = await Promise.all([deps.people.roster(courseId), deps.links.ofCourse(courseId)]);
      const lms = (await Promise.all(links.map((l) => deps.members.ofLink(l.platformId, l.contextId)))).flat().filter((m) => m.role === 'student');
      const inLms = new Set(lms.map((m) => m.personId).filter((id): id is string => id !== null));
      const students: MergedStudent[] = roster.students.map((s) => ({
        studentId: s.id,
        name: s.name,
        email: lms.find((m) => m.personId === s.id)?.email ?? null,
        source: inLms.has(s.id) ? 'both' : 'portal',
      }));
      const seen = new Set(roster.students.map((s) => s.id));
      for (const member of lms) {
        if (member.personId !== null && seen.has(member.personId)) continue;
        if (member.personId !== null) seen.add(member.personId);
        students.push({ studentId: member.personId, name: member.name, email: member.email, source: 'lms' });
      }
      students.sort((a, b) => a.name.localeCompare(b.name, 'es'));
      return { links, students };
    },
  };
}

export type RosterService = ReturnType<typeof createRosterService>;
