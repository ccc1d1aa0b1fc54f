import type { ItemRef, PostAction, SourceItem, WriteOutcome, WriteRequest, WriteResult } from '../../sdk/connector.js';
import { hasWpCode, wpErrorOf } from './api-errors.js';
import type { WpContext } from './context.js';
import { changedFields } from './hashing.js';
import { eachRequest, result } from './outcomes.js';
import { ROUTES, briefOf } from './post-keys.js';
import { POST_FIELDS, findPost, postRowSchema, postState, postVersion, postsById, type PostData, type PostRow, type PostTypeName } from './posts.js';

/**
 * Writing posts and pages: references through `resolve` (author, terms,
 * featured image, parent, links in the content), then a create, or an
 * update of only the fields that differ. What does not resolve yet is
 * written without it and returned as deferred; the engine writes the item
 * again once it resolves.
 */

export async function writePosts(ctx: WpContext, kind: PostTypeName, requests: WriteRequest[], signal: AbortSignal): Promise<WriteOutcome[]> {
  // The rows of updates in one request (the second pass writes whole batches of them), not one each.
  const ids = requests.filter((r) => r.mode === 'update' && r.existing).map((r) => Number(r.existing!.targetId));
  const rows = ids.length > 0 ? await postsById(ctx, kind, ids, signal) : new Map<number, PostRow>();
  const outcomes = await eachRequest(kind, requests, signal, (request) => writePost(ctx, kind, request, rows, signal));
  // Their comments come next: their look-up finds these posts without asking the target (a renamed copy has another key).
  for (const [i, outcome] of outcomes.entries()) {
    const request = requests[i]!;
    if (outcome.ok && request.mode !== 'rename') ctx.writtenPosts.set(`${kind}:${request.item.key}`, Number(outcome.result.targetId));
    if (outcome.ok && outcome.result.outcome === 'created') ctx.createdPosts.add(Number(outcome.result.targetId));
  }
  return outcomes;
}

interface Desired {
  fields: Record<string, unknown>;
  deferred: ItemRef[];
  actions: PostAction[];
}

async function writePost(ctx: WpContext, kind: PostTypeName, request: WriteRequest, rows: Map<number, PostRow>, signal: AbortSignal): Promise<WriteResult> {
  const item = request.item as SourceItem<PostData>;
  const desired = await desiredFields(ctx, item, request, signal);
  const current = await currentRow(ctx, kind, request, item, desired.fields, rows, signal);
  const warnings: string[] = [];
  if (current) {
    const changed = changedFields(desired.fields, comparable(kind, current, desired.fields));
    if (changed.length === 0) return result({ targetId: String(current.id), outcome: 'unchanged', version: postVersion(kind, current), deferred: desired.deferred, actions: desired.actions });
    // The local date is recomputed from the GMT one with the site's time zone on every save that names it.
    const patch = { ...Object.fromEntries(changed.map((key) => [key, desired.fields[key]])), ...(desired.fields.date_gmt ? { date_gmt: desired.fields.date_gmt } : {}) };
    ctx.connector.log('debug', `${kind} ${current.id} differs in ${changed.join(', ')}`);
    const row = await save(ctx, kind, `${ROUTES[kind]}/${current.id}`, patch, `updating ${kind} "${item.label}"`, warnings, signal);
    return result({ targetId: String(row.id), outcome: 'updated', version: postVersion(kind, row), deferred: desired.deferred, actions: desired.actions, warnings: [...warnings, ...statusWarnings(item, row)] });
  }
  const row = await save(ctx, kind, ROUTES[kind], desired.fields, `creating ${kind} "${item.label}"`, warnings, signal, false);
  return result({ targetId: String(row.id), outcome: 'created', version: postVersion(kind, row), deferred: desired.deferred, actions: desired.actions, warnings: [...warnings, ...statusWarnings(item, row)] });
}

/** The target's fields for this item, with references resolved and links rewritten. */
async function desiredFields(ctx: WpContext, item: SourceItem<PostData>, request: WriteRequest, signal: AbortSignal): Promise<Desired> {
  const data = item.data;
  const deferred: ItemRef[] = [];
  const actions: PostAction[] = [];
  const one = (type: string, id: number | undefined): number => {
    if (!id) return 0;
    const ref = { type, sourceId: String(id) };
    const target = request.resolve(ref);
    if (target === undefined) deferred.push(ref);
    return target === undefined ? 0 : Number(target);
  };
  const many = (type: string, ids: number[] | undefined): number[] => (ids ?? []).map((id) => one(type, id)).filter((id) => id > 0).sort((a, b) => a - b);
  const rewritten = await ctx.targetLinks.rewrite({ content: data.content, excerpt: data.excerpt }, data.links, request.resolve, signal);
  deferred.push(...rewritten.deferred.filter((ref) => !deferred.some((d) => d.type === ref.type && d.sourceId === ref.sourceId)));
  const author = data.author > 0 ? request.resolve({ type: 'user', sourceId: String(data.author) }) : undefined;
  if (data.author > 0 && author === undefined) {
    actions.push({ code: 'post-author-missing', message: `The author of "${item.label}" was not migrated and no placeholder exists; it is credited to the Ferry account.`, type: data.kind, sourceId: item.sourceId, label: item.label });
  }
  const slug = request.mode === 'rename' && data.slug ? `${data.slug}-migrated` : data.slug;
  const fields: Record<string, unknown> = {
    ...(slug ? { slug } : {}),
    status: data.status,
    ...(data.date_gmt ? { date_gmt: data.date_gmt } : {}),
    password: data.password,
    title: data.title.trim(),
    content: rewritten.texts.content,
    excerpt: rewritten.texts.excerpt,
    ...(author !== undefined ? { author: Number(author) } : {}),
    featured_media: one('media', data.featured_media),
    comment_status: data.comment_status,
    ping_status: data.ping_status,
    template: data.template,
    ...(Object.keys(data.meta).length > 0 ? { meta: data.meta } : {}),
  };
  if (data.kind === 'post') {
    Object.assign(fields, { format: data.format ?? 'standard', sticky: data.sticky ?? false, categories: many('category', data.categories), tags: many('tag', data.tags) });
  } else {
    Object.assign(fields, { parent: one('page', data.parent), menu_order: data.menu_order ?? 0 });
  }
  return { fields, deferred, actions };
}

