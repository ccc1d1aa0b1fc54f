import { z } from 'zod';
import { JobsInvalid, jobsOf, replacePlan, saveJobs } from '../app/migration-jobs.js';
import type { ServerContext } from './context.js';
import { ApiError } from './errors.js';
import { nameParam, route, type Route } from './route-table.js';

const filter = z.strictObject({
  type: z.string().optional().describe('only items of this object type'),
  pattern: z.string().optional().describe('glob on the item\'s label or key: `*` any characters, `?` one'),
  namespace: z.array(z.union([z.string(), z.number()])).min(1).optional().describe('namespaces or categories, as the platform names them'),
  modifiedSince: z.string().optional().describe('only items changed since this date (2024-01-31)'),
});
const job = z.strictObject({
  name: z.string().min(1, 'a job needs a name').describe('unique within the migration: runs and undo name jobs'),
  steps: z.array(z.string().min(1)).min(1, 'a job needs at least one step: add one, or remove the job').describe('object types, in the order they run'),
  scope: z.array(filter).optional().describe('filters narrowing this job\'s items (any of them matches)'),
});
const jobsView = z.object({
  migration: z.string(),
  standard: z.boolean().describe('true: the plan names no jobs; these are the standard jobs laid out for it'),
  jobs: z.array(z.object({ name: z.string(), scope: z.array(z.unknown()), steps: z.array(z.object({ type: z.string(), label: z.string(), applies: z.boolean(), reason: z.string().optional() })) })),
  warnings: z.array(z.string()).describe('steps out of dependency order: a warning, not a refusal'),
  types: z.array(z.object({ name: z.string(), label: z.string(), dependsOn: z.array(z.string()) })),
});

/** A planner refusal as a 400 naming the field of the request it comes from. */
function asBadRequest(error: unknown, where: string): never {
  if (error instanceof JobsInvalid) throw new ApiError(400, error.message, { field: `${where}.${error.field}`, ...(error.hint ? { hint: error.hint } : {}), ...(error.details.length > 0 ? { details: error.details } : {}) });
  throw error;
}

export function jobRoutes(ctx: ServerContext): Route[] {
  const { ferry } = ctx;
  return [
    route({
      method: 'GET', url: '/api/migrations/:name/jobs', tag: 'migrations', access: 'viewer', params: nameParam, response: jobsView,
      summary: 'The migration\'s jobs as they run: the plan\'s `jobs:` or the standard jobs, each with its steps and scope, the order warnings and the types a step can take',
      async handler({ params }) {
        return jobsOf(ferry, await ferry.migrations.byName(params.name));
      },
    }),
    route({
      method: 'PUT', url: '/api/migrations/:name/jobs', tag: 'migrations', access: 'operator', params: nameParam, response: jobsView,
      summary: 'Replaces the plan\'s `jobs:` (the rest of its YAML, comments included, is kept); an empty list goes back to the standard jobs. Validated by the planner: a 400 names the bad field',
      body: z.object({ jobs: z.array(job) }),
      async handler({ params, body, caller }) {
        const row = await ferry.migrations.byName(params.name);
        // Namespaces may be sent as numbers (MediaWiki's): the plan keeps them as text.
        const given = body.jobs.map(({ scope, ...j }) => ({ ...j, ...(scope ? { scope: scope.map(({ namespace, ...f }) => ({ ...f, ...(namespace ? { namespace: namespace.map(String) } : {}) })) } : {}) }));
        const saved = await saveJobs(ferry, row, given).catch((error: unknown) => asBadRequest(error, 'body'));
        await ctx.audit(caller, 'migration.jobs', saved.name, body.jobs.length > 0 ? body.jobs.map((j) => `${j.name} [${j.steps.join(', ')}]`).join('; ') : 'standard jobs');
        return jobsOf(ferry, saved);
      },
    }),
    route({
      method: 'PUT', url: '/api/migrations/:name', tag: 'migrations', access: 'operator', params: nameParam,
      response: z.object({ id: z.number(), name: z.string(), source: z.string(), target: z.string(), archived: z.boolean(), createdAt: z.string(), updatedAt: z.string() }),
      summary: 'Replaces a migration\'s plan (its Edit); a plan with another `name:` renames it, refused when that name is taken. Its runs stay',
      body: z.object({ yaml: z.string().min(1).describe('the whole plan, as in a plan file (docs/plans.md)') }),
      async handler({ params, body, caller }) {
        const row = await ferry.migrations.byName(params.name);
        const saved = await replacePlan(ferry, row, body.yaml).catch((error: unknown) => asBadRequest(error, 'body.yaml'));
        await ctx.audit(caller, 'migration.edit', row.name, saved.name !== row.name ? `renamed to ${saved.name}` : undefined);
        return { id: saved.id, name: saved.name, source: saved.source, target: saved.target, archived: saved.archived === 1, createdAt: saved.created_at, updatedAt: saved.updated_at };
      },
    }),
  ];
}
