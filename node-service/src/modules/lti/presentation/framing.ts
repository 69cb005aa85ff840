import type { FastifyInstance } from 'fastify';
import type { BrowserTokens } from '../infrastructure/browser-tokens.js';
import { SESSION_COOKIE } from './launch-routes.js';

/**
 * The pages refuse to be framed by other sites (frame-ancestors 'self', X-Frame-Options). A browser an
 * LTI launch signed in may show them inside that LMS: for its requests, the LMS's origin (from the signed
 * sign-in cookie, never from the request) joins 'self'. The tool's own pages under /lti/ (launch, deep
 * linking, registration) keep their own policy.
 */
export function installLtiFraming(server: FastifyInstance, tokens: Pick<BrowserTokens, 'readSession'>, basePath: string): void {
  const ltiPages = `${basePath}/lti/`;
  server.addHook('onSend', async (request, reply, payload) => {
    // No cookies on an answer given before they were parsed (a request refused while the service drains).
    const cookie = request.cookies?.[SESSION_COOKIE];
    if (!cookie || request.url.startsWith(ltiPages)) return payload;
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
