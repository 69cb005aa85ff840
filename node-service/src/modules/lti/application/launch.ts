import { CLAIM, claimAt, claimProblem, launchClaims, type LaunchClaims } from '../domain/claims.js';
import { ltiErrors } from '../domain/errors.js';
import { roleFromLti, type LtiRole } from '../domain/roles.js';
import type { CourseLinkRepository, IdTokenVerifier, LaunchLedger, LaunchServices, People, Platform, PlatformRepository } from './ports.js';

/** OIDC third-party login initiation (LTI Core 1.3 §5.1.1): what the platform sends the tool first. */
export interface LoginRequest {
  iss: string;
  login_hint: string;
  target_link_uri: string;
  lti_message_hint?: string | undefined;
  client_id?: string | undefined;
  lti_deployment_id?: string | undefined;
}

/** What the login remembers in the browser (a signed cookie) for the launch to check. */
export interface LoginState {
  state: string;
  nonce: string;
  platformId: string;
}

export interface Person {
  id: string;
  name: string;
  role: LtiRole;
}

export type LaunchResult =
  | { kind: 'course'; person: Person; courseId: string; platform: Platform; contextId: string }
  | {
      kind: 'deepLinking';
      person: Person;
      platform: Platform;
      deploymentId: string;
      contextId: string;
      contextTitle: string;
      returnUrl: string;
      data: string | undefined;
      services: LaunchServices;
      courses: Array<{ id: string; name: string }>;
    };

/** The custom parameter a hand-made LMS activity may carry to name its Asistencia course (a teacher's launch links it). */
const COURSE_CUSTOM_PARAMETER = 'asistencia_course';

/** A check that the person is in `courses`' answer for them (else LTI_COURSE_NOT_TAUGHT). */
const listedIn =
  (courses: (personId: string) => Promise<Array<{ id: string }>>) =>
  async (personId: string, courseId: string): Promise<void> => {
    if (!(await courses(personId)).some((course) => course.id === courseId)) throw ltiErrors.LTI_COURSE_NOT_TAUGHT({ courseId });
  };

/** A teacher acts on a course only when the portal says they teach it (linking it, deep linking, the LMS views). */
export const teachingCheck = (people: Pick<People, 'coursesTaughtBy'>) => listedIn((id) => people.coursesTaughtBy(id));

/** Launching into a course already linked is for any of its staff: an assistant lands with an assistant's rights. */
const staffCheck = (people: Pick<People, 'coursesStaffedBy'>) => listedIn((id) => people.coursesStaffedBy(id));

