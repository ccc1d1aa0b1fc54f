import { createHash, randomBytes } from 'node:crypto';
import pLimit from 'p-limit';
import { z } from 'zod';
import type { InspectedItem, ItemHeader, ObjectTypeSpec, PostAction, ReadPage, SourceItem, TargetRef, WriteOutcome, WriteRequest } from '../../sdk/connector.js';
import { ConnectorError } from '../../sdk/errors.js';
import type { MwContext } from './context.js';
import { isReservedUserName } from './reserved-names.js';
import { IMPLICIT_GROUPS } from './site-info.js';
import { accountInfo, type AccountInfo } from './inventory.js';

/**
 * Users: carried by name with their explicit groups. MediaWiki has no API to
 * delete an account, and passwords cannot be read: new accounts get a random
 * password nobody knows, and a post-migration action says so.
 */

export const userType: ObjectTypeSpec = {
  name: 'user',
  label: 'Users',
  naturalKey: 'user name',
  dependsOn: [],
  references: {},
  neverCarried: ['password'],
  deletable: false,
  batchSize: 10,
  principal: true,
};

/** The payload of a loaded user. */
export interface UserData {
  name: string;
  /** Explicit groups only ('sysop', 'bureaucrat', custom ones); never '*', 'user', 'autoconfirmed'. */
  groups: string[];
  registration?: string;
  editCount: number;
  /** The account disappeared from the source between listing and loading. */
  missing?: boolean;
}

const LIST_LIMIT = 500;
const NAMES_PER_CALL = 50;

const userRowSchema = z.object({
  userid: z.number().optional(),
  name: z.string(),
  missing: z.boolean().optional(),
  invalid: z.boolean().optional(),
  groups: z.array(z.string()).default([]),
  editcount: z.number().default(0),
  registration: z.string().nullable().optional(),
});
type UserRow = z.infer<typeof userRowSchema>;

export async function* readUsers(ctx: MwContext, options: { signal: AbortSignal; cursor?: string }): AsyncGenerator<ReadPage> {
  const start = options.cursor ? (JSON.parse(options.cursor) as Record<string, string>) : undefined;
  const params = { list: 'allusers', auprop: ['groups', 'editcount', 'registration'], aulimit: LIST_LIMIT };
  for await (const batch of ctx.api.query(params, options.signal, start)) {
    const rows = z.array(userRowSchema).parse(batch.query.allusers ?? []);
    // MediaWiki's own accounts are never created on the target: discover names them as not carried,
    // and their edits keep their names.
    const items = rows.filter((row) => !isReservedUserName(row.name)).map((row) => userHeader(toUserData(row)));
    yield batch.next ? { items, cursor: JSON.stringify(batch.next) } : { items };
  }
}

export async function loadUsers(ctx: MwContext, headers: ItemHeader[], signal: AbortSignal): Promise<SourceItem<UserData>[]> {
  const rows = await usersByName(ctx, headers.map((h) => h.sourceId), signal);
  return headers.map((header) => {
    const row = rows.get(canonicalUserName(header.sourceId));
    const data: UserData = row && !row.missing ? toUserData(row) : { name: header.sourceId, groups: [], editCount: 0, missing: true };
    return { ...header, refs: [], data };
  });
}

export async function lookupUsers(ctx: MwContext, keys: string[], signal: AbortSignal): Promise<Map<string, TargetRef>> {
  const rows = await usersByName(ctx, keys, signal);
  const found = new Map<string, TargetRef>();
  for (const key of keys) {
    const row = rows.get(canonicalUserName(key));
    if (row && row.userid) found.set(key, { targetId: row.name });
  }
  return found;
}

/** Accounts written at once within a batch: creating one is mostly the target hashing a password. */
const USER_WRITE_CONCURRENCY = 3;

export async function writeUsers(ctx: MwContext, requests: WriteRequest[], signal: AbortSignal): Promise<WriteOutcome[]> {
  // One look-up for the whole batch, then the accounts side by side.
  const names = requests.map((r) => (r.item as SourceItem<UserData>).data.name);
  // Should the batch look-up fail, each account is looked up on its own (its error then stays its own).
  const existing = await usersByName(ctx, names, signal).catch((error: unknown) => {
    if (signal.aborted) throw error;
    return undefined;
  });
  const limit = pLimit(USER_WRITE_CONCURRENCY);
  return Promise.all(
    requests.map((request) =>
      limit(async (): Promise<WriteOutcome> => {
        const item = request.item as SourceItem<UserData>;
        try {
          return { ok: true, result: await writeUser(ctx, item, existing, signal, request.finishing === 'create') };
        } catch (error) {
          if (signal.aborted) throw error;
          return { ok: false, error };
        }
      }),
    ),
  );
}

