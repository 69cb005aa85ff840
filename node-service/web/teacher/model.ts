// The class session as the service's API returns it (modules/attendance/presentation/schemas.ts), and how
// the teacher page writes its times.
import ipaddr from 'ipaddr.js';
import { basePath } from '../src/lib/api';
import type { Standing } from '../src/lib/standing';
import type { Grade, GradePolicy } from '../src/lib/grade';

export type SessionState = 'scheduled' | 'open' | 'closed';

export interface Course {
  readonly id: string;
  readonly name: string;
}

export interface Session {
  readonly id: string;
  readonly courseId: string;
  readonly courseName: string;
  readonly teacherId: string;
  readonly room: string;
  readonly plannedStart: string;
  readonly plannedEnd: string;
  readonly roundsPlanned: number;
  readonly rotationPeriodMs: number;
  readonly graceMs: number;
  readonly lateAfterMinutes: number;
  readonly allowedNetworks: readonly string[];
  readonly fallbackCodeEnabled: boolean;
  readonly rosterPolicy: 'refuse' | 'flag';
  readonly state: SessionState;
  readonly openedAt: string | null;
  readonly closedAt: string | null;
  readonly roundsStarted: number;
  readonly currentRound: number | null;
  /** The weekly series that made it (null: made alone). */
  readonly seriesId: string | null;
}

/** A page of GET /api/sessions. */
export interface SessionPage {
  readonly sessions: readonly Session[];
  readonly nextCursor: string | null;
}

/** The list's filters; dates are in the institution's zone, both included. */
export interface ListFilter {
  readonly courseId: string;
  readonly from: string;
  readonly to: string;
  readonly order: 'desc' | 'asc';
}

export function listQuery(filter: ListFilter, cursor?: string | null): string {
  const query = new URLSearchParams();
  if (filter.courseId) query.set('courseId', filter.courseId);
  if (filter.from) query.set('from', filter.from);
  if (filter.to) query.set('to', filter.to);
  if (filter.order !== 'desc') query.set('order', filter.order);
  if (cursor) query.set('cursor', cursor);
  const text = query.toString();
  return text ? `${sessionsPath}?${text}` : sessionsPath;
}

/** What POST /api/session-series takes (times and dates on the institution's wall clock). */
export interface SeriesDraft {
  readonly courseId: string;
  readonly room: string;
  readonly weekdays: readonly number[];
  readonly startTime: string;
  readonly endTime: string;
  readonly firstDate: string;
  readonly untilDate: string;
  readonly roundsPlanned: number;
  readonly allowedNetworks: readonly string[];
  readonly fallbackCodeEnabled: boolean;
  readonly rosterPolicy: 'refuse' | 'flag';
  readonly recesses: ReadonlyArray<{ readonly from: string; readonly to: string; readonly name?: string }>;
}

/** A date a series left out, and why (POST /api/session-series answers them). */
export interface SkippedDate {
  readonly date: string;
  readonly reason: 'holiday' | 'recess';
  readonly name: string;
}

export const seriesPath = `${basePath}api/session-series`;

/** How many classes a series makes: the chosen ISO weekdays (1 = Monday) from first to until, both included. */
export function seriesCount(firstDate: string, untilDate: string, weekdays: readonly number[]): number {
  const day = (date: string): number | null => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
    return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000 : null;
  };
  const first = day(firstDate);
  const until = day(untilDate);
  if (first === null || until === null || until < first) return 0;
  const chosen = new Set(weekdays);
  const days = until - first + 1;
  let count = Math.floor(days / 7) * chosen.size;
  for (let d = first + Math.floor(days / 7) * 7; d <= until; d += 1) if (chosen.has(((((d + 3) % 7) + 7) % 7) + 1)) count += 1;
  return count;
}

export interface SessionDraft {
  readonly courseId: string;
  readonly room: string;
  readonly plannedStart: string;
  readonly plannedEnd: string;
  readonly roundsPlanned: number;
  readonly rotationPeriodMs?: number;
  readonly graceMs?: number;
  readonly lateAfterMinutes?: number;
  readonly allowedNetworks: readonly string[];
  readonly fallbackCodeEnabled: boolean;
  readonly rosterPolicy: 'refuse' | 'flag';
}

export type ResultStatus = 'present' | 'partial' | 'late' | 'absent' | 'excused' | 'manual_present' | 'manual_absent';
export type CorrectionChoice = 'excused' | 'manual_present' | 'manual_absent' | 'computed';

export interface RosterRow {
  readonly studentId: string;
  readonly studentName: string;
  readonly source: 'roster' | 'walk_in';
  readonly flagged: boolean;
  readonly roundsConfirmed: readonly number[];
  /** What the student's confirmations carried: shared_phone, synced_passkey, frequent_rebinds, rebound_recently. */
  readonly alerts: readonly string[];
  /** The result shown (a correction replaces the computed one). Not (yet) sent by GET /api/sessions/:id. */
  readonly status?: ResultStatus;
  readonly overrideReason?: string | null;
  /** When the student first confirmed (null: not yet). */
  readonly firstConfirmedAt?: string | null;
  /** The last spot check's mark for the student (null: never called). */
  readonly spotCheck?: SpotCheckOutcome | null;
  /** Erased at their request: shown as "Estudiante eliminado", with no correction. */
  readonly erased?: boolean;
  /** The latest scan of the student refused in this session: the service's error code, when, how many. */
  readonly attempt?: { readonly code: string; readonly at: string; readonly count: number } | null;
}