export function createLaunchService(deps: {
  platforms: PlatformRepository;
  links: Pick<CourseLinkRepository, 'find'>;
  ledger: LaunchLedger;
  verifier: IdTokenVerifier;
  people: People;
  /** Where the platform posts the id_token (the tool's redirect URI). */
  launchUrl: string;
  /** LTI_PERSON_CLAIM and LTI_PERSON_FIELD: which claim names the portal person, and which portal field it is. */
  person: { claim: string; field: 'email' | 'username' };
  random: () => string;
  assertTeaches: (personId: string, courseId: string) => Promise<void>;
  /** After an accepted launch into a course: its roster is synced from the platform (failures are reported, not shown). */
  afterLaunch: (platform: Platform, contextId: string) => Promise<void>;
}) {
  const assertStaff = staffCheck(deps.people);

  /** Step 1: the platform's login initiation. Answers where to send the browser, and the state to bind to it. */
  async function startLogin(request: LoginRequest): Promise<{ redirectTo: URL; state: LoginState }> {
    const candidates = await deps.platforms.byIssuer(request.iss, request.client_id);
    if (candidates.length !== 1) throw ltiErrors.LTI_PLATFORM_UNKNOWN();
    const platform = candidates[0]!;
    if (request.lti_deployment_id !== undefined && !platform.deployments.includes(request.lti_deployment_id)) {
      throw ltiErrors.LTI_DEPLOYMENT_UNKNOWN();
    }
    const state: LoginState = { state: deps.random(), nonce: deps.random(), platformId: platform.id };
    const redirectTo = new URL(platform.authUrl);
    const query = {
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: platform.clientId,
      redirect_uri: deps.launchUrl,
      login_hint: request.login_hint,
      state: state.state,
      nonce: state.nonce,
      ...(request.lti_message_hint === undefined ? {} : { lti_message_hint: request.lti_message_hint }),
    };
    for (const [name, value] of Object.entries(query)) redirectTo.searchParams.set(name, value);
    return { redirectTo, state };
  }

  /**
   * Step 2: the platform posts the id_token. Checked in order: the state is this browser's, the token is
   * signed by the platform's key with RS256 for us and fresh, its claims are complete, its nonce is the one
   * we sent, its deployment is registered, the role is one we take, the person and the course are known.
   * Only then is anything written: the nonce (once only) and the course's service endpoints.
   */
  async function launch(input: { idToken: string; state: string; expected: LoginState | null }): Promise<LaunchResult> {
    if (!input.expected || input.expected.state !== input.state) throw ltiErrors.LTI_STATE_MISMATCH();
    const platform = await deps.platforms.find(input.expected.platformId);
    if (!platform) throw ltiErrors.LTI_PLATFORM_UNKNOWN();
    const payload = await deps.verifier.verify(input.idToken, platform);
    const parsed = launchClaims.safeParse(payload);
    if (!parsed.success) throw ltiErrors.LTI_CLAIMS_INVALID({ reason: claimProblem(parsed.error) });
    const claims = parsed.data;
    if (claims.nonce !== input.expected.nonce) throw ltiErrors.LTI_TOKEN_INVALID({ reason: 'nonce' });
    const deploymentId = claims[CLAIM.deploymentId];
    if (!platform.deployments.includes(deploymentId)) throw ltiErrors.LTI_DEPLOYMENT_UNKNOWN();
    const role = roleFromLti(claims[CLAIM.roles]);
    if (!role) throw ltiErrors.LTI_ROLE_UNSUPPORTED();
    const person = await personOf(payload, role);
    const expiresAt = new Date(Number(payload.exp) * 1000);
    const context = claims[CLAIM.context];
    const services = servicesOf(claims);

    if (isDeepLinking(claims)) {
      if (role !== 'teacher') throw ltiErrors.LTI_ROLE_UNSUPPORTED();
      const courses = await deps.people.coursesTaughtBy(person.id);
      await acceptOnce({ platformId: platform.id, nonce: claims.nonce, expiresAt, link: null });
      const settings = claims[CLAIM.deepLinkingSettings];
      return {
        kind: 'deepLinking',
        person,
        platform,
        deploymentId,
        contextId: context.id,
        contextTitle: context.title ?? context.label ?? context.id,
        returnUrl: settings.deep_link_return_url,
        data: settings.data,
        services,
        courses,
      };
    }

    const link = await deps.links.find(platform.id, context.id);
    const named = customCourse(claims);
    const courseId = link?.courseId ?? (role === 'teacher' ? named : null);
    if (!courseId) throw ltiErrors.LTI_COURSE_NOT_LINKED();
    // Linking a course is its teacher's; once linked, its assistants launch into it too (the portal gives their rights).
    if (role === 'teacher') await (link ? assertStaff : deps.assertTeaches)(person.id, courseId);
    await acceptOnce({
      platformId: platform.id,
      nonce: claims.nonce,
      expiresAt,
      link: { contextId: context.id, services, ...(link ? {} : { courseId, contextTitle: context.title ?? context.id }) },
    });
    await deps.afterLaunch(platform, context.id);
    return { kind: 'course', person, courseId, platform, contextId: context.id };
  }

  async function personOf(payload: Record<string, unknown>, role: LtiRole): Promise<Person> {
    const value = claimAt(payload, deps.person.claim);
    if (!value) throw ltiErrors.LTI_PERSON_UNKNOWN({ who: deps.person.claim });
    const found = await deps.people.personBy({ field: deps.person.field, value });
    if (!found) throw ltiErrors.LTI_PERSON_UNKNOWN({ who: value });
    return { id: found.id, name: found.name, role };
  }

  async function acceptOnce(input: Parameters<LaunchLedger['accept']>[0]) {
    if (!(await deps.ledger.accept(input))) throw ltiErrors.LTI_NONCE_REPLAYED();
  }

  return { startLogin, launch };
}

function isDeepLinking(claims: LaunchClaims): claims is Extract<LaunchClaims, { [CLAIM.messageType]: 'LtiDeepLinkingRequest' }> {
  return claims[CLAIM.messageType] === 'LtiDeepLinkingRequest';
}

function servicesOf(claims: LaunchClaims): LaunchServices {
  return {
    membershipsUrl: claims[CLAIM.nrps]?.context_memberships_url ?? null,
    lineitemsUrl: claims[CLAIM.ags]?.lineitems ?? null,
  };
}

function customCourse(claims: LaunchClaims): string | null {
  const value = claims[CLAIM.custom]?.[COURSE_CUSTOM_PARAMETER];
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value) ? value : null;
}

export type LaunchService = ReturnType<typeof createLaunchService>;