/** The session's account (rights, groups it may add), read once per session. */
function sessionAccount(ctx: MwContext, signal: AbortSignal): Promise<AccountInfo> {
  ctx.account ??= accountInfo(ctx, signal).catch((error: unknown) => {
    ctx.account = undefined;
    throw error;
  });
  return ctx.account;
}

/** Makes sure an account exists (the placeholder for unmatched authors). */
export async function ensureUser(ctx: MwContext, name: string, signal: AbortSignal): Promise<TargetRef> {
  const existing = (await usersByName(ctx, [name], signal)).get(canonicalUserName(name));
  if (existing?.userid) return { targetId: existing.name };
  return { targetId: await createAccount(ctx, name, signal) };
}

async function writeUser(ctx: MwContext, item: SourceItem<UserData>, known: Map<string, UserRow> | undefined, signal: AbortSignal, finishingCreate = false) {
  const data = item.data;
  if (data.missing) throw new ConnectorError(`User "${data.name}" no longer exists on the source`, { kind: 'not_found' });
  const site = await ctx.site(signal);
  const existing = (known ?? (await usersByName(ctx, [data.name], signal))).get(canonicalUserName(data.name));
  let created = false;
  let targetName = existing?.userid ? existing.name : undefined;
  if (!targetName) {
    targetName = await createAccount(ctx, data.name, signal);
    created = true;
  }
  const actions: PostAction[] = [];
  const warnings: string[] = [];
  const defined = new Set(site.groups);
  for (const group of data.groups.filter((g) => !defined.has(g))) {
    const message = `Group "${group}" of user "${data.name}" does not exist on the target; define it ($wgGroupPermissions) and add the user to it.`;
    warnings.push(message);
    actions.push({ code: 'user-group-missing', message, type: 'user', sourceId: item.sourceId, label: item.label, fields: ['groups'] });
  }
  const current = new Set(existing?.groups ?? []);
  const toAdd = data.groups.filter((g) => defined.has(g) && !current.has(g));
  // Only the groups MediaWiki says this session may add (its own rule for action=userrights, which drops
  // the others silently): no call at all when that is none of them, the usual case with a bot password.
  const changeable = new Set((await sessionAccount(ctx, signal)).canAdd);
  const toTry = toAdd.filter((g) => changeable.has(g));
  const added = toTry.length > 0 ? await addGroups(ctx, targetName, toTry, signal) : [];
  const refused = toAdd.filter((g) => !added.includes(g));
  if (refused.length > 0) {
    const list = refused.map((g) => `"${g}"`).join(', ');
    const message = `User "${targetName}" belongs to ${list} on the source, but the account Ferry uses may not assign ${refused.length > 1 ? 'these groups' : 'this group'} on the target (no bot password grant carries "userrights"). Add them on Special:UserRights/${targetName.replace(/ /g, '_')}.`;
    warnings.push(message);
    actions.push({ code: 'user-group-not-assigned', message, type: 'user', sourceId: item.sourceId, label: item.label, fields: ['groups'] });
  }
  // An interrupted create of ours may have made the account: its password action is still owed.
  if (created || finishingCreate) {
    actions.push({
      code: 'user-password',
      message: `User "${targetName}" was created without a known password: they must reset it (Special:PasswordReset, or maintenance/changePassword.php on the server).`,
      type: 'user',
      sourceId: item.sourceId,
      label: item.label,
    });
  }
  const outcome = created ? 'created' : added.length > 0 ? 'updated' : 'unchanged';
  return { targetId: targetName, outcome, ...(actions.length ? { actions } : {}), ...(warnings.length ? { warnings } : {}) } as const;
}

