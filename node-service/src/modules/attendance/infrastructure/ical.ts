import ical from 'ical-generator';
import type { CalendarSession } from '../domain/calendar.js';

/**
 * A course's sessions as an RFC 5545 calendar (text/calendar), written by ical-generator: line folding at 75
 * octets, text escaping and the required properties are its job. Times are UTC (`...Z`), which every
 * calendar app shows in the reader's zone without a VTIMEZONE block. A session's UID is its id, so an edit
 * replaces the event (SEQUENCE and LAST-MODIFIED say which copy is newer) and a deleted one drops out.
 */
export function toICalendar(feed: { courseId: string; courseName: string; sessions: CalendarSession[] }, host: string, locale: 'es' | 'en'): string {
  const calendar = ical({
    name: `${feed.courseId} ${feed.courseName}`,
    prodId: { company: 'Asistencia', product: 'calendar-feed', language: locale === 'es' ? 'ES' : 'EN' },
    // Calendar apps that honour it fetch again after an hour.
    ttl: 60 * 60,
  });
  for (const session of feed.sessions) {
    calendar.createEvent({
      id: `${session.id}@${host}`,
      start: session.plannedStart,
      end: session.plannedEnd,
      summary: `${feed.courseName} (${feed.courseId})`,
      location: session.room,
      sequence: session.sequence,
      lastModified: session.lastModified,
      // DTSTAMP: when this copy of the event was last changed, so an unchanged event reads the same on every fetch.
      stamp: session.lastModified,
    });
  }
  // RFC 5545 §3.1 ends every content line, the last one too, with CRLF; ical-generator leaves the last bare.
  return `${calendar.toString()}\r\n`;
}
