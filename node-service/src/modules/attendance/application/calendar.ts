import { createHash } from 'node:crypto';
import type { Identity } from '../../auth/index.js';
import type { CourseAccess, CourseDirectory } from '../../directory/index.js';
import { calendarErrors, FEED_TOKEN_PATTERN, type CalendarSession } from '../domain/calendar.js';

export interface CalendarRepository {
  /** Stores a user's feed token hash, replacing any earlier one; answers when. */
  save(userId: string, role: 'student' | 'teacher' | 'admin', tokenHash: Buffer): Promise<Date>;
  /** Whether the user has a feed, and since when. */
  find(userId: string): Promise<{ createdAt: Date } | null>;
  /** True when a feed was there to revoke. */
  revoke(userId: string): Promise<boolean>;
  owner(tokenHash: Buffer): Promise<{ userId: string; role: 'student' | 'teacher' | 'admin' } | null>;
  /** The course's sessions, whatever their state, oldest first, at most `limit`. */
  courseSessions(courseId: string, limit: number): Promise<CalendarSession[]>;
}
const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/**
 * Calendar feeds: a secret token per user that a calendar app sends in the feed's address instead of the
 * portal token, and the sessions of each course the user teaches or is on the roster of.
 */
export function createCalendarService(deps: {
  feeds: CalendarRepository;
  directory: Pick<CourseDirectory, 'coursesOf'>;
  /** A teacher's courses: those they teach or staff, as far as they may see its classes. */
  access: Pick<CourseAccess, 'mine'>;
  /** A new secret token (32 random bytes, base64url). */
  newToken: () => string;
  /** CALENDAR_FEED_MAX_SESSIONS: the most sessions one feed lists. */
  maxSessions: number;
}) {
  const coursesOf = async (userId: string, role: string): Promise<Array<{ id: string; name: string }>> => {
    if (role === 'student') return deps.directory.coursesOf(userId);
    return (await deps.access.mine({ id: userId, role })).filter((c) => c.rights.includes('see_classes'));
  };

  return {
    /** Whether the user has a feed token, and the courses a feed exists for. */
    async status(actor: Identity) {
      const [feed, courses] = await Promise.all([deps.feeds.find(actor.id), coursesOf(actor.id, actor.role)]);
      return { active: feed !== null, createdAt: feed?.createdAt ?? null, courses: courses.map((c) => ({ id: c.id, name: c.name })) };
    },

    /** A new token, replacing the old one (whose addresses stop working at once); shown once, kept hashed. */
    async regenerate(actor: Identity) {
      const token = deps.newToken();
      const createdAt = await deps.feeds.save(actor.id, actor.role, hashOf(token));
      const courses = await coursesOf(actor.id, actor.role);
      return { token, createdAt, courses: courses.map((c) => ({ id: c.id, name: c.name })) };
    },

    async revoke(actor: Identity) {
      return deps.feeds.revoke(actor.id);
    },

    /** The course's sessions for the token's owner; CALENDAR_FEED_NOT_FOUND for any token or course they may not read. */
    async feed(token: string, courseId: string): Promise<{ courseId: string; courseName: string; sessions: CalendarSession[] }> {
      if (!FEED_TOKEN_PATTERN.test(token)) throw calendarErrors.CALENDAR_FEED_NOT_FOUND();
      const owner = await deps.feeds.owner(hashOf(token));
      if (!owner) throw calendarErrors.CALENDAR_FEED_NOT_FOUND();
      // Checked on every fetch: a student dropped from the roster, a course handed to another teacher, or a person taken off its staff ends the feed.
      const course = (await coursesOf(owner.userId, owner.role)).find((c) => c.id === courseId);
      if (!course) throw calendarErrors.CALENDAR_FEED_NOT_FOUND();
      return { courseId, courseName: course.name, sessions: await deps.feeds.courseSessions(courseId, deps.maxSessions) };
    },
  };
}

export type CalendarService = ReturnType<typeof createCalendarService>;
