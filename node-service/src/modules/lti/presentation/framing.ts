import type { FastifyInstance } from 'fastify';
import type { BrowserTokens } from '../infrastructure/browser-tokens.js';
import { BASE_PATH } from '../../../shared/base-path.js';
import { SESSION_COOKIE } from './launch-routes.js';

/** The tool's own pages (launch, deep linking, registration) set their own policy. */
const LTI_PAGES = `${BASE_PATH}/lti/`;

/**
 * The pages refuse to be framed by other sites (frame-ancestors 'self', X-Frame-Options). A browser an
 * LTI launch signed in may show them inside that LMS: for its requests, the LMS's origin (from the signed
 * sign-in cookie, never from the request) joins 'self'. The tool's own pages under /lti/ keep their policy.
 */
export function installLtiFraming(server: FastifyInstance, tokens: Pick<BrowserTokens, 'readSession'>): void {
  server.addHook('onSend', async (request, reply, payload) => {
    const cookie = request.cookies[SESSION_COOKIE];
    if (!cookie || request.url.startsWith(LTI_PAGES)) return payload;
    const session = await tokens.readSession(cookie);
    if (!session) return payload;
    const policy = reply.raw.getHeader('content-security-policy');
    if (typeof policy === 'string') {
      reply.raw.setHeader('content-security-policy', policy.replace(/frame-ancestors [^;]*/, `frame-ancestors 'self' ${session.frameOrigin}`));
    }
    reply.raw.removeHeader('x-frame-options');
    return payload;
  });
}