/** The target's post for this item: the one the engine names, or one with the same key (an earlier, interrupted write). */
async function currentRow(ctx: WpContext, kind: PostTypeName, request: WriteRequest, item: SourceItem<PostData>, fields: Record<string, unknown>, rows: Map<number, PostRow>, signal: AbortSignal): Promise<PostRow | undefined> {
  if (request.mode === 'update' && request.existing) {
    const id = Number(request.existing.targetId);
    const row = rows.get(id) ?? (await postsById(ctx, kind, [id], signal)).get(id);
    if (row) return row;
  }
  if (request.mode === 'rename' && typeof fields.slug === 'string') return findPost(ctx, kind, fields.slug, signal);
  return request.mode === 'create' ? undefined : findPost(ctx, kind, item.key, signal);
}

/**
 * The target row as it compares with the desired fields: WordPress adds
 * "-2" to a slug taken by another post, publishes a "future" post whose
 * date has passed, and shows meta keys it does not know as absent.
 */
function comparable(kind: PostTypeName, row: PostRow, desired: Record<string, unknown>): Record<string, unknown> {
  const state = postState(kind, row);
  const slug = desired.slug;
  if (typeof slug === 'string' && typeof state.slug === 'string' && new RegExp(`^${escapeRegExp(slug)}-\\d+$`).test(state.slug)) state.slug = slug;
  if (desired.status === 'future' && state.status === 'publish' && isPast(String(desired.date_gmt ?? ''))) state.status = 'future';
  if (desired.meta && typeof desired.meta === 'object') {
    const known = state.meta as Record<string, unknown>;
    state.meta = Object.fromEntries(Object.keys(desired.meta).map((key) => [key, key in known ? known[key] : (desired.meta as Record<string, unknown>)[key]]));
  }
  return state;
}

async function save(ctx: WpContext, kind: PostTypeName, route: string, body: Record<string, unknown>, what: string, warnings: string[], signal: AbortSignal, retry = true): Promise<PostRow> {
  const post = async (fields: Record<string, unknown>) => {
    const answer = await ctx.api.post(route, fields, { signal, query: { context: 'edit', _fields: POST_FIELDS }, what, retry });
    ctx.postKeys.remember(briefOf(kind, answer));
    return postRowSchema.parse(answer);
  };
  // WordPress keeps sticky posts in one option, read and written again by each request that sticks
  // (or unsticks) a post: two such requests at once lose one of the changes. Ferry sends them one at a time.
  const touchesSticky = body.sticky === true || ('sticky' in body && route !== ROUTES[kind]);
  const stuck = (fields: Record<string, unknown>) => (touchesSticky ? ctx.exclusive('sticky-posts', () => post(fields)) : post(fields));
  // A post format is a term (post-format-quote...) that WordPress makes when the first post takes that format.
  // Two such saves at once both make it, and one post lands on a second term, "post-format-quote-2", which
  // WordPress then reports as the format "quote-2" (seen on a stock 6.1 at concurrency 4, caught by verify).
  // Until a post of this session has been saved with a format, saves with that format go one at a time.
  const format = typeof body.format === 'string' && body.format !== 'standard' ? body.format : undefined;
  const send = async (fields: Record<string, unknown>): Promise<PostRow> => {
    if (format === undefined || ctx.formatsSaved.has(format)) return stuck(fields);
    const first = await ctx.exclusive(`post-format:${format}`, async () => {
      // A save that waited here behind the first one finds the term made: it leaves the queue and runs freely.
      if (ctx.formatsSaved.has(format)) return undefined;
      const row = await stuck(fields);
      ctx.formatsSaved.add(format);
      return row;
    });
    return first ?? stuck(fields);
  };
  try {
    const row = await send(body);
    ctx.targetLinks.forget(kind, String(row.id));
    return row;
  } catch (error) {
    // A page template the target's theme does not have: WordPress refuses the whole write.
    if (!('template' in body) || !hasWpCode(error, 'rest_invalid_param') || !/template/.test(wpErrorOf(error)?.message ?? JSON.stringify(String(error)))) throw error;
    const { template, ...rest } = body;
    warnings.push(`The template "${String(template)}" does not exist on the target's theme; the default template is used.`);
    return send(rest);
  }
}

function statusWarnings(item: SourceItem<PostData>, row: PostRow): string[] {
  if (item.data.status === 'future' && row.status === 'publish') {
    return [`"${item.label}" was scheduled for ${item.data.date_gmt} UTC on the source; that date has passed, so WordPress published it on the target.`];
  }
  return [];
}

function isPast(dateGmt: string): boolean {
  const at = Date.parse(`${dateGmt}Z`);
  return Number.isFinite(at) && at <= Date.now();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
