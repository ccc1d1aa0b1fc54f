import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { UserError } from '../app/errors.js';
import type { Ferry } from '../app/ferry.js';
import { authorize, identify, type Caller } from './access.js';
import type { ServerContext } from './context.js';
import { ApiError, errorHandlerFor, invalid } from './errors.js';
import { openApiDocument, referencePage } from './openapi.js';
import { newToken } from './passwords.js';
import { accessRoutes } from './routes-access.js';
import { connectionRoutes } from './routes-connections.js';
import { registerDashboard } from './dashboard.js';
import { migrationRoutes } from './routes-migrations.js';
import { runRoutes } from './routes-runs.js';
import { systemRoutes } from './routes-system.js';
import { workerRoutes } from './routes-workers.js';
import { route, type Route } from './route-table.js';
import { RunJobs } from './run-jobs.js';
import { ServerWorkers } from './workers-queue.js';

export interface ServerOptions {
  ferry: Ferry;
  /** The setup token to accept; a new one is made when no user exists and none is given. */
  setupToken?: string;
  /** Believe X-Forwarded-Proto and X-Forwarded-For: only behind a reverse proxy that sets them (HTTPS there makes the cookie Secure). */
  trustProxy?: boolean;
  /** The built dashboard's folder (default dist/web). */
  dashboardDir?: string;
  /** `ferry serve --workers`: runs and re-runs started here hand their batches to `ferry worker` processes (PostgreSQL store only). */
  workers?: boolean;
}

export interface FerryServer {
  app: FastifyInstance;
  routes: Route[];
  /** The one-time token that creates the first admin; undefined when users exist. */
  setupToken: string | undefined;
  jobs: RunJobs;
  close(): Promise<void>;
}

/**
 * The REST API over one Ferry (the CLI's engine and store): every route is
 * signed-in unless it is the setup or the sign-in itself, validated with its
 * zod schemas, and described by the OpenAPI document from the same schemas.
 */
export async function buildServer(options: ServerOptions): Promise<FerryServer> {
  const { ferry } = options;
  if (options.workers && !ferry.storeUrl) {
    throw new UserError('`ferry serve --workers` needs the store on PostgreSQL: the workers and their queue live there', { hint: 'give --store postgres://USER:PASSWORD@HOST:PORT/DATABASE (or FERRY_STORE), the same store as every `ferry worker`; or serve without --workers' });
  }
  const needsSetup = (await ferry.store.access.countUsers()) === 0;
  const shutdown = new AbortController();
  const ctx: ServerContext = {
    ferry,
    shutdown: shutdown.signal,
    streams: new Set(),
    jobs: new RunJobs(ferry, ferry.logger),
    workers: new ServerWorkers(ferry.storeUrl, options.workers === true, ferry.logger),
    setup: { token: needsSetup ? (options.setupToken ?? newToken('setup_')) : undefined },
    async audit(caller: Caller, action: string, subject: string, detail?: string) {
      await ferry.store.access.addAudit({ at: ferry.now(), actor: caller.user?.name ?? '(anonymous)', action, subject, detail: detail ?? null });
    },
  };
  // No request log: failures go to the process log (errorHandlerFor), and bodies, which carry connection passwords, are never logged.
  const app = Fastify({ logger: false, bodyLimit: 2 * 1024 * 1024, trustProxy: options.trustProxy === true });
  app.setErrorHandler(errorHandlerFor(ferry.logger));
  await registerDashboard(app, options.dashboardDir);
  await app.register(rateLimit, {
    global: false,
    // Kept in this process's memory: a restart forgets the counts, which is fine against guessing at this rate.
    errorResponseBuilder: (_request, context) =>
      new ApiError(429, `Too many sign-in attempts: at most ${context.max} a minute`, { hint: `wait ${Math.ceil(context.ttl / 1000)} s and try again; an admin can set a new password` }),
  });

  const routes: Route[] = [...accessRoutes(ctx), ...connectionRoutes(ctx), ...migrationRoutes(ctx), ...runRoutes(ctx), ...systemRoutes(ctx), ...workerRoutes(ctx)];
  const docRoutes: Route[] = [
    route({
      method: 'GET', url: '/api/openapi.json', tag: 'reference', access: 'viewer',
      summary: 'This OpenAPI 3.1 document',
      async handler() {
        return document;
      },
    }),
    route({
      method: 'GET', url: '/api/docs', tag: 'reference', access: 'viewer', produces: 'text/html',
      summary: 'The API reference, rendered from the OpenAPI document',
      async handler({ reply }) {
        return reply.type('text/html; charset=utf-8').send(referencePage(document));
      },
    }),
  ];
  routes.push(...docRoutes);
  const document = openApiDocument(routes);

  // Who calls is settled before the body is read: an anonymous or forbidden request learns nothing about its body.
  const callers = new WeakMap<object, Caller>();
  for (const r of routes) {
    app.route({
      method: r.method,
      url: r.url,
      ...(r.limit
        ? {
            config: {
              rateLimit: {
                max: r.limit.max,
                timeWindow: 60_000,
                // After the body is read, so the count is per address and user name: one user's mistakes do not lock out the others.
                hook: 'preHandler' as const,
                keyGenerator: (request: import('fastify').FastifyRequest) => `${request.ip}|${String((request.body as { name?: unknown } | undefined)?.name ?? '').toLowerCase()}`,
              },
            },
          }
        : {}),
      onRequest: async (request) => {
        const caller = await identify(ferry.store, request, ferry.now());
        authorize(caller, r.access, request);
        callers.set(request, caller);
      },
      handler: async (request, reply) => {
        const caller = callers.get(request)!;
        const parse = <T>(where: 'body' | 'query' | 'params', s: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError } } | undefined, value: unknown): T | undefined => {
          if (!s) return undefined;
          const result = s.safeParse(value ?? {});
          if (!result.success) throw invalid(where, result.error);
          return result.data;
        };
        const body = parse('body', r.body, request.body);
        const query = parse('query', r.query, request.query);
        const params = parse('params', r.params, request.params);
        const result = await r.handler({ body, query, params, caller, request, reply });
        if (reply.sent || result === reply) return reply;
        if (r.status === 204) return reply.status(204).send();
        return reply.send(result);
      },
    });
  }

  return {
    app,
    routes,
    get setupToken() {
      return ctx.setup.token;
    },
    jobs: ctx.jobs,
    async close() {
      shutdown.abort();
      await Promise.allSettled([...ctx.streams]);
      await app.close();
      await ctx.jobs.drain();
      await ctx.workers.close();
    },
  };
}
