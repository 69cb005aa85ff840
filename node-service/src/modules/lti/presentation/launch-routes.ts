import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../../shared/errors.js';
import { statusOf } from '../../../shared/http/error-handler.js';
import type { RateLimits } from '../../../shared/http/rate-limits.js';
import type { DeepLinking } from '../application/deep-linking.js';
import type { LaunchResult, LaunchService } from '../application/launch.js';
import type { PlatformRepository, ToolKeys } from '../application/ports.js';
import type { RegistrationService } from '../application/registration.js';
import { ltiErrors } from '../domain/errors.js';
import type { BrowserTokens } from '../infrastructure/browser-tokens.js';
import { CLOSE_SCRIPT, coursePickerPage, deepLinkReturnPage, refusalPage, registeredPage } from './pages.js';

/** The sign-in a launch gives (read by /lti/token and by the framing hook). */
export const SESSION_COOKIE = 'asistencia_lti';
/** One state cookie per login in flight (two launches in two tabs do not overwrite each other). */
const STATE_COOKIE_PREFIX = 'asistencia_lti_state_';

/**
 * The launch's cookies travel in cross-site requests (the platform posts the id_token; the pages may be in
 * the LMS's iframe): SameSite=None, hence Secure, and Partitioned (CHIPS) so browsers that block third-party
 * cookies keep them for that LMS. No other cookie of the service is cross-site.
 */
const crossSite = { httpOnly: true, secure: true, sameSite: 'none' as const, partitioned: true };