async function createAccount(ctx: MwContext, name: string, signal: AbortSignal): Promise<string> {
  // Random and thrown away: never logged, never stored.
  const password = `${randomBytes(24).toString('base64url')}aA1!`;
  const result = await ctx.api.postWithToken(
    'createaccount',
    { action: 'createaccount', username: name, password, retype: password, createreturnurl: ctx.api.apiUrl },
    { signal, what: `creating user "${name}"` },
  );
  const answer = z
    .object({ status: z.string(), username: z.string().optional(), message: z.string().optional(), messagecode: z.string().optional() })
    .parse(result.createaccount);
  if (answer.status === 'PASS') return answer.username ?? name;
  if (answer.messagecode === 'userexists') {
    // Created meanwhile (a retried request that had in fact succeeded).
    const row = (await usersByName(ctx, [name], signal)).get(canonicalUserName(name));
    if (row?.userid) return row.name;
  }
  const throttled = answer.messagecode === 'acct_creation_throttle_hit';
  throw new ConnectorError(`Could not create user "${name}": ${answer.message ?? answer.status}`, {
    kind: throttled ? 'rate_limited' : 'data',
    hint: throttled
      ? 'Give the account the "noratelimit" right or raise $wgAccountCreationThrottle on the target.'
      : answer.messagecode === 'invaliduser'
        ? 'The name is reserved on the target for MediaWiki\'s own scripts ($wgReservedUsernames) or invalid there; map this user to another one in the plan.'
        : 'Check the target\'s account creation settings, or map this user to an existing one in the plan.',
    ...(throttled ? { retryAfterMs: 60_000 } : {}),
  });
}

async function addGroups(ctx: MwContext, name: string, groups: string[], signal: AbortSignal): Promise<string[]> {
  const result = await ctx.api.postWithToken(
    'userrights',
    { action: 'userrights', user: name, add: groups, reason: `Groups from the source wiki (${ctx.connector.userAgent})` },
    { signal, what: `adding user "${name}" to ${groups.join(', ')}` },
  );
  // MediaWiki answers success but leaves out groups this account may not assign.
  return z.object({ added: z.array(z.string()).default([]) }).parse(result.userrights).added;
}

/** Users as verify sees them: explicit groups, sorted (the implicit '*', 'user', 'autoconfirmed' left out). */
export async function inspectUsers(ctx: MwContext, names: string[], signal: AbortSignal): Promise<Map<string, InspectedItem>> {
  const rows = await usersByName(ctx, names, signal);
  const out = new Map<string, InspectedItem>();
  for (const name of names) {
    const row = rows.get(canonicalUserName(name));
    if (row?.userid) out.set(name, { id: name, fields: { groups: toUserData(row).groups } });
  }
  return out;
}

async function usersByName(ctx: MwContext, names: string[], signal: AbortSignal): Promise<Map<string, UserRow>> {
  const out = new Map<string, UserRow>();
  const unique = [...new Set(names)];
  for (let i = 0; i < unique.length; i += NAMES_PER_CALL) {
    const chunk = unique.slice(i, i + NAMES_PER_CALL);
    const result = await ctx.api.get(
      { action: 'query', list: 'users', ususers: chunk, usprop: ['groups', 'editcount', 'registration'] },
      signal,
      'looking up users',
    );
    for (const row of z.array(userRowSchema).parse(asQuery(result).users ?? [])) out.set(canonicalUserName(row.name), row);
  }
  return out;
}

function toUserData(row: UserRow): UserData {
  return {
    name: row.name,
    groups: row.groups.filter((g) => !IMPLICIT_GROUPS.has(g)).sort(),
    editCount: row.editcount,
    ...(row.registration ? { registration: row.registration } : {}),
  };
}

function userHeader(data: UserData): ItemHeader {
  return {
    type: 'user',
    sourceId: data.name,
    key: data.name,
    label: data.name,
    ...(data.registration ? { modifiedAt: data.registration } : {}),
    hash: createHash('sha1').update(`${data.name}\n${data.groups.join('|')}`).digest('hex'),
  };
}

/** How MediaWiki spells a user name: underscores as spaces, first letter upper case. */
export function canonicalUserName(name: string): string {
  const [first = '', ...rest] = [...name.replace(/_/g, ' ').trim()];
  return first.toUpperCase() + rest.join('');
}

function asQuery(result: Record<string, unknown>): Record<string, unknown> {
  return (result.query ?? {}) as Record<string, unknown>;
}
