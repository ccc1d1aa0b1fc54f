import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Role } from '../store/records.js';
import type { Caller } from './access.js';

/** Who may call a route: `public` only for signing in and the first admin's setup. */
export type Access = 'public' | Role;

export interface RouteInput<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  caller: Caller;
  request: FastifyRequest;
  reply: FastifyReply;
}

/**
 * One endpoint: its access, its zod schemas (which both validate requests
 * and describe them in the OpenAPI document, so the two cannot drift) and
 * its handler. The handler's return value is sent as JSON unless it has
 * sent the reply itself.
 */
export interface Route<B = unknown, Q = unknown, P = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  summary: string;
  tag: string;
  access: Access;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  /** What a success answers, for the document; JSON unless `produces` says otherwise. */
  response?: z.ZodType;
  produces?: 'text/csv' | 'text/event-stream' | 'text/html' | 'text/plain';
  status?: number;
  /** At most `max` calls a minute from one client address for one body `name` (sign-in and setup: against password guessing). */
  limit?: { max: number };
  handler(input: RouteInput<B, Q, P>): Promise<unknown>;
}

export function route<B = undefined, Q = undefined, P = undefined>(r: Route<B, Q, P>): Route {
  return r as unknown as Route;
}

export const nameParam = z.object({ name: z.string().min(1).describe('the name it was saved under') });
export const runParam = z.object({ id: z.coerce.number().int().positive().describe('the run number (`ferry status <migration>` shows them)') });
