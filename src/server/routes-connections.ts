import { z } from 'zod';
import { connectorFor } from '../app/connections.js';
import { connectors } from '../app/registry.js';
import { parsePlan } from '../core/plan.js';
import { UserError } from '../app/errors.js';
import type { ServerContext } from './context.js';
import { ApiError } from './errors.js';
import { nameParam, route, type Route } from './route-table.js';

const identity = z.object({ platform: z.string(), version: z.string(), siteName: z.string(), host: z.string(), account: z.string(), rights: z.array(z.string()) }).passthrough();
const connection = z.object({
  name: z.string(),
  platform: z.string(),
  config: z.record(z.string(), z.unknown()).describe('the settings without the secret fields'),
  identity: identity.nullable(),
  checkedAt: z.string().nullable(),
  discoveredAt: z.string().nullable(),
});

export function connectionRoutes(ctx: ServerContext): Route[] {
  const { ferry } = ctx;
  return [
    route({
      method: 'GET', url: '/api/platforms', tag: 'connections', access: 'viewer',
      response: z.array(z.object({
        platform: z.string(), title: z.string(), secretFields: z.array(z.string()), configSchema: z.record(z.string(), z.unknown()),
        objectTypes: z.array(z.object({ name: z.string(), label: z.string(), naturalKey: z.string(), principal: z.boolean() })),
      })),
      summary: 'The platforms this build carries, each with the JSON Schema of its connection settings (title and description per field), which fields are secret, and its object types: the connection form and the plan editor are built from it',
      async handler() {
        return [...connectors.values()].map((c) => ({
          platform: c.platform, title: c.title, secretFields: c.secretFields, configSchema: z.toJSONSchema(c.configSchema, { io: 'input', unrepresentable: 'any' }),
          objectTypes: c.objectTypes.map((t) => ({ name: t.name, label: t.label, naturalKey: t.naturalKey, principal: t.principal === true })),
        }));
      },
    }),
    route({
      method: 'GET', url: '/api/connections', tag: 'connections', access: 'viewer', response: z.array(connection),
      summary: 'Lists connections; secrets are never returned',
      async handler() {
        return (await ferry.connections.list()).map(({ inventory: _inventory, ...rest }) => rest);
      },
    }),
    route({
      method: 'GET', url: '/api/connections/:name', tag: 'connections', access: 'viewer', params: nameParam,
      response: connection.extend({ inventory: z.unknown().nullable() }),
      summary: 'One connection with its last inventory (from discover) and when it was taken',
      async handler({ params }) {
        return ferry.connections.get(params.name);
      },
    }),
    route({
      method: 'POST', url: '/api/connections', tag: 'connections', access: 'admin', status: 201,
      response: z.object({ name: z.string(), identity }),
      summary: 'Adds (or replaces) a connection: the settings are validated by the platform\'s schema (GET /api/platforms) and checked against the live instance before anything is saved',
      body: z.object({
        name: z.string().regex(/^[\w.-]+$/, 'use letters, digits, dot, dash or underscore'),
        platform: z.string().min(1),
        config: z.record(z.string(), z.unknown()).describe('the platform\'s settings, secrets included; they are stored encrypted'),
      }),
      async handler({ body, caller, reply }) {
        if (!connectors.has(body.platform)) throw new ApiError(400, `Unknown platform "${body.platform}"`, { field: 'body.platform', hint: `known platforms: ${[...connectors.keys()].join(', ')}` });
        const parsed = connectorFor(body.platform).configSchema.safeParse(body.config);
        if (!parsed.success) {
          const issues = parsed.error.issues.map((i) => ({ field: ['body', 'config', ...i.path].join('.'), message: i.message }));
          throw new ApiError(400, `${issues[0]!.field}: ${issues[0]!.message}`, { field: issues[0]!.field, details: issues.map((i) => `${i.field}: ${i.message}`) });
        }
        const replaced = (await ferry.connections.list()).some((c) => c.name === body.name);
        const found = await ferry.connections.add(body.name, body.platform, body.config, ferry.now());
        await ctx.audit(caller, replaced ? 'connection.replace' : 'connection.add', body.name, body.platform);
        void reply.status(201);
        return { name: body.name, identity: found };
      },
    }),
    route({
      method: 'POST', url: '/api/connections/:name/check', tag: 'connections', access: 'operator', params: nameParam, response: identity,
      summary: 'Checks a connection against its instance and answers what it reached (the instance identity)',
      async handler({ params }) {
        return ferry.connections.check(params.name, ferry.now());
      },
    }),
    route({
      method: 'POST', url: '/api/connections/:name/discover', tag: 'connections', access: 'operator', params: nameParam, response: z.unknown(),
      summary: 'Takes the inventory of an instance: object kinds with counts, and what Ferry does not carry',
      async handler({ params }) {
        return ferry.connections.discover(params.name, ferry.now());
      },
    }),
    route({
      method: 'DELETE', url: '/api/connections/:name', tag: 'connections', access: 'admin', params: nameParam, status: 204,
      summary: 'Removes a connection (its ID maps stay, for when it is added again)',
      async handler({ params, caller, reply }) {
        const using = (await ferry.migrations.list()).filter((m) => m.source === params.name || m.target === params.name);
        if (using.length > 0) throw new UserError(`"${params.name}" is used by the migration(s) ${using.map((m) => `"${m.name}"`).join(', ')}`, { hint: 'delete or archive those first, or replace the connection with POST /api/connections' });
        await ferry.connections.remove(params.name);
        await ctx.audit(caller, 'connection.remove', params.name);
        void reply.status(204);
        return undefined;
      },
    }),
    route({
      method: 'POST', url: '/api/plans/validate', tag: 'plans', access: 'viewer',
      response: z.object({ valid: z.literal(true), name: z.string(), source: z.string(), target: z.string(), warnings: z.array(z.string()) }),
      summary: 'Validates a plan (YAML) against its connections; errors come back as 400 naming the field',
      body: z.object({ yaml: z.string().min(1).describe('the plan, as in a plan file (docs/plans.md)') }),
      async handler({ body }) {
        const draft = await ferry.draftMigrationText(body.yaml);
        const plan = parsePlan(body.yaml);
        return { valid: true, name: draft.name, source: draft.source, target: draft.target, warnings: await ferry.planWarnings(plan) };
      },
    }),
    route({
      method: 'POST', url: '/api/plans/preview', tag: 'plans', access: 'operator', response: z.unknown(),
      summary: 'A dry run of a plan: what a run would create, update or skip, and why. Reads both instances, writes nothing',
      body: z.object({ yaml: z.string().min(1), forgetMap: z.boolean().default(false) }),
      async handler({ body }) {
        const draft = await ferry.draftMigrationText(body.yaml);
        return ferry.preview(draft, undefined, { forgetMap: body.forgetMap });
      },
    }),
  ];
}