const text = (max: number) => z.string().min(1).max(max);
const loginSchema = z.object({
  iss: text(2000),
  login_hint: text(2000),
  target_link_uri: text(2000),
  lti_message_hint: text(4000).optional(),
  client_id: text(255).optional(),
  lti_deployment_id: text(255).optional(),
});
const launchSchema = z.object({ id_token: text(60_000), state: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/) });
const deepLinkSchema = z.object({ request: text(20_000), courseId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
const registerSchema = z.object({ invitation: text(200), openid_configuration: z.url().max(2000), registration_token: text(4000).optional() });
/** Form fields arrive as strings; anything else the schemas above say is wrong. */
const formFields = z.record(z.string(), z.string());

export interface LaunchRouteDeps {
  launches: LaunchService;
  deepLinking: DeepLinking;
  registration: RegistrationService;
  platforms: Pick<PlatformRepository, 'find'>;
  keys: ToolKeys;
  tokens: BrowserTokens;
  limits: RateLimits;
  /** BASE_PATH: where the service lives behind the door. */
  basePath: string;
  /** Where the pages land after a launch (teacher: the course page). */
  landing: { teacher: (courseId: string) => string; student: () => string };
}

function sendPage(reply: FastifyReply, status: number, html: string, frameAncestors = '*'): FastifyReply {
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', `default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; form-action *; frame-ancestors ${frameAncestors}; base-uri 'none'`)
    .send(html);
}

/** A refusal as a page (it opens in a browser, often inside the LMS): nothing was written. */
function refuse(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  if (!(error instanceof AppError)) throw error;
  request.log.info({ code: error.code }, 'LTI request refused');
  return sendPage(reply, statusOf(error.kind), refusalPage(error));
}

/** The OIDC login, the launch, the tool's JWKS, deep linking's answer, Dynamic Registration, the pages' token. */
export function ltiLaunchRoutes(deps: LaunchRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    // Platforms post forms (the login may, the launch always does).
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    const login = async (request: FastifyRequest, reply: FastifyReply) => {
      const input = loginSchema.safeParse(request.method === 'GET' ? request.query : request.body);
      if (!input.success) return refuse(request, reply, ltiErrors.LTI_CLAIMS_INVALID({ reason: 'login initiation' }));
      try {
        const { redirectTo, state } = await deps.launches.startLogin(input.data);
        reply.setCookie(`${STATE_COOKIE_PREFIX}${state.state}`, await deps.tokens.state(state), {
          ...crossSite,
          path: `${deps.basePath}/lti/`,
          maxAge: Math.floor(deps.tokens.stateTtlMs / 1000),
        });
        return reply.header('cache-control', 'no-store').redirect(redirectTo.toString(), 302);
      } catch (error) {
        return refuse(request, reply, error);
      }
    };
    const loginSchemaDoc = { tags: ['lti'], summary: 'OIDC third-party login initiation (LTI Core 1.3 §5.1.1): redirects to the platform' };
    app.get('/lti/login', { schema: { ...loginSchemaDoc, querystring: formFields }, config: { rateLimit: deps.limits.perAddress } }, login);
    app.post('/lti/login', { schema: { ...loginSchemaDoc, body: formFields }, config: { rateLimit: deps.limits.perAddress } }, login);

    app.post(
      '/lti/launch',
      { schema: { tags: ['lti'], summary: 'The platform posts the signed id_token (resource link or deep linking)', body: formFields }, config: { rateLimit: deps.limits.perAddress } },
      async (request, reply) => {
        const input = launchSchema.safeParse(request.body);
        if (!input.success) return refuse(request, reply, ltiErrors.LTI_STATE_MISMATCH());
        const stateCookie = `${STATE_COOKIE_PREFIX}${input.data.state}`;
        let result: LaunchResult;
        try {
          const expected = await deps.tokens.readState(request.cookies[stateCookie]);
          result = await deps.launches.launch({ idToken: input.data.id_token, state: input.data.state, expected });
        } catch (error) {
          return refuse(request, reply, error);
        }
        reply.clearCookie(stateCookie, { ...crossSite, path: `${deps.basePath}/lti/` });
        const frameOrigin = result.kind === 'deepLinking' ? new URL(result.returnUrl).origin : new URL(result.platform.authUrl).origin;
        reply.setCookie(
          SESSION_COOKIE,
          await deps.tokens.session({ sub: result.person.id, name: result.person.name, role: result.person.role, frameOrigin }),
          { ...crossSite, path: `${deps.basePath}/`, maxAge: Math.floor(deps.tokens.sessionMs / 1000) },
        );
        if (result.kind === 'course') {
          const target = result.person.role === 'teacher' ? deps.landing.teacher(result.courseId) : deps.landing.student();
          return reply.header('cache-control', 'no-store').redirect(target, 303);
        }
        const { platform, person, courses, kind: _kind, ...request_ } = result;
        const pending = await deps.tokens.deepLink({ ...request_, platformId: platform.id, personId: person.id });
        return sendPage(reply, 200, coursePickerPage({ action: `${deps.basePath}/lti/deep-link`, request: pending, courses, contextTitle: result.contextTitle }), frameOrigin);
      },
    );

    app.post(
      '/lti/deep-link',
      { schema: { tags: ['lti'], summary: 'The teacher chose the course: the signed LtiDeepLinkingResponse goes back to the platform', body: formFields }, config: { rateLimit: deps.limits.perAddress } },
      async (request, reply) => {
        try {
          const input = deepLinkSchema.safeParse(request.body);
          if (!input.success) throw ltiErrors.LTI_STATE_MISMATCH();
          const [pending, session] = await Promise.all([deps.tokens.readDeepLink(input.data.request), deps.tokens.readSession(request.cookies[SESSION_COOKIE])]);
          // The choice must come from the teacher this launch signed in, in this browser.
          if (!pending || !session || session.sub !== pending.personId) throw ltiErrors.LTI_STATE_MISMATCH();
          const platform = await deps.platforms.find(pending.platformId);
          if (!platform) throw ltiErrors.LTI_PLATFORM_UNKNOWN();
          const { platformId: _platformId, ...rest } = pending;
          const answer = await deps.deepLinking.respond({ ...rest, platform, courseId: input.data.courseId });
          return sendPage(reply, 200, deepLinkReturnPage(answer), session.frameOrigin);
        } catch (error) {
          return refuse(request, reply, error);
        }
      },
    );

    app.get('/lti/jwks', { schema: { tags: ['lti'], summary: 'The tool’s public keys (current and previous), for platforms' } }, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return deps.keys.jwks();
    });

    app.get(
      '/lti/token',
      {
        schema: { tags: ['lti'], summary: 'A portal-style token for the person an LTI launch signed in (the pages use it as they use the portal’s)', response: { 200: z.object({ token: z.string(), expiresAt: z.number() }) } },
        config: { rateLimit: deps.limits.perAddress },
      },
      async (request, reply) => {
        const site = request.headers['sec-fetch-site'];
        if (site !== undefined && site !== 'same-origin' && site !== 'none') throw ltiErrors.LTI_SESSION_MISSING();
        const session = await deps.tokens.readSession(request.cookies[SESSION_COOKIE]);
        if (!session) throw ltiErrors.LTI_SESSION_MISSING();
        reply.header('cache-control', 'no-store');
        return deps.tokens.portalToken(session);
      },
    );

    app.get(
      '/lti/register',
      { schema: { tags: ['lti'], summary: 'LTI Dynamic Registration 1.0: the platform opens the one-time link an admin made', querystring: formFields }, config: { rateLimit: deps.limits.perAddress } },
      async (request, reply) => {
        try {
          const input = registerSchema.safeParse(request.query);
          if (!input.success) throw ltiErrors.LTI_INVITATION_INVALID();
          const platform = await deps.registration.dynamic({
            invitation: input.data.invitation,
            openidConfiguration: input.data.openid_configuration,
            registrationToken: input.data.registration_token,
          });
          return sendPage(reply, 200, registeredPage({ name: platform.name, closeScript: `${deps.basePath}/lti/close.js` }));
        } catch (error) {
          return refuse(request, reply, error);
        }
      },
    );

    app.get('/lti/close.js', { schema: { hide: true } }, async (_request, reply) =>
      reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(CLOSE_SCRIPT),
    );
  };
}
