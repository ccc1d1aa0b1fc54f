import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { clearSessionCookie, startSession } from './access.js';
import type { ServerContext } from './context.js';
import { ApiError } from './errors.js';
import { checkPassword, hashPassword, newToken, sameSecret, tokenHash } from './passwords.js';
import { route, type Route } from './route-table.js';

const userName = z.string().regex(/^[\w.@-]{1,64}$/, 'use 1 to 64 letters, digits, dot, dash, @ or underscore');
const password = z.string().min(12, 'use at least 12 characters').max(1024);
/** Sign-in (and setup) attempts a minute from one address for one user name; more answer 429. */
export const SIGN_IN_PER_MINUTE = 10;
const role = z.enum(['viewer', 'operator', 'admin']);
const user = z.object({ name: z.string(), role, createdAt: z.string() });
const session = z.object({ user, csrf: z.string().describe('send it as the x-csrf-token header with every write made with the session cookie') });

export function accessRoutes(ctx: ServerContext): Route[] {
  const { store } = ctx.ferry;
  const publicUser = (u: { name: string; role: 'viewer' | 'operator' | 'admin'; createdAt: string }) => ({ name: u.name, role: u.role, createdAt: u.createdAt });
  const userByName = async (name: string) => {
    const found = await store.access.userByName(name);
    if (!found) throw new ApiError(404, `No user named "${name}"`, { hint: 'GET /api/users lists them' });
    return found;
  };
  return [
    route({
      method: 'GET', url: '/api/setup', tag: 'access', access: 'public', response: z.object({ needed: z.boolean() }),
      summary: 'Whether Ferry still waits for its first admin (the dashboard then asks for the setup token instead of a password)',
      async handler() {
        return { needed: ctx.setup.token !== undefined && (await store.access.countUsers()) === 0 };
      },
    }),
    route({
      method: 'POST', url: '/api/setup', tag: 'access', access: 'public', status: 201, response: session, limit: { max: SIGN_IN_PER_MINUTE },
      summary: 'Creates the first admin with the one-time setup token `ferry serve` printed, and signs them in',
      body: z.object({ token: z.string().min(1), name: userName, password }),
      async handler({ body, request, reply }) {
        const expected = ctx.setup.token;
        if (!expected || (await store.access.countUsers()) > 0) throw new ApiError(409, 'Ferry is set up already', { hint: 'sign in with POST /api/session; an admin adds users' });
        if (!sameSecret(body.token, expected)) throw new ApiError(403, 'That is not the setup token', { field: 'body.token', hint: 'copy it from the console where `ferry serve` started' });
        ctx.setup.token = undefined;
        const admin = await store.access.addUser({ name: body.name, role: 'admin', passwordHash: await hashPassword(body.password), at: ctx.ferry.now() });
        await ctx.audit({ user: admin, via: 'none' }, 'user.add', admin.name, 'admin (setup)');
        const { csrf } = await startSession(store, reply, request, admin, ctx.ferry.clock.now());
        void reply.status(201);
        return { user: publicUser(admin), csrf };
      },
    }),
    route({
      method: 'POST', url: '/api/session', tag: 'access', access: 'public', response: session, limit: { max: SIGN_IN_PER_MINUTE },
      summary: 'Signs in: sets an http-only session cookie and answers the CSRF token',
      body: z.object({ name: z.string().min(1), password: z.string().min(1) }),
      async handler({ body, request, reply }) {
        const found = await store.access.userByName(body.name);
        // The same answer and about the same time for an unknown name: nobody learns which names exist.
        const ok = await checkPassword(body.password, found?.passwordHash ?? 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
        if (!found || !ok) throw new ApiError(401, 'Wrong name or password', { hint: 'an admin can set a new password with PATCH /api/users/{name}' });
        const { csrf } = await startSession(store, reply, request, found, ctx.ferry.clock.now());
        return { user: publicUser(found), csrf };
      },
    }),
    route({
      method: 'GET', url: '/api/session', tag: 'access', access: 'viewer', response: session.partial({ csrf: true }),
      summary: 'Who is signed in, and the session\'s CSRF token',
      async handler({ caller }) {
        return { user: publicUser(caller.user!), ...(caller.csrf ? { csrf: caller.csrf } : {}) };
      },
    }),
    route({
      method: 'DELETE', url: '/api/session', tag: 'access', access: 'viewer', status: 204,
      summary: 'Signs out',
      async handler({ caller, reply }) {
        if (caller.sessionHash) await store.access.removeSession(caller.sessionHash);
        clearSessionCookie(reply);
        void reply.status(204);
        return undefined;
      },
    }),
    route({
      method: 'GET', url: '/api/users', tag: 'access', access: 'admin', response: z.array(user),
      summary: 'Lists users and their roles',
      async handler() {
        return (await store.access.listUsers()).map(publicUser);
      },
    }),
    route({
      method: 'POST', url: '/api/users', tag: 'access', access: 'admin', status: 201, response: user,
      summary: 'Adds a user with a role: viewer (reads), operator (runs, stops, re-runs, undoes, verifies) or admin (connections, users, reset)',
      body: z.object({ name: userName, password, role }),
      async handler({ body, caller, reply }) {
        if (await store.access.userByName(body.name)) throw new ApiError(409, `A user named "${body.name}" exists already`, { field: 'body.name' });
        const added = await store.access.addUser({ name: body.name, role: body.role, passwordHash: await hashPassword(body.password), at: ctx.ferry.now() });
        await ctx.audit(caller, 'user.add', added.name, added.role);
        void reply.status(201);
        return publicUser(added);
      },
    }),
    route({
      method: 'PATCH', url: '/api/users/:name', tag: 'access', access: 'admin', response: user,
      summary: 'Changes a user\'s role or password',
      params: z.object({ name: z.string() }),
      body: z.object({ role: role.optional(), password: password.optional() }),
      async handler({ params, body, caller }) {
        const found = await userByName(params.name);
        if (found.id === caller.user!.id && body.role && body.role !== 'admin') throw new ApiError(400, 'You cannot take the admin role from yourself', { field: 'body.role', hint: 'another admin can' });
        await store.access.updateUser(found.id, { ...(body.role ? { role: body.role } : {}), ...(body.password ? { passwordHash: await hashPassword(body.password) } : {}) });
        await ctx.audit(caller, 'user.change', found.name, [body.role ? `role ${body.role}` : '', body.password ? 'password' : ''].filter(Boolean).join(', '));
        return publicUser((await store.access.userById(found.id))!);
      },
    }),
    route({
      method: 'DELETE', url: '/api/users/:name', tag: 'access', access: 'admin', status: 204,
      summary: 'Removes a user with their sessions and API tokens',
      params: z.object({ name: z.string() }),
      async handler({ params, caller, reply }) {
        const found = await userByName(params.name);
        if (found.id === caller.user!.id) throw new ApiError(400, 'You cannot remove yourself', { field: 'params.name' });
        await store.access.removeUser(found.id);
        await ctx.audit(caller, 'user.remove', found.name);
        void reply.status(204);
        return undefined;
      },
    }),
    route({
      method: 'GET', url: '/api/tokens', tag: 'access', access: 'viewer', response: z.array(z.object({ id: z.number(), label: z.string(), createdAt: z.string() })),
      summary: 'Lists your API tokens (never the tokens themselves)',
      async handler({ caller }) {
        return (await store.access.listTokens(caller.user!.id)).map((t) => ({ id: t.id, label: t.label, createdAt: t.createdAt }));
      },
    }),
    route({
      method: 'POST', url: '/api/tokens', tag: 'access', access: 'viewer', status: 201, response: z.object({ id: z.number(), label: z.string(), token: z.string() }),
      summary: 'Creates an API token with your role, for scripts (Authorization: Bearer). It is shown once',
      body: z.object({ label: z.string().min(1).max(100) }),
      async handler({ body, caller, reply }) {
        const token = newToken('ferry_');
        const saved = await store.access.addToken({ userId: caller.user!.id, label: body.label, tokenHash: tokenHash(token), at: ctx.ferry.now() });
        await ctx.audit(caller, 'token.add', caller.user!.name, body.label);
        void reply.status(201);
        return { id: saved.id, label: saved.label, token };
      },
    }),
    route({
      method: 'DELETE', url: '/api/tokens/:id', tag: 'access', access: 'viewer', status: 204,
      summary: 'Revokes one of your API tokens',
      params: z.object({ id: z.coerce.number().int().positive() }),
      async handler({ params, caller, reply }) {
        const mine = (await store.access.listTokens(caller.user!.id)).find((t) => t.id === params.id);
        if (!mine) throw new ApiError(404, `You have no API token ${params.id}`, { field: 'params.id' });
        await store.access.removeToken(mine.id);
        await ctx.audit(caller, 'token.remove', caller.user!.name, mine.label);
        void reply.status(204);
        return undefined;
      },
    }),
    route({
      method: 'GET', url: '/api/audit', tag: 'access', access: 'admin',
      response: z.array(z.object({ id: z.number(), at: z.string(), actor: z.string(), action: z.string(), subject: z.string(), detail: z.string().nullable() })),
      summary: 'The audit log, oldest first: who started, stopped, undid, reset, verified what, who changed connections and users',
      query: z.object({ limit: z.coerce.number().int().min(1).max(10_000).default(1000), offset: z.coerce.number().int().min(0).default(0) }),
      async handler({ query }) {
        return store.access.listAudit(query);
      },
    }),
    route({
      method: 'GET', url: '/api/audit.csv', tag: 'access', access: 'admin', produces: 'text/csv',
      summary: 'The whole audit log as CSV',
      async handler({ reply }) {
        const rows = await store.access.listAudit({ limit: 1_000_000 });
        void reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="ferry-audit.csv"');
        return stringify(rows.map((r) => [r.at, r.actor, r.action, r.subject, r.detail ?? '']), { header: true, columns: ['time', 'who', 'action', 'subject', 'detail'] });
      },
    }),
  ];
}
