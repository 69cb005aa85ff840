import type { FastifyServerOptions } from 'fastify';
import type { Config } from '../config/env.js';

/** pino options: JSON lines, tokens and secrets redacted, and URLs logged without their query string. */
export function loggerOptions(config: Pick<Config, 'logLevel' | 'env'>): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        '*.token',
        '*.password',
        '*.secret',
        '*.jwtSecret',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req(request: { id: string; method: string; url: string; ip?: string }) {
        return { id: request.id, method: request.method, url: withoutQuery(request.url), ip: request.ip };
      },
    },
  };
}

function withoutQuery(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? url : `${url.slice(0, at)}?[redacted]`;
}
