import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ItemHeader, ObjectTypeSpec, PostAction, ReadPage, RemoveResult, SourceItem, TargetRef, WriteOutcome, WriteRequest, WriteResult } from '../../sdk/connector.js';
import { ConnectorError } from '../../sdk/errors.js';
import { hasWpCode } from './api-errors.js';
import type { WpContext } from './context.js';
import { changedFields, stableHash } from './hashing.js';
import { eachRequest, result } from './outcomes.js';

/**
 * Users, known by login. An account the target already has under the same
 * login or the same e-mail address is adopted, never duplicated (WordPress
 * refuses a second account with one address anyway). Passwords cannot be
 * read: a created account gets a random one and a post-migration action
 * asks its owner to reset it. `registered_date` is read-only in the REST API.
 */

export const userType: ObjectTypeSpec = {
  name: 'user',
  label: 'Users',
  naturalKey: 'login (user name); an existing account with the same e-mail address is adopted',
  dependsOn: [],
  references: {},
  neverCarried: ['password', 'registration date', 'application passwords', 'user meta outside the REST API'],
  deletable: true,
  batchSize: 10,
  principal: true,
};

/** The payload of a loaded user. */
export interface UserData {
  id: number;
  username: string;
  email: string;
  name: string;
  first_name: string;
  last_name: string;
  url: string;
  description: string;
  nickname: string;
  slug: string;
  roles: string[];
  locale: string;
  registered_date?: string;
  /** The account disappeared from the source between listing and loading. */
  missing?: boolean;
}

/** A user as the REST API gives it (context edit); inspect reads the same shape. */
export const userRowSchema = z.object({
  id: z.number(),
  username: z.string(),
  email: z.string().default(''),
  name: z.string().default(''),
  first_name: z.string().default(''),
  last_name: z.string().default(''),
  url: z.string().default(''),
  description: z.string().default(''),
  nickname: z.string().default(''),
  slug: z.string().default(''),
  roles: z.array(z.string()).default([]),
  locale: z.string().default(''),
  registered_date: z.string().optional(),
});
type UserRow = z.infer<typeof userRowSchema>;

const FIELDS = 'id,username,email,name,first_name,last_name,url,description,nickname,slug,roles,locale,registered_date';
/** Roles every WordPress has; a custom role may be missing on the target. */
const STANDARD_ROLES: ReadonlySet<string> = new Set(['administrator', 'editor', 'author', 'contributor', 'subscriber']);
/** The version of an account Ferry adopted because of its e-mail address: undo never deletes it. */
const ADOPTED = 'adopted';

export async function* readUsers(ctx: WpContext, options: { signal: AbortSignal; cursor?: string }): AsyncGenerator<ReadPage> {
  const startPage = options.cursor ? Number(options.cursor) : 1;
  const query = { context: 'edit', orderby: 'id', order: 'asc', _fields: FIELDS };
  for await (const page of ctx.api.pages('wp/v2/users', { signal: options.signal, query, startPage, what: 'listing users' })) {
    const items = z.array(userRowSchema).parse(page.items).map((row) => userHeader(toUserData(row)));
    yield page.page < page.totalPages ? { items, cursor: String(page.page + 1) } : { items };
  }
}

export async function loadUsers(ctx: WpContext, headers: ItemHeader[], signal: AbortSignal): Promise<SourceItem<UserData>[]> {
  const rows = await usersById(ctx, headers.map((h) => Number(h.sourceId)), signal);
  return headers.map((header) => {
    const row = rows.get(Number(header.sourceId));
    const data: UserData = row ? toUserData(row) : { ...emptyUser(Number(header.sourceId), header.key), missing: true };
    return { ...header, ...(row ? { hash: userHeader(data).hash } : {}), refs: [], data };
  });
}

/** Finds accounts by login, or by e-mail address for keys that are one. */
export async function lookupUsers(ctx: WpContext, keys: string[], signal: AbortSignal): Promise<Map<string, TargetRef>> {
  const found = new Map<string, TargetRef>();
  const unique = [...new Set(keys)];
  // Several keys on a site of at most 100 accounts: one request for all of them instead of a search each.
  const everyone = unique.length > 1 ? await allUsersIfFew(ctx, signal) : undefined;
  for (const key of unique) {
    const row = everyone
      ? (everyone.find((r) => r.username.toLowerCase() === key.toLowerCase()) ?? (key.includes('@') ? everyone.find((r) => r.email.toLowerCase() === key.toLowerCase()) : undefined))
      : ((await findByLogin(ctx, key, signal)) ?? (key.includes('@') ? await findByEmail(ctx, key, signal) : undefined));
    if (row) found.set(key, { targetId: String(row.id), version: userVersion(row) });
  }
  return found;
}

/** Every account of the site when one page of 100 holds them all, else undefined. */
async function allUsersIfFew(ctx: WpContext, signal: AbortSignal): Promise<UserRow[] | undefined> {
  const page = await ctx.api.getPage('wp/v2/users', { signal, query: { per_page: 100, page: 1, context: 'edit', orderby: 'id', order: 'asc', _fields: FIELDS }, what: 'listing users' });
  return page.totalPages <= 1 ? z.array(userRowSchema).parse(page.items) : undefined;
}

