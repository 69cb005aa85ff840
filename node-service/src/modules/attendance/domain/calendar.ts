import { defineErrors } from '../../../shared/errors.js';

export const calendarErrors = defineErrors({
  CALENDAR_FEED_NOT_FOUND: {
    kind: 'not_found',
    // The same answer for a wrong token, a revoked one and a course the token's owner is not on: a feed
    // address tells nobody which of them it was.
    es: 'Este calendario no existe o su enlace fue reemplazado. Copia el enlace nuevo desde Asistencia.',
    en: 'This calendar does not exist or its link was replaced. Copy the new link from Asistencia.',
  },
});

/** A feed token: 32 random bytes as base64url, 43 characters. */
export const FEED_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** One class as a calendar event. */
export interface CalendarSession {
  id: string;
  courseId: string;
  courseName: string;
  room: string;
  plannedStart: Date;
  plannedEnd: Date;
  /** Bumped each time the room or the planned times change (RFC 5545 SEQUENCE). */
  sequence: number;
  /** When the room or times last changed, or when the session was planned. */
  lastModified: Date;
}
