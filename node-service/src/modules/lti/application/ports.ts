import type { GradeState } from '../domain/grades.js';
import type { LtiRole } from '../domain/roles.js';

/** One registration of Asistencia in an LMS (a "platform" in LTI's words). */
export interface Platform {
  id: string;
  issuer: string;
  clientId: string;
  name: string;
  authUrl: string;
  tokenUrl: string;
  jwksUrl: string;
  registeredBy: 'manual' | 'dynamic';
  deployments: string[];
}

export type NewPlatform = Omit<Platform, 'id'>;

export interface PlatformRepository {
  list(): Promise<Platform[]>;
  find(id: string): Promise<Platform | null>;
  /** Registrations of an issuer, of one client id when given. */
  byIssuer(issuer: string, clientId?: string): Promise<Platform[]>;
  /** Throws LTI_REGISTRATION_EXISTS when the issuer already has that client id. */
  create(platform: NewPlatform): Promise<Platform>;
  /** The same, only if the invitation is still unused and unexpired (consumed with it); null otherwise. */
  createInvited(platform: NewPlatform, invitationHash: string): Promise<Platform | null>;
  addDeployment(platformId: string, deploymentId: string): Promise<void>;
  remove(platformId: string): Promise<boolean>;
  saveInvitation(tokenHash: string, createdBy: string, expiresAt: Date): Promise<void>;
  invitationValid(tokenHash: string): Promise<boolean>;
}

export interface CourseLink {
  platformId: string;
  contextId: string;
  courseId: string;
  contextTitle: string;
  membershipsUrl: string | null;
  lineitemsUrl: string | null;
  lineitemUrl: string | null;
  rosterSyncedAt: Date | null;
}

/** What a launch brings about the course's services; stored on its link. */
export interface LaunchServices {
  membershipsUrl: string | null;
  lineitemsUrl: string | null;
}

export interface CourseLinkRepository {
  find(platformId: string, contextId: string): Promise<CourseLink | null>;
  ofCourse(courseId: string): Promise<CourseLink[]>;
  /** Every link whose platform offers AGS (the grade job's work list). */
  withGradebook(): Promise<CourseLink[]>;
  /** Links (or re-links) an LMS course to an Asistencia course. */
  link(input: { platformId: string; contextId: string; courseId: string; contextTitle: string } & LaunchServices): Promise<void>;
  setLineItem(platformId: string, contextId: string, lineitemUrl: string): Promise<void>;
}

/**
 * An accepted launch, in one transaction: its nonce recorded (false when already there: a replay, and
 * nothing else is written) and the services it announced stored on the course's link.
 */
export interface LaunchLedger {
  accept(input: {
    platformId: string;
    nonce: string;
    expiresAt: Date;
    /** The course's services, on its link; with `courseId`, the link is made (a teacher's first launch naming it). */
    link: { contextId: string; services: LaunchServices; courseId?: string; contextTitle?: string } | null;
  }): Promise<boolean>;
}

export interface RosterMember {
  userId: string;
  name: string;
  email: string | null;
  role: LtiRole | 'other';
  /** The portal's person with that e-mail (or configured claim), when there is one. */
  personId: string | null;
}

export interface MemberRepository {
  /** The platform's roster replaces the one stored for that LMS course. */
  replace(platformId: string, contextId: string, members: RosterMember[]): Promise<void>;
  ofLink(platformId: string, contextId: string): Promise<RosterMember[]>;
}

export interface GradeRow {
  platformId: string;
  contextId: string;
  userId: string;
  studentId: string;
  score: number;
  state: GradeState;
  attempts: number;
  lastError: string | null;
  updatedAt: Date;
  /** The course's line item, where the score goes. */
  lineitemUrl: string | null;
}

export interface GradeRepository {
  /** Records a student's current grade: pending when it differs from what the platform last accepted. */
  record(input: { platformId: string; contextId: string; userId: string; studentId: string; score: number }): Promise<void>;
  /** Claims the grades due now (unsent, their retry time reached) for `leaseMs`, so one instance posts each. */
  claimDue(limit: number, leaseMs: number): Promise<GradeRow[]>;
  markSent(row: GradeRow): Promise<void>;
  markFailed(row: GradeRow, reason: string, retryInMs: number): Promise<void>;
  ofLink(platformId: string, contextId: string): Promise<GradeRow[]>;
}

/** A member as NRPS 2.0 reports it (§2.2): the fields Asistencia reads. */
export interface PlatformMember {
  userId: string;
  name: string;
  email: string | null;
  roles: string[];
  /** `lis_person_sourcedid`, the institution's id for the person (matched to portal usernames when so configured). */
  sourcedId: string | null;
  /** 'Active' unless the platform says 'Inactive' or 'Deleted'. */
  status: string;
}

/** Calls to a platform's services, authorised by a client-credentials JWT grant signed with the tool's key. */
export interface PlatformServices {
  memberships(platform: Platform, url: string, maxMembers: number): Promise<PlatformMember[]>;
  /** The line item with this resource id under `lineitemsUrl`, created when absent (AGS 2.0 §3.2). */
  lineItem(platform: Platform, lineitemsUrl: string, item: { resourceId: string; label: string; scoreMaximum: number }): Promise<string>;
  postScore(platform: Platform, lineitemUrl: string, score: { userId: string; scoreGiven: number; scoreMaximum: number }): Promise<void>;
}

/**
 * Where a student's attendance grade comes from, as a fraction from 0 to 1 (null: nothing to grade yet).
 * app.ts wires it to the course's named grade policy (what the course page shows).
 */
export interface GradeSource {
  gradeFor(courseId: string, studentId: string): Promise<number | null>;
}

/** A verified id_token's payload (signature, alg, iss, aud, exp, iat checked). */
export interface IdTokenVerifier {
  verify(idToken: string, platform: Platform): Promise<Record<string, unknown>>;
}

/** The tool's signing keys: JWKS (current and previous), signing with the current one, rotation. */
export interface ToolKeys {
  jwks(): Promise<{ keys: Array<Record<string, unknown>> }>;
  sign(claims: Record<string, unknown>, options: { expiresInSeconds: number; typ?: string }): Promise<string>;
  rotate(): Promise<{ kid: string }>;
}

/** The portal, as far as LTI needs it. */
export interface People {
  personBy(lookup: { field: 'email' | 'username'; value: string }): Promise<{ id: string; name: string; role: string } | null>;
  /** Courses whose settings the person may change: their LTI business (linking, the LMS roster and grades). */
  coursesTaughtBy(teacherId: string): Promise<Array<{ id: string; name: string }>>;
  /** Courses where the person is staff in any role (an assistant too): where a launch may take them. */
  coursesStaffedBy(personId: string): Promise<Array<{ id: string; name: string }>>;
  roster(courseId: string): Promise<{ course: { id: string; name: string }; students: Array<{ id: string; name: string; username: string }> }>;
}
