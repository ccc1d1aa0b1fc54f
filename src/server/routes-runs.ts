import { createReadStream, existsSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { eventsToCsv } from '../app/csv.js';
import { jobsOf } from '../app/migration-jobs.js';
import { parsePlan } from '../core/plan.js';
import { isSystemPlanText } from '../system/plan.js';
import { ITEM_STATUSES, RERUNNABLE } from '../core/statuses.js';
import { roleAllows } from './access.js';
import type { ServerContext } from './context.js';
import { ApiError } from './errors.js';
import { nameParam, route, runParam, type Route } from './route-table.js';
import { streamMigrations, streamRun } from './sse.js';

const run = z.object({ id: z.number(), migrationId: z.number(), kind: z.string(), parentRunId: z.number().nullable(), status: z.string(), startedAt: z.string(), endedAt: z.string().nullable(), stopRequested: z.boolean(), logFile: z.string().nullable(), summary: z.unknown() }).passthrough();
const itemQuery = z.object({
  status: z.enum(ITEM_STATUSES).optional().describe('only items with this status'),
  type: z.string().optional().describe('only items of this object type'),
  step: z.coerce.number().int().min(0).optional().describe('only items of this step (its `idx` in GET /api/runs/{id}/steps): a type may be in several jobs'),
  limit: z.coerce.number().int().min(1).max(5000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

async function tracked(ctx: ServerContext, stream: Promise<void>): Promise<void> {
  ctx.streams.add(stream);
  try {
    await stream;
  } finally {
    ctx.streams.delete(stream);
  }
}

export function runRoutes(ctx: ServerContext): Route[] {
  const { ferry, jobs } = ctx;
  const { store } = ferry;
  return [
    route({
      method: 'POST', url: '/api/migrations/:name/runs', tag: 'runs', access: 'operator', params: nameParam, status: 202, response: run,
      summary: 'Starts (or resumes) a run in the background: in the server, or with `workers` (or `ferry serve --workers`) through the `ferry worker` processes on the PostgreSQL store; answers its run record once pre-checks pass. Resetting the target needs the admin role and `confirmReset` naming the target connection',
      body: z.object({
        reset: z.boolean().default(false).describe('empty the target first (also when the plan says `reset: true`)'),
        confirmReset: z.string().optional().describe('the target connection\'s name, typed again, when the run resets the target'),
        forgetMap: z.boolean().default(false).describe('forget the ID map of the pair first (the target was rebuilt)'),
        job: z.string().min(1).optional().describe('run only this job\'s steps; the others are Skipped ("not in this run\'s jobs")'),
        workers: z.boolean().optional().describe('hand the batches to the `ferry worker` processes on this PostgreSQL store, as `ferry run --workers` does (default: on when the server was started with `ferry serve --workers`); a 400 on the SQLite store'),
      }),
      async handler({ params, body, caller, reply }) {
        const migration = await ferry.migrations.byName(params.name);
        if (body.job) {
          const names = (await jobsOf(ferry, migration)).jobs.map((j) => j.name);
          if (!names.includes(body.job)) throw new ApiError(400, `"${params.name}" has no job "${body.job}"`, { field: 'body.job', hint: `its jobs are: ${names.map((n) => `"${n}"`).join(', ')}` });
        }
        // A system migration (kind: system) has no reset option: its target is snapshotted instead.
        const resets = body.reset || (!isSystemPlanText(migration.plan_yaml) && parsePlan(migration.plan_yaml, migration.name).options.reset);
        if (resets) {
          if (!roleAllows(caller.user!.role, 'admin')) throw new ApiError(403, 'Resetting the target needs the admin role', { hint: 'ask an admin, or run without reset' });
          if (body.confirmReset !== migration.target) {
            throw new ApiError(400, `This run deletes what the target "${migration.target}" holds before migrating: confirm by naming it`, { field: 'body.confirmReset', hint: `send "confirmReset": "${migration.target}"` });
          }
        }
        const distributed = await ctx.workers.optionsFor(body.workers);
        const started = await jobs.start(migration.id, (signal) => ferry.run(migration, { signal, ...distributed, ...(body.job ? { jobs: [body.job] } : {}), ...(body.reset ? { reset: true } : {}), ...(body.forgetMap ? { forgetMap: true } : {}), ...(resets ? { confirmReset: migration.target } : {}) }));
        await ctx.audit(caller, 'run.start', migration.name, `run ${started.id}${body.job ? `, job ${body.job}` : ''}${resets ? ', reset of the target' : ''}${body.forgetMap ? ', ID map forgotten' : ''}`);
        if (resets) await ctx.audit(caller, 'target.reset', migration.target, `by run ${started.id} of ${migration.name}`);
        void reply.status(202);
        return started;
      },
    }),
    route({
      method: 'POST', url: '/api/migrations/:name/stop', tag: 'runs', access: 'operator', params: nameParam, response: run,
      summary: 'Asks the migration\'s running run to stop after the items in flight (in this server or a CLI process)',
      async handler({ params, caller }) {
        const stopped = await ferry.stop(await ferry.migrations.byName(params.name));
        await ctx.audit(caller, 'run.stop', params.name, `run ${stopped.id}`);
        return stopped;
      },
    }),
    route({
      method: 'POST', url: '/api/migrations/:name/verify', tag: 'runs', access: 'operator', params: nameParam, status: 202, response: run,
      summary: 'Starts a verify run in the background: reads source and target afresh and compares every migrated item; writes nothing to the target',
      async handler({ params, caller, reply }) {
        const migration = await ferry.migrations.byName(params.name);
        const started = await jobs.start(migration.id, (signal) => ferry.verify(migration, { signal }));
        await ctx.audit(caller, 'run.verify', migration.name, `run ${started.id}`);
        void reply.status(202);
        return started;
      },
    }),
    route({
      method: 'GET', url: '/api/runs/:id', tag: 'runs', access: 'viewer', params: runParam,
      response: run.extend({
        counts: z.record(z.string(), z.number()),
        events: z.object({ warn: z.number(), error: z.number() }),
        migrationName: z.string().describe('the name of the migration the run belongs to'),
        typeCounts: z.record(z.string(), z.record(z.string(), z.number())).describe('item counts by object type, then status: live while the run goes'),
        workers: z
          .object({
            queued: z.number().describe('chunks (of up to 100 items) waiting for a worker'),
            active: z.number().describe('chunks a worker has taken'),
            done: z.number(),
            listed: z.number().describe('workers listed on the store'),
            live: z.number().describe('of those, heard of within the lease'),
            waiting: z.boolean().describe('true while the run has chunks and no live worker to take them'),
            hint: z.string().nullable().describe('what to do when it waits: the `ferry worker` command for this store'),
            command: z.string().describe('the command that adds a worker to this store, the password shown as ***'),
          })
          .nullable()
          .describe('a run whose batches went to `ferry worker` processes (`ferry run --workers`, `ferry serve --workers`): its chunks in the queue; null for a run done in one process'),
      }),
      summary: 'A run\'s status, summary (with the verify report when it verified), item counts by status and by object type',
      async handler({ params }) {
        const found = await ferry.requireRun(params.id);
        const typeCounts: Record<string, Record<string, number>> = {};
        for (const row of await store.summarizeItems(found.id)) {
          const byStatus = (typeCounts[row.type] ??= {});
          byStatus[row.status] = (byStatus[row.status] ?? 0) + row.count;
        }
        const migration = await ferry.migrations.byId(found.migrationId);
        return { ...found, counts: await store.countItems(found.id), events: await store.countEvents(found.id), migrationName: migration.name, typeCounts, workers: await ctx.workers.viewOf(found) };
      },
    }),
    route({
      method: 'GET', url: '/api/runs/:id/steps', tag: 'runs', access: 'viewer', params: runParam, response: z.array(z.unknown()),
      summary: 'The run\'s jobs and steps with their status (Pending, Running, Success, Skipped, Error) and progress',
      async handler({ params }) {
        return store.listSteps((await ferry.requireRun(params.id)).id);
      },
    }),
    route({
      method: 'GET', url: '/api/runs/:id/items', tag: 'runs', access: 'viewer', params: runParam, query: itemQuery,
      response: z.object({ items: z.array(z.unknown()), limit: z.number(), offset: z.number() }),
      summary: 'The run\'s items, filtered by status and type, a page at a time',
      async handler({ params, query }) {
        const found = await ferry.requireRun(params.id);
        const items = await store.listItems(found.id, { ...(query.status ? { statuses: [query.status] } : {}), ...(query.type ? { type: query.type } : {}), ...(query.step !== undefined ? { step: query.step } : {}), limit: query.limit, offset: query.offset });
        return { items, limit: query.limit, offset: query.offset };
      },
    }),
    route({
      method: 'GET', url: '/api/runs/:id/items.csv', tag: 'runs', access: 'viewer', params: runParam, produces: 'text/csv',
      query: itemQuery.omit({ limit: true, offset: true }),
      summary: 'The run\'s items as CSV (all of them, or of one status or type)',
      async handler({ params, query, reply }) {
        const found = await ferry.requireRun(params.id);
        const items = await store.listItems(found.id, { ...(query.status ? { statuses: [query.status] } : {}), ...(query.type ? { type: query.type } : {}), ...(query.step !== undefined ? { step: query.step } : {}) });
        void reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="ferry-run-${found.id}-items.csv"`);
        return stringify(items.map((i) => [i.type, i.sourceId, i.key, i.label, i.status, i.outcome ?? '', i.targetId ?? '', i.reason ?? '', i.attempts, i.updatedAt]), {
          header: true,
          columns: ['type', 'source_id', 'key', 'label', 'status', 'outcome', 'target_id', 'reason', 'attempts', 'updated_at'],
        });
      },
    }),
    route({
      method: 'GET', url: '/api/runs/:id/events', tag: 'runs', access: 'viewer', params: runParam, response: z.array(z.unknown()),
      query: z.object({ limit: z.coerce.number().int().min(1).max(10_000).default(500), afterId: z.coerce.number().int().min(0).optional().describe('oldest first after this event id; without it, the newest first') }),
      summary: 'The run\'s log events',
      async handler({ params, query }) {
        const found = await ferry.requireRun(params.id);
        if (query.afterId !== undefined) return store.listEventsAfter({ runId: found.id, afterId: query.afterId, limit: query.limit });
        return store.listEvents({ runId: found.id, limit: query.limit });
      },
    }),
    route({
      method: 'GET', url: '/api/runs/:id/events.csv', tag: 'runs', access: 'viewer', params: runParam, produces: 'text/csv',
      summary: 'The run\'s log events as CSV, oldest first',
      async handler({ params, reply }) {
        const found = await ferry.requireRun(params.id);
        void reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="ferry-run-${found.id}-events.csv"`);
        return eventsToCsv(await store.listEventsAfter({ runId: found.id, afterId: 0, limit: 1_000_000 }));
      },
    }),
    route({
      method: 'GET', url: '/api/runs/:id/log', tag: 'runs', access: 'viewer', params: runParam, produces: 'text/plain',
      summary: 'The run\'s readable log file',
      async handler({ params, reply }) {
        const found = await ferry.requireRun(params.id);
        if (!found.logFile) throw new ApiError(404, `Run ${found.id} has no log file`);
        if (!existsSync(found.logFile)) throw new ApiError(404, `The log file of run ${found.id} is gone from disk: ${found.logFile}`, { hint: 'GET /api/runs/{id}/events has the stored events' });
        return reply.type('text/plain; charset=utf-8').send(createReadStream(found.logFile));
      },
    }),
    route({
      method: 'GET', url: '/api/runs/:id/stream', tag: 'runs', access: 'viewer', params: runParam, produces: 'text/event-stream',
      summary: 'Live progress as server-sent events: `step`, `event` (log lines, with ids for Last-Event-ID), `run`, then `end` when the run ends. Works for runs started by the CLI too',
      async handler({ params, request, reply }) {
        const found = await ferry.requireRun(params.id);
        await tracked(ctx, streamRun(store, found.id, request, reply, ctx.shutdown));
        return reply;
      },
    }),
    route({
      method: 'GET', url: '/api/stream', tag: 'runs', access: 'viewer', produces: 'text/event-stream',
      summary: 'Every migration\'s last run, live, as server-sent events: `migration` when a run starts or changes status (started here, by another server or by the CLI), `ready` once the current state is sent. It does not end',
      async handler({ request, reply }) {
        await tracked(ctx, streamMigrations(store, request, reply, ctx.shutdown));
        return reply;
      },
    }),
    route({
      method: 'POST', url: '/api/runs/:id/cancel', tag: 'runs', access: 'operator', params: runParam, response: z.object({ cancelled: z.number() }),
      summary: 'Cancels READY items of a run: those named, those of one type, or all',
      body: z.object({ sourceIds: z.array(z.string()).min(1).optional(), type: z.string().optional() }),
      async handler({ params, body, caller }) {
        const found = await ferry.requireRun(params.id);
        const cancelled = await store.cancelItems(found.id, { ...(body.type ? { type: body.type } : {}), ...(body.sourceIds ? { sourceIds: body.sourceIds } : {}) }, ferry.now());
        await ctx.audit(caller, 'run.cancel-items', `run ${found.id}`, `${cancelled} item(s)`);
        return { cancelled };
      },
    }),
    route({
      method: 'POST', url: '/api/runs/:id/rerun', tag: 'runs', access: 'operator', params: runParam, status: 202, response: run,
      summary: 'Re-runs the FAILED, INCOMPLETE and TIMED_OUT items of a run (or those named) within the plan\'s re-run window, in the background',
      body: z.object({ sourceIds: z.array(z.string()).min(1).optional(), workers: z.boolean().optional().describe('hand the batches to the `ferry worker` processes on this PostgreSQL store, as `ferry run --workers` does (default: on when the server was started with `ferry serve --workers`); a 400 on the SQLite store') }),
      async handler({ params, body, caller, reply }) {
        const parent = await ferry.requireRun(params.id);
        if (body.sourceIds) {
          const rerunnable = new Set((await store.listItems(parent.id, { statuses: [...RERUNNABLE] })).map((i) => i.sourceId));
          const unknown = body.sourceIds.filter((id) => !rerunnable.has(id));
          if (unknown.length > 0) throw new ApiError(400, `Not a FAILED, INCOMPLETE or TIMED_OUT item of run ${parent.id}: ${unknown.join(', ')}`, { field: 'body.sourceIds' });
        }
        const distributed = await ctx.workers.optionsFor(body.workers);
        const started = await jobs.start(parent.migrationId, (signal) => ferry.rerun(parent.id, { signal, ...distributed, ...(body.sourceIds ? { sourceIds: body.sourceIds } : {}) }));
        await ctx.audit(caller, 'run.rerun', `run ${parent.id}`, `as run ${started.id}`);
        void reply.status(202);
        return started;
      },
    }),
    route({
      method: 'POST', url: '/api/runs/:id/undo', tag: 'runs', access: 'operator', params: runParam, status: 202, response: run,
      summary: 'Undoes a run, or one of its jobs and/or steps, in the background: removes what it created. `step` (an object type) without `job` undoes that type in every job of the run',
      body: z.object({
        job: z.string().min(1).optional().describe('undo only what this job of the run wrote'),
        step: z.string().min(1).optional().describe('undo only this step (object type); with `job`, only in that job'),
        type: z.string().min(1).optional().describe('the same as `step` (kept for older clients)'),
      }),
      async handler({ params, body, caller, reply }) {
        const of = await ferry.requireRun(params.id);
        const type = body.step ?? body.type;
        const steps = await store.listSteps(of.id);
        if (body.job && !steps.some((s) => s.job === body.job)) {
          throw new ApiError(400, `Run ${of.id} has no job "${body.job}"`, { field: 'body.job', hint: `its jobs are: ${[...new Set(steps.map((s) => s.job))].map((j) => `"${j}"`).join(', ')}` });
        }
        if (type && !steps.some((s) => s.type === type && (!body.job || s.job === body.job))) {
          throw new ApiError(400, `Run ${of.id} has no step "${type}"${body.job ? ` in job "${body.job}"` : ''}`, { field: body.step ? 'body.step' : 'body.type', hint: `its steps are: ${[...new Set(steps.filter((s) => !body.job || s.job === body.job).map((s) => s.type))].join(', ')}` });
        }
        const started = await jobs.start(of.migrationId, (signal) => ferry.undo(of.id, { signal, ...(type ? { type } : {}), ...(body.job ? { job: body.job } : {}) }));
        await ctx.audit(caller, 'run.undo', `run ${of.id}`, `as run ${started.id}${body.job ? `, job ${body.job}` : ''}${type ? `, step ${type}` : ''}`);
        void reply.status(202);
        return started;
      },
    }),
    route({
      method: 'GET', url: '/api/runs/:id/actions', tag: 'runs', access: 'viewer', params: runParam, response: z.array(z.unknown()),
      summary: 'The run\'s post-migration actions: what a person must do by hand, each with its done flag',
      async handler({ params }) {
        return store.listStoredActions((await ferry.requireRun(params.id)).id);
      },
    }),
    route({
      method: 'PUT', url: '/api/runs/:id/actions/:actionId', tag: 'runs', access: 'operator',
      params: z.object({ id: z.coerce.number().int().positive(), actionId: z.coerce.number().int().positive() }), response: z.object({ id: z.number(), done: z.boolean() }),
      summary: 'Ticks a post-migration action off (or back on); kept in the store',
      body: z.object({ done: z.boolean() }),
      async handler({ params, body, caller }) {
        const found = await ferry.requireRun(params.id);
        const ok = await store.setActionDone({ runId: found.id, actionId: params.actionId, done: body.done, by: caller.user!.name, at: ferry.now() });
        if (!ok) throw new ApiError(404, `Run ${found.id} has no action ${params.actionId}`, { field: 'params.actionId', hint: 'GET /api/runs/{id}/actions lists them' });
        return { id: params.actionId, done: body.done };
      },
    }),
  ];
}
