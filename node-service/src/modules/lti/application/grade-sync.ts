import type { Identity } from '../../auth/index.js';
import { AppError } from '../../../shared/errors.js';
import { retryDelayMs, SCORE_MAXIMUM, scoreOf } from '../domain/grades.js';
import type { CourseLink, CourseLinkRepository, GradeRepository, GradeRow, GradeSource, MemberRepository, Platform, PlatformRepository, PlatformServices } from './ports.js';

/** The most grades one pass posts; the rest wait for the next pass. */
const POSTS_PER_PASS = 500;
/** How long a claimed grade is held by the instance posting it before another may try. */
const CLAIM_LEASE_MS = 120_000;

/**
 * The attendance grade passed back to the LMS (AGS 2.0): one line item per linked course, created by the
 * tool; each student's grade recorded from the GradeSource and posted when it differs from what the
 * platform last accepted, so a class that closes or a correction reaches the gradebook on the next pass.
 * A platform that fails is tried again later, waiting twice as long each time (up to a ceiling).
 */
export function createGradeSync(deps: {
  platforms: Pick<PlatformRepository, 'find'>;
  links: Pick<CourseLinkRepository, 'withGradebook' | 'ofCourse' | 'setLineItem'>;
  members: Pick<MemberRepository, 'ofLink'>;
  grades: GradeRepository;
  services: Pick<PlatformServices, 'lineItem' | 'postScore'>;
  source: GradeSource;
  retry: { baseMs: number; maxMs: number };
  assertTeaches: (personId: string, courseId: string) => Promise<void>;
  report: (error: unknown, context: string) => void;
}) {
  const platformOf = async (id: string, cache: Map<string, Platform | null>) => {
    if (!cache.has(id)) cache.set(id, await deps.platforms.find(id));
    return cache.get(id) ?? null;
  };

  /** Makes sure the course has its line item, then records every matched student's current grade. */
  async function refresh(link: CourseLink, platform: Platform): Promise<void> {
    if (!link.lineitemsUrl) return;
    if (!link.lineitemUrl) {
      const url = await deps.services.lineItem(platform, link.lineitemsUrl, {
        resourceId: `asistencia:${link.courseId}`,
        label: 'Asistencia',
        scoreMaximum: SCORE_MAXIMUM,
      });
      await deps.links.setLineItem(link.platformId, link.contextId, url);
    }
    for (const member of await deps.members.ofLink(link.platformId, link.contextId)) {
      if (member.role !== 'student' || member.personId === null) continue;
      const fraction = await deps.source.gradeFor(link.courseId, member.personId);
      if (fraction === null) continue;
      await deps.grades.record({ platformId: link.platformId, contextId: link.contextId, userId: member.userId, studentId: member.personId, score: scoreOf(fraction) });
    }
  }

  async function postDue(cache: Map<string, Platform | null>): Promise<{ sent: number; failed: number }> {
    const counts = { sent: 0, failed: 0 };
    for (const row of await deps.grades.claimDue(POSTS_PER_PASS, CLAIM_LEASE_MS)) {
      const platform = await platformOf(row.platformId, cache);
      const { lineitemUrl } = row;
      try {
        if (!platform || !lineitemUrl) throw new Error('the course has no line item yet');
        await deps.services.postScore(platform, lineitemUrl, { userId: row.userId, scoreGiven: row.score, scoreMaximum: SCORE_MAXIMUM });
        await deps.grades.markSent(row);
        counts.sent += 1;
      } catch (error) {
        await deps.grades.markFailed(row, reasonOf(error), retryDelayMs(row.attempts + 1, deps.retry));
        counts.failed += 1;
      }
    }
    return counts;
  }

  async function runLinks(links: CourseLink[]) {
    const cache = new Map<string, Platform | null>();
    for (const link of links) {
      const platform = await platformOf(link.platformId, cache);
      if (!platform) continue;
      await refresh(link, platform).catch((error: unknown) => deps.report(error, `LTI grades of course ${link.courseId} not refreshed`));
    }
    return postDue(cache);
  }

  const syncLinked = async (courseId: string) => runLinks((await deps.links.ofCourse(courseId)).filter((l) => l.lineitemsUrl));

  return {
    /** One pass over every linked course (the periodic job). */
    runOnce: async () => runLinks(await deps.links.withGradebook()),

    /** This course's grades recorded and posted now, whoever asks (a class closed, attendance corrected). */
    syncLinked,

    /** The teacher's "send now": this course's grades recorded and posted at once. */
    async syncCourse(actor: Identity, courseId: string) {
      if (actor.role !== 'admin') await deps.assertTeaches(actor.id, courseId);
      return syncLinked(courseId);
    },

    /** What the teacher sees: each student's grade and its state, per linked LMS course. */
    async status(actor: Identity, courseId: string): Promise<GradeRow[]> {
      if (actor.role !== 'admin') await deps.assertTeaches(actor.id, courseId);
      const links = await deps.links.ofCourse(courseId);
      return (await Promise.all(links.map((l) => deps.grades.ofLink(l.platformId, l.contextId)))).flat();
    },
  };
}

/** A failure in words the teacher can read (English: it is also logged); AppErrors carry their own message. */
function reasonOf(error: unknown): string {
  if (error instanceof AppError) return error.localized('es');
  return error instanceof Error ? error.message.slice(0, 300) : 'unknown error';
}

export type GradeSync = ReturnType<typeof createGradeSync>;