export type SpotCheckOutcome = 'called' | 'answered' | 'no_answer';

/** One "Llamar al azar" draw, as GET/POST /api/sessions/:id/spot-checks answer it. */
export interface SpotCheck {
  readonly id: number;
  readonly round: number | null;
  readonly drawnBy: string;
  readonly drawnAt: string;
  readonly calls: ReadonlyArray<{
    readonly studentId: string;
    readonly studentName: string;
    readonly outcome: SpotCheckOutcome;
    readonly reason: string | null;
    readonly decidedAt: string | null;
  }>;
}

/** What the roster's status column says: the result, or Pendiente while the class runs and nothing came yet. */
export type RosterStatus = ResultStatus | 'pending';

export function rosterStatus(row: RosterRow, state: SessionState, corrected?: CorrectedResult): RosterStatus {
  const status = corrected?.status ?? row.status;
  if (!status || state === 'scheduled') return 'pending';
  if (state === 'open' && status === 'absent' && row.roundsConfirmed.length === 0) return 'pending';
  return status;
}

/** Missing: not confirmed, not excused and not marked present (or marked absent). */
function isMissing(status: RosterStatus): boolean {
  return status === 'pending' || status === 'absent' || status === 'manual_absent';
}

/**
 * Sorting key read surname first, as the exports sort (attendance/domain/report.ts): the last two words of a
 * name of three or more ("Luis Alberto Pérez Soto"), the last word otherwise.
 */
function surnameFirst(name: string): string {
  const words = name.trim().split(/\s+/);
  const surnames = words.length >= 3 ? words.length - 2 : words.length - 1;
  return [...words.slice(surnames), ...words.slice(0, surnames)].join(' ');
}

export type RosterSort = 'surname' | 'status' | 'time';

export interface RosterFilter {
  readonly query: string;
  readonly onlyMissing: boolean;
  readonly sort: RosterSort;
}

const STATUS_ORDER: readonly RosterStatus[] = ['pending', 'absent', 'manual_absent', 'partial', 'late', 'present', 'manual_present', 'excused'];
const confirmedAt = (row: RosterRow): number => (row.firstConfirmedAt ? Date.parse(row.firstConfirmedAt) : Number.POSITIVE_INFINITY);
const fold = (text: string): string => text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

/** The rows to show: matching the search (accents ignored), only the missing ones if asked, in the chosen order. */
export function filterRoster(
  rows: readonly RosterRow[],
  filter: RosterFilter,
  statusOf: (row: RosterRow) => RosterStatus,
): RosterRow[] {
  const query = fold(filter.query.trim());
  const bySurname = (a: RosterRow, b: RosterRow): number => surnameFirst(a.studentName).localeCompare(surnameFirst(b.studentName), 'es', { sensitivity: 'base' });
  const compare: Record<RosterSort, (a: RosterRow, b: RosterRow) => number> = {
    surname: bySurname,
    status: (a, b) => STATUS_ORDER.indexOf(statusOf(a)) - STATUS_ORDER.indexOf(statusOf(b)) || bySurname(a, b),
    // Who confirmed first leads; who has not confirmed goes last.
    time: (a, b) => confirmedAt(a) - confirmedAt(b) || bySurname(a, b),
  };
  return rows
    .filter((row) => !query || fold(row.studentName).includes(query))
    .filter((row) => !filter.onlyMissing || isMissing(statusOf(row)))
    .sort(compare[filter.sort]);
}

/** What POST /api/sessions/:id/students/:studentId/correction answers. */
export interface CorrectedResult {
  readonly studentId: string;
  readonly studentName: string;
  readonly status: ResultStatus;
  readonly computedStatus: ResultStatus;
  readonly roundsConfirmed: number;
  readonly overrideReason: string | null;
}

/**
 * A teacher's correction stands out in the roster: the status and the reason given. What this page's last
 * correction answered wins until an overview agrees with it (a poll already under way may predate it).
 */
export function correctionOf(row: RosterRow, corrected?: CorrectedResult): { status: ResultStatus; reason: string } | null {
  const source = corrected
    ? { status: corrected.status, reason: corrected.overrideReason }
    : row.status !== undefined
      ? { status: row.status, reason: row.overrideReason }
      : null;
  if (!source || !['excused', 'manual_present', 'manual_absent'].includes(source.status) || !source.reason) return null;
  return { status: source.status, reason: source.reason };
}

export interface Overview {
  readonly session: Session;
  readonly count: { readonly round: number | null; readonly confirmed: number; readonly expected: number };
  readonly rounds: ReadonlyArray<{ readonly number: number; readonly startedAt: string; readonly endedAt: string | null; readonly confirmed: number }>;
  readonly roster: readonly RosterRow[];
}

