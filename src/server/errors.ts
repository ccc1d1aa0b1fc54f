import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { UserError } from '../app/errors.js';
import { PlanError } from '../core/plan.js';
import { IllegalTransition } from '../core/statuses.js';

/** An error the API answers with its own status; the message says what to do. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: { field?: string; hint?: string; details?: string[] } = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The body of every error answer. */
export interface ErrorBody {
  error: string;
  field?: string;
  hint?: string;
  details?: string[];
}

/** A zod failure as a 400 that names the first bad field (and lists all of them). */
export function invalid(where: 'body' | 'query' | 'params', error: z.ZodError): ApiError {
  const issues = error.issues.map((i) => ({ field: [where, ...i.path].join('.'), message: i.message }));
  const first = issues[0]!;
  return new ApiError(400, `${first.field}: ${first.message}`, { field: first.field, details: issues.map((i) => `${i.field}: ${i.message}`) });
}

/**
 * UserErrors that say something is missing answer 404; the rest of a
 * person's errors 400; anything else 500 without its internals, which go to
 * the process log.
 */
export const errorHandlerFor = (logger: Logger) => (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void => {
  let status = 500;
  let body: ErrorBody = { error: 'Ferry failed unexpectedly; the server log (ferry-process.log in the data folder) has the details' };
  if (error instanceof ApiError) {
    status = error.status;
    body = { error: error.message, ...error.extra };
  } else if (error instanceof UserError) {
    status = /^No (connection|migration|run)\b/.test(error.message) ? 404 : error.message.includes('still running') || error.message.includes('in progress') ? 409 : 400;
    body = { error: error.message, ...(error.hint ? { hint: error.hint } : {}), ...(error.details.length > 0 ? { details: error.details } : {}) };
  } else if (error instanceof PlanError) {
    status = 400;
    const first = error.problems[0];
    body = { error: 'The plan is not valid', field: `yaml${first?.path ? `.${first.path}` : ''}`, details: error.problems.map((p) => `${p.line ? `line ${p.line}: ` : ''}${p.path ? `${p.path}: ` : ''}${p.message}`) };
  } else if (error instanceof IllegalTransition) {
    status = 409;
    body = { error: error.message };
  } else if ('statusCode' in error && typeof error.statusCode === 'number' && error.statusCode < 500) {
    // Fastify's own: malformed JSON, a body too large, an unsupported content type.
    status = error.statusCode;
    body = { error: `The request could not be read: ${error.message}`, field: 'body', hint: 'send a JSON object with Content-Type: application/json' };
  } else {
    logger.error({ err: error, method: request.method, url: request.url.split('?')[0] }, 'API request failed');
  }
  void reply.status(status).type('application/json').send(body);
};
