import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, commonErrors, type ErrorKind, type Locale } from '../errors.js';
import { localeFrom } from './locale.js';

const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  too_large: 413,
  too_many: 429,
  unavailable: 503,
  internal: 500,
};

/** What a 503 asks the client to wait before trying again (an outage, a deadline passed, a restart). */
const RETRY_AFTER_SECONDS = 2;

interface ErrorBody {
  /**
   * `message` in the reader's language (Accept-Language); `messages` in every language, so that a page
   * whose reader switches language re-renders the error shown without sending the request again.
   */
  error: { code: string; message: string; messages: Record<Locale, string>; details?: unknown };
}

/** The one place where errors become HTTP: `{ error: { code, message, messages } }`, 5xx details hidden. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    const appError = toAppError(error);
    const status = STATUS[appError.kind];
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: appError.code }, 'request refused');
    return sendError(request, reply, appError);
  });
  app.setNotFoundHandler((request, reply) => sendError(request, reply, commonErrors.NOT_FOUND()));
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  const status = STATUS[error.kind];
  const messages = error.translations();
  const body: ErrorBody = { error: { code: error.code, message: messages[localeFrom(request.headers['accept-language'])], messages } };
  if (status < 500 && error.details !== undefined) body.error.details = error.details;
  if (status === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  return reply.status(status).type('application/json; charset=utf-8').send(body);
}

/** The HTTP status of an error kind (a WebSocket error carries the same code, without a status). */
export function statusOf(kind: ErrorKind): number {
  return STATUS[kind];
}

function toAppError(error: FastifyError | AppError | Error): AppError {
  if (error instanceof AppError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const details = error.validation.map((issue) => ({
      where: `${error.validationContext ?? 'request'}${issue.instancePath || ''}`,
      problem: issue.message ?? 'invalid',
    }));
    const detail = details.map((d) => `${d.where}: ${d.problem}`).join('; ');
    return commonErrors.VALIDATION_FAILED({ detail }, details);
  }
  const fastifyError = error as FastifyError;
  const status = fastifyError.statusCode ?? 500;
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return commonErrors.BODY_TOO_LARGE();
  if (status === 429) return commonErrors.RATE_LIMITED({ seconds: 60 });
  if (status === 404) return commonErrors.NOT_FOUND();
  if (status >= 400 && status < 500) return commonErrors.VALIDATION_FAILED({ detail: fastifyError.message });
  return commonErrors.INTERNAL_ERROR();
}
