import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { ServerContext } from './context.js';
import { ApiError } from './errors.js';
import { jobRoutes } from './routes-jobs.js';
import { nameParam, route, type Route } from './route-table.js';

const migration = z.object({
  id: z.number(),
  name: z.string(),
  source: z.string(),
  target: z.string(),
  archived: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
type Row = { id: number; name: string; source: string; target: string; archived: number; created_at: string; updated_at: string };
const shape = (r: Row) => ({ id: r.id, name: r.name, source: r.source, target: r.target, archived: r.archived === 1, createdAt: r.created_at, updatedAt: r.updated_at });

/** The plan's text with its `name:` changed (comments and layout kept). */
function renamePlan(yaml: string, name: string): string {
  const doc = parseDocument(yaml);
  doc.set('name', name);
  return doc.toString();
}

export function migrationRoutes(ctx: ServerContext): Route[] {
  const { ferry } = ctx;
  return [
    route({
      method: 'GET', url: '/api/migrations', tag: 'migrations', access: 'viewer',
      response: z.array(migration.extend({ status: z.string().describe('the status of its last run, SAVED when never run'), lastRunId: z.number().nullable() })),
      summary: 'Lists migrations with the status of their last run; `archived=true` lists the archived ones',
      query: z.object({ archived: z.enum(['true', 'false']).default('false'), search: z.string().max(200).optional() }),
      async handler({ query }) {
        const rows = await ferry.migrations.list({ archived: query.archived === 'true', ...(query.search ? { search: query.search } : {}) });
        return rows.map((r) => ({ ...shape(r), status: r.status, lastRunId: r.lastRunId }));
      },
    }),
    route({
      method: 'POST', url: '/api/migrations', tag: 'migrations', access: 'operator', status: 201, response: migration,
      summary: 'Saves a migration from a plan (YAML); a plan with the name of a saved one replaces its plan',
      body: z.object({ yaml: z.string().min(1).describe('the plan, as in a plan file (docs/plans.md)') }),
      async handler({ body, caller, reply }) {
        const saved = await ferry.saveMigrationText(body.yaml);
        await ctx.audit(caller, 'migration.save', saved.name);
        void reply.status(201);
        return shape(saved);
      },
    }),
    route({
      method: 'GET', url: '/api/migrations/:name', tag: 'migrations', access: 'viewer', params: nameParam,
      response: migration.extend({ planYaml: z.string(), planFile: z.string().nullable(), runs: z.array(z.unknown()) }),
      summary: 'One migration: its plan and its runs, newest first',
      async handler({ params }) {
        const row = await ferry.migrations.byName(params.name);
        return { ...shape(row), planYaml: row.plan_yaml, planFile: row.plan_file, runs: await ferry.store.listRuns(row.id) };
      },
    }),
    route({
      method: 'POST', url: '/api/migrations/:name/prechecks', tag: 'migrations', access: 'operator', params: nameParam,
      response: z.object({
        findings: z.array(z.object({ level: z.enum(['error', 'warning']), code: z.string(), message: z.string(), hint: z.string().optional() })),
        jobs: z.array(z.object({ name: z.string(), steps: z.array(z.object({ type: z.string(), label: z.string(), applies: z.boolean(), reason: z.string().optional() })) })),
      }),
      summary: 'The pre-migration checks a run would make now (errors block a run, warnings do not) and the jobs and steps it would run. Reads both instances, writes nothing',
      body: z.object({ reset: z.boolean().default(false).describe('check as for a run that resets the target') }),
      async handler({ params, body }) {
        const row = await ferry.migrations.byName(params.name);
        // The confirmation is the run dialog's business: checked here as given, so only the instance findings count.
        return ferry.precheck(row, { reset: body.reset, confirmReset: row.target });
      },
    }),
    route({
      method: 'POST', url: '/api/migrations/:name/copy', tag: 'migrations', access: 'operator', params: nameParam, status: 201, response: migration,
      summary: 'Copies a migration\'s plan under a new name (its runs are not copied)',
      body: z.object({ name: z.string().min(1).max(200).describe('the name of the copy') }),
      async handler({ params, body, caller, reply }) {
        const copy = await ferry.migrations.copy(params.name, body.name, renamePlan, ferry.now());
        await ctx.audit(caller, 'migration.copy', params.name, `as ${copy.name}`);
        void reply.status(201);
        return shape(copy);
      },
    }),
    ...(['archive', 'unarchive'] as const).map((what) =>
      route({
        method: 'POST', url: `/api/migrations/:name/${what}`, tag: 'migrations', access: 'operator', params: nameParam, response: migration,
        summary: what === 'archive' ? 'Archives a migration: it leaves the list, its records stay' : 'Brings an archived migration back to the list',
        async handler({ params, caller }) {
          await ferry.migrations.setArchived(params.name, what === 'archive', ferry.now());
          await ctx.audit(caller, `migration.${what}`, params.name);
          return shape(await ferry.migrations.byName(params.name));
        },
      }),
    ),
    route({
      method: 'DELETE', url: '/api/migrations/:name', tag: 'migrations', access: 'admin', params: nameParam, status: 204,
      summary: 'Deletes a migration with its runs and item records; `confirm` must repeat its name. The ID map stays (it belongs to the connection pair)',
      body: z.object({ confirm: z.string().describe('the migration\'s name, typed again') }),
      async handler({ params, body, caller, reply }) {
        if (body.confirm !== params.name) throw new ApiError(400, `Deleting "${params.name}" removes its runs and item records: confirm by naming it`, { field: 'body.confirm', hint: `send "confirm": "${params.name}"` });
        await ferry.migrations.remove(params.name, body.confirm);
        await ctx.audit(caller, 'migration.delete', params.name);
        void reply.status(204);
        return undefined;
      },
    }),
    // Jobs, and the whole plan's edit: routes-jobs.ts.
    ...jobRoutes(ctx),
  ];
}