export async function writeUsers(ctx: WpContext, requests: WriteRequest[], signal: AbortSignal): Promise<WriteOutcome[]> {
  return eachRequest('user', requests, signal, (request) => writeUser(ctx, request, signal));
}

/** Finds or creates the placeholder account unmatched authors are credited to. */
export async function ensureUser(ctx: WpContext, name: string, signal: AbortSignal): Promise<TargetRef> {
  const existing = await findByLogin(ctx, name, signal);
  if (existing) return { targetId: String(existing.id), version: userVersion(existing) };
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'placeholder';
  const body = { username: name, email: `${slug}@placeholder.invalid`, password: randomPassword(), name, nickname: name, roles: ['author'], description: 'Placeholder for authors who were not migrated (created by Ferry).' };
  const row = userRowSchema.parse(await ctx.api.post('wp/v2/users', body, { signal, query: { context: 'edit' }, what: `creating the placeholder user "${name}"`, retry: false }));
  return { targetId: String(row.id), version: userVersion(row) };
}

export async function removeUser(ctx: WpContext, target: TargetRef, signal: AbortSignal): Promise<RemoveResult> {
  if (target.version === ADOPTED) return 'not_deletable';
  const me = await ctx.account(signal);
  if (Number(target.targetId) === me.id) return 'not_deletable';
  const row = (await usersById(ctx, [Number(target.targetId)], signal)).get(Number(target.targetId));
  if (!row) return 'gone';
  if (target.version !== undefined && userVersion(row) !== target.version) return 'changed';
  // Their posts go to the account Ferry uses rather than being deleted with them.
  await ctx.api.delete(`wp/v2/users/${row.id}`, { signal, query: { force: true, reassign: me.id }, what: `deleting user "${row.username}"` });
  return 'removed';
}

async function writeUser(ctx: WpContext, request: WriteRequest, signal: AbortSignal): Promise<WriteResult> {
  const item = request.item as SourceItem<UserData>;
  const data = item.data;
  if (data.missing) throw new ConnectorError(`User "${data.username}" no longer exists on the source`, { kind: 'not_found' });
  const login = request.mode === 'rename' ? `${data.username}-migrated` : data.username;
  // An account adopted for its e-mail address stays as the target has it, and keeps undo away.
  if (request.existing?.version === ADOPTED) return { targetId: request.existing.targetId, outcome: 'unchanged', version: ADOPTED };
  let current = request.mode === 'update' && request.existing ? (await usersById(ctx, [Number(request.existing.targetId)], signal)).get(Number(request.existing.targetId)) : undefined;
  current ??= await findByLogin(ctx, login, signal);
  if (current) {
    const result = await updateUser(ctx, item, current, signal);
    if (request.finishing !== 'create') return result;
    // Our own interrupted create made this account: its password action is still owed.
    return { ...result, actions: [...(result.actions ?? []), passwordAction(item, current.username)] };
  }
  const sameEmail = data.email ? await findByEmail(ctx, data.email, signal) : undefined;
  if (sameEmail) return adoptByEmail(item, sameEmail);
  return createUser(ctx, item, login, signal);
}

async function createUser(ctx: WpContext, item: SourceItem<UserData>, login: string, signal: AbortSignal): Promise<WriteResult> {
  const data = item.data;
  const actions: PostAction[] = [];
  const warnings: string[] = [];
  const body = { ...wanted(data), username: login, password: randomPassword() };
  let row: UserRow;
  try {
    row = await postUser(ctx, 'wp/v2/users', body, `creating user "${login}"`, signal);
  } catch (error) {
    if (!hasWpCode(error, 'rest_user_invalid_role')) throw error;
    // A custom role the target does not define: create the account with the standard roles only.
    const missing = data.roles.filter((r) => !STANDARD_ROLES.has(r));
    row = await postUser(ctx, 'wp/v2/users', { ...body, roles: data.roles.filter((r) => STANDARD_ROLES.has(r)) }, `creating user "${login}"`, signal);
    const message = `Role(s) ${missing.join(', ')} of user "${login}" do not exist on the target (or the account may not give them); add the role(s) and assign them.`;
    warnings.push(message);
    actions.push({ code: 'user-role-missing', message, type: 'user', sourceId: item.sourceId, label: item.label, fields: ['roles'] });
  }
  actions.push(passwordAction(item, login));
  return result({ targetId: String(row.id), outcome: 'created', version: userVersion(row), actions, warnings });
}