export const sessionsPath = `${basePath}api/sessions`;

const pad = (n: number): string => String(n).padStart(2, '0');

/** The date and time typed in the browser's time zone, as ISO 8601 with that zone's offset; null if invalid. */
export function localIso(date: string, time: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}$/.test(time)) return null;
  const at = new Date(`${date}T${time}`); // no offset: the browser reads it as local time
  if (Number.isNaN(at.getTime())) return null;
  const offset = -at.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const zone = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  const day = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
  return `${day}T${pad(at.getHours())}:${pad(at.getMinutes())}:00${zone}`;
}

/** Values for `<input type="date">` and `<input type="time">` in local time. */
export function dateInputValue(at: Date): string {
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

export function timeInputValue(at: Date): string {
  return `${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

export { formatDate, formatTime } from '../src/lib/dates';

/** IPv4 or IPv6 address with a prefix length, checked the way the service checks it. */
export function isCidr(value: string): boolean {
  const match = /^([^/\s]+)\/(\d{1,3})$/.exec(value);
  if (!match) return false;
  const [, address = '', bits = ''] = match;
  const prefix = Number(bits);
  if (address.includes(':')) return prefix <= 128 && isIpv6(address);
  return prefix <= 32 && isIpv4(address);
}

/**
 * For a CIDR with host bits set (10.20.0.1/16), the network it probably means (10.20.0.0/16); null when
 * the line names a network. The service refuses host bits too (shared/networks.ts).
 */
export function networkMeant(cidr: string): string | null {
  if (!ipaddr.isValidCIDR(cidr)) return null; // isCidr() speaks for those
  const [address, bits] = ipaddr.parseCIDR(cidr);
  const network = address.kind() === 'ipv4'
    ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${bits}`)
    : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${bits}`);
  return network.toNormalizedString() === address.toNormalizedString() ? null : `${network.toString()}/${bits}`;
}

function isIpv4(address: string): boolean {
  const parts = address.split('.');
  return parts.length === 4 && parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255 && (part === '0' || !part.startsWith('0')));
}

function isIpv6(address: string): boolean {
  let groups = address;
  const lastColon = address.lastIndexOf(':');
  const tail = address.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIpv4(tail)) return false;
    groups = `${address.slice(0, lastColon + 1)}0:0`; // an embedded IPv4 address counts as two groups
  }
  const halves = groups.split('::');
  if (halves.length > 2) return false;
  const count = (half: string): number | null => {
    if (half === '') return 0;
    const parts = half.split(':');
    return parts.every((part) => /^[0-9a-f]{1,4}$/i.test(part)) ? parts.length : null;
  };
  const sizes = halves.map(count);
  if (sizes.some((size) => size === null)) return false;
  const total = sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0);
  return halves.length === 2 ? total < 8 : total === 8;
}

/** Where a student stands against the course minimum (GET /api/courses/:courseId/attendance). */
export interface StudentStanding extends Standing {
  readonly studentId: string;
  readonly studentName: string;
  readonly studentNumber: string | null;
  readonly onRoster: boolean;
  readonly rate: number | null;
  /** Decided sessions by status (manual presence as present). */
  readonly totals: { readonly present: number; readonly late: number; readonly partial: number; readonly absent: number; readonly excused: number };
  /** The latest decided sessions' statuses, oldest first. */
  readonly recent: readonly ResultStatus[];
  /** The grade under the course's policy. */
  readonly grade: Grade;
}

interface SessionSummary {
  readonly id: string;
  readonly plannedStart: string;
  readonly room: string;
  readonly state: 'open' | 'closed';
  readonly registered: number;
  readonly attended: number;
  readonly absent: number;
  readonly excused: number;
  /** Null while the class runs. */
  readonly rate: number | null;
}

export interface CourseMinimum {
  readonly percent: number;
  readonly source: 'course' | 'default';
  readonly defaultPercent: number;
}

export interface CourseAttendance {
  readonly course: Course;
  readonly minimum: CourseMinimum;
  /** The course's grade policy: every grade on the page is under it. */
  readonly policy: GradePolicy;
  readonly plannedSessions: number;
  readonly scheduledSessions: number;
  readonly sessions: readonly SessionSummary[];
  readonly students: readonly StudentStanding[];
}

export const coursePath = (courseId: string): string => `${basePath}api/courses/${encodeURIComponent(courseId)}`;

/** A share 0..1 as a percentage for people: "67 %" / "67%". */
export function percentText(share: number, lang: string): string {
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 }).format(share);
}

/** A student's request to justify an absence (GET /api/courses/:courseId/justifications). */
export interface Justification {
  readonly id: string;
  readonly sessionId: string;
  readonly plannedStart: string;
  readonly room: string;
  readonly studentId: string;
  readonly studentName: string;
  readonly reason: string;
  readonly attachment: { readonly type: string; readonly name: string; readonly bytes: number } | null;
  readonly state: 'pending' | 'approved' | 'rejected';
  readonly requestedAt: string;
  readonly decision: { readonly by: { readonly name: string }; readonly at: string; readonly note: string | null } | null;
}
