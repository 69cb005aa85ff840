import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Authenticator } from '../application/authenticate.js';
import { assertRole } from '../application/authenticate.js';
import { authErrors } from '../domain/errors.js';
import type { Identity, Role } from '../domain/identity.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth guard from a verified portal token; never from a body or a query. */
    identity: Identity | null;
  }
}

export interface AuthGuards {
  /** Any signed-in user. */
  signedIn: preHandlerAsyncHookHandler;
  /** A signed-in user with one of these roles (401 without a token, 403 with the wrong role). */
  roles(...allowed: Role[]): preHandlerAsyncHookHandler;
  /** Server-to-server calls carrying INTERNAL_API_TOKEN. */
  service: preHandlerAsyncHookHandler;
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

export function createGuards(authenticator: Authenticator, internalApiToken: string | undefined): AuthGuards {
  const signedIn: preHandlerAsyncHookHandler = async (request) => {
    request.identity = await authenticator.authenticate(bearerToken(request.headers.authorization));
  };
  return {
    signedIn,
    roles(...allowed) {
      return async function guardRoles(this: unknown, request, reply) {
        await signedIn.call(this as never, request, reply);
        assertRole(request.identity!, allowed);
      };
    },
    async service(request) {
      if (!internalApiToken) throw authErrors.AUTH_SERVICE_CREDENTIAL_UNCONFIGURED();
      const presented = bearerToken(request.headers.authorization) ?? '';
      if (!sameSecret(presented, internalApiToken)) throw authErrors.AUTH_SERVICE_CREDENTIAL_INVALID();
    },
  };
}

/** The identity a guard verified; a route that forgot its guard fails loudly instead of trusting input. */
export function identityOf(request: FastifyRequest): Identity {
  if (!request.identity) throw authErrors.AUTH_TOKEN_MISSING();
  return request.identity;
}

function sameSecret(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}
