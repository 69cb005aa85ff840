import { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { Config } from '../config/env.js';

type LogSettings = Pick<Config, 'logLevel' | 'logFormat'>;

/**
 * pino options: tokens and secrets redacted, and URLs logged without their query string. LOG_FORMAT=json
 * writes pino's JSON lines (production: for a log collector); `pretty` writes one readable line per event
 * through pino-pretty, in this process (no worker thread), with the time of day and no pid or host.
 * pino-pretty is loaded only then: production (json) never carries it (about 10 MB of RSS).
 */
export async function loggerOptions(config: LogSettings): Promise<FastifyServerOptions['logger']> {
  const options = {
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
  if (config.logFormat === 'json') return options;
  const { default: pretty } = await import('pino-pretty');
  return {
    ...options,
    stream: pretty({ sync: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,reqId' }),
  };
}

/**
 * In the pretty format, Fastify's two lines per request (incoming, completed) become one, written when the
 * answer has been sent: "GET /asistencia/api/me 401 9 ms". A route's own log level (health probes: warn)
 * still applies, and Fastify's other lines (errors, not found) are unchanged.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line = `${request.method} ${withoutQuery(request.url)} ${reply.statusCode} ${Math.round(reply.elapsedTime)} ms`;
    if (error) reply.log.error({ err: error }, line);
    else reply.log.info(line);
  }
}

/** Fastify's request log lines: its own in JSON, one line per request when pretty. */
export function requestLogController(config: LogSettings): LogController | undefined {
  return config.logFormat === 'pretty' ? new OneLinePerRequest() : undefined;
}

function withoutQuery(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? url : `${url.slice(0, at)}?[redacted]`;
}