async function updateUser(ctx: WpContext, item: SourceItem<UserData>, current: UserRow, signal: AbortSignal): Promise<WriteResult> {
  const desired = wanted(item.data);
  const changed = changedFields(desired, stateOf(current));
  if (changed.length === 0) return { targetId: String(current.id), outcome: 'unchanged', version: userVersion(current) };
  const patch = Object.fromEntries(changed.map((key) => [key, desired[key as keyof typeof desired]]));
  try {
    const row = await postUser(ctx, `wp/v2/users/${current.id}`, patch, `updating user "${current.username}"`, signal);
    return { targetId: String(row.id), outcome: 'updated', version: userVersion(row) };
  } catch (error) {
    if (!hasWpCode(error, 'rest_user_invalid_role', 'existing_user_email')) throw error;
    const { roles: _roles, email: _email, ...rest } = patch;
    const row = await postUser(ctx, `wp/v2/users/${current.id}`, rest, `updating user "${current.username}"`, signal);
    const message = `User "${current.username}" was updated without its source role(s) or e-mail address, which the target refused (custom role missing, or the address belongs to another account).`;
    return result({ targetId: String(row.id), outcome: 'updated', version: userVersion(row), warnings: [message], actions: [{ code: 'user-not-fully-updated', message, type: 'user', sourceId: item.sourceId, label: item.label }] });
  }
}

function adoptByEmail(item: SourceItem<UserData>, existing: UserRow): WriteResult {
  const message = `User "${item.data.username}" was not created: the target's account "${existing.username}" has the same e-mail address ${item.data.email}; their content is credited to "${existing.username}".`;
  return result({
    targetId: String(existing.id),
    // 'adopted': the ID map records it so, verify keeps the target's account as it is, undo leaves it.
    outcome: 'adopted',
    version: ADOPTED,
    warnings: [message],
    actions: [{ code: 'user-email-adopted', message, type: 'user', sourceId: item.sourceId, label: item.label }],
  });
}

async function postUser(ctx: WpContext, route: string, body: Record<string, unknown>, what: string, signal: AbortSignal): Promise<UserRow> {
  return userRowSchema.parse(await ctx.api.post(route, body, { signal, query: { context: 'edit', _fields: FIELDS }, what, retry: false }));
}

/** What Ferry sets on the target account (never the login, which WordPress does not let change). */
function wanted(data: UserData) {
  return {
    email: data.email,
    name: data.name,
    first_name: data.first_name,
    last_name: data.last_name,
    url: data.url,
    description: data.description,
    nickname: data.nickname,
    slug: data.slug,
    roles: [...data.roles].sort(),
    ...(data.locale ? { locale: data.locale } : {}),
  };
}

function stateOf(row: UserRow) {
  return { ...wanted(toUserData(row)), username: row.username };
}

function userVersion(row: UserRow): string {
  return stableHash(stateOf(row));
}

async function usersById(ctx: WpContext, ids: number[], signal: AbortSignal): Promise<Map<number, UserRow>> {
  const out = new Map<number, UserRow>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 100) {
    const rows = await ctx.api.get('wp/v2/users', { signal, query: { include: unique.slice(i, i + 100), per_page: 100, context: 'edit', _fields: FIELDS }, what: 'reading users' });
    for (const row of z.array(userRowSchema).parse(rows)) out.set(row.id, row);
  }
  return out;
}

/** WordPress searches logins with wildcards on both sides; keep the exact (case-insensitive) match. */
async function findByLogin(ctx: WpContext, login: string, signal: AbortSignal): Promise<UserRow | undefined> {
  const rows = await ctx.api.get('wp/v2/users', { signal, query: { search: login, per_page: 100, context: 'edit', _fields: FIELDS }, what: `looking up user "${login}"` });
  return z.array(userRowSchema).parse(rows).find((row) => row.username.toLowerCase() === login.toLowerCase());
}

async function findByEmail(ctx: WpContext, email: string, signal: AbortSignal): Promise<UserRow | undefined> {
  // A search term with "@" is matched against e-mail addresses.
  const rows = await ctx.api.get('wp/v2/users', { signal, query: { search: email, per_page: 100, context: 'edit', _fields: FIELDS }, what: `looking up the e-mail address of a user` });
  return z.array(userRowSchema).parse(rows).find((row) => row.email.toLowerCase() === email.toLowerCase());
}

function toUserData(row: UserRow): UserData {
  return { ...row, roles: [...row.roles].sort() };
}

function emptyUser(id: number, username: string): UserData {
  return { id, username, email: '', name: '', first_name: '', last_name: '', url: '', description: '', nickname: '', slug: '', roles: [], locale: '' };
}

function userHeader(data: UserData): ItemHeader {
  const { registered_date: registered, missing: _missing, id: _id, ...carried } = data;
  return {
    type: 'user',
    sourceId: String(data.id),
    key: data.username,
    label: data.username,
    ...(registered ? { modifiedAt: registered } : {}),
    hash: stableHash(carried),
  };
}

function randomPassword(): string {
  // Random and thrown away: never logged, never stored.
  return `${randomBytes(24).toString('base64url')}aA1!`;
}

function passwordAction(item: SourceItem<UserData>, login: string): PostAction {
  return {
    code: 'user-password',
    message: `User "${login}" was created with a random password nobody knows: they must reset it (wp-login.php?action=lostpassword on the target), or an administrator sets one.`,
    type: 'user',
    sourceId: item.sourceId,
    label: item.label,
  };
}
