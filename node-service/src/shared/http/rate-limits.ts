import type { FastifyRequest } from 'fastify';
import type { RateLimitOptions } from '@fastify/rate-limit';

/** Route-level rate limits: per signed-in user on the API, stricter per client address where strangers reach. */
export interface RateLimits {
  perUser: RateLimitOptions;
  perAddress: RateLimitOptions;
}

export function rateLimits(limits: { userRequestsPerMinute: number; publicRequestsPerMinute: number }): RateLimits {
  return {
    perUser: {
      max: limits.userRequestsPerMinute,
      timeWindow: 60_000,
      // After authentication, so the key is the verified user rather than an address shared by a classroom.
      hook: 'preHandler',
      keyGenerator: (request: FastifyRequest) => `user:${request.identity?.id ?? request.ip}`,
    },
    perAddress: {
      max: limits.publicRequestsPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request: FastifyRequest) => `ip:${request.ip}`,
    },
  };
}
