import { z } from 'zod';
import type { ItemHeader, ItemRef, ObjectTypeSpec, ReadPage, RemoveResult, SourceItem, TargetRef, WriteOutcome, WriteRequest, WriteResult } from '../../sdk/connector.js';
import { ConnectorError } from '../../sdk/errors.js';
import type { BatchAnswer } from './api-client.js';
import { hasWpCode, remapWpError } from './api-errors.js';
import type { WpContext } from './context.js';
import { changedFields, stableHash } from './hashing.js';
import type { LinkRef } from './links.js';
import { eachRequest, result } from './outcomes.js';

/**
 * Categories (hierarchical) and tags, known by slug. A category whose parent
 * is not on the target yet is written at the top level first and moved
 * under its parent in the engine's second pass. Links in descriptions are
 * rewritten like those in posts.
 */

export type Taxonomy = 'category' | 'tag';

const ROUTE: Readonly<Record<Taxonomy, string>> = { category: 'wp/v2/categories', tag: 'wp/v2/tags' };

export const categoryType: ObjectTypeSpec = {
  name: 'category',
  label: 'Categories',
  naturalKey: 'slug',
  dependsOn: [],
  references: { parent: 'category' },
  neverCarried: ['term meta outside the REST API', 'post counts (WordPress recounts them)'],
  deletable: true,
  // Large: a write call creates them in waves of the batch endpoint, parents first, so a child
  // whose parent is in the same call needs no second write (sites have tens of categories, rarely more).
  batchSize: 100,
};

export const tagType: ObjectTypeSpec = {
  name: 'tag',
  label: 'Tags',
  naturalKey: 'slug',
  dependsOn: [],
  references: {},
  neverCarried: ['term meta outside the REST API', 'post counts (WordPress recounts them)'],
  deletable: true,
  batchSize: 20,
};

/** The payload of a loaded category or tag. */
export interface TermData {
  id: number;
  taxonomy: Taxonomy;
  name: string;
  slug: string;
  description: string;
  /** Source id of the parent category; 0 at the top level (always 0 for tags). */
  parent: number;
  links: LinkRef[];
  missing?: boolean;
}

const termRowSchema = z.object({
  id: z.number(),
  name: z.string(),
  slug: z.string(),
  description: z.string().default(''),
  parent: z.number().default(0),
});
type TermRow = z.infer<typeof termRowSchema>;

const FIELDS = 'id,name,slug,description,parent';

export async function* readTerms(ctx: WpContext, taxonomy: Taxonomy, options: { signal: AbortSignal; cursor?: string }): AsyncGenerator<ReadPage> {
  const startPage = options.cursor ? Number(options.cursor) : 1;
  const query = { context: 'edit', orderby: 'id', order: 'asc', hide_empty: false, _fields: FIELDS };
  for await (const page of ctx.api.pages(ROUTE[taxonomy], { signal: options.signal, query, startPage, what: `listing ${taxonomy === 'tag' ? 'tags' : 'categories'}` })) {
    const items = z.array(termRowSchema).parse(page.items).map((row) => termHeader(taxonomy, row));
    yield page.page < page.totalPages ? { items, cursor: String(page.page + 1) } : { items };
  }
}

export async function loadTerms(ctx: WpContext, taxonomy: Taxonomy, headers: ItemHeader[], signal: AbortSignal): Promise<SourceItem<TermData>[]> {
  const rows = await termsById(ctx, taxonomy, headers.map((h) => Number(h.sourceId)), signal);
  const out: SourceItem<TermData>[] = [];
  for (const header of headers) {
    const row = rows.get(Number(header.sourceId));
    if (!row) {
      out.push({ ...header, refs: [], data: { id: Number(header.sourceId), taxonomy, name: header.label, slug: header.key, description: '', parent: 0, links: [], missing: true } });
      continue;
    }
    const extracted = await ctx.sourceLinks.extract([row.description], signal);
    const refs: ItemRef[] = [...extracted.refs];
    if (row.parent > 0) refs.push({ type: taxonomy, sourceId: String(row.parent) });
    out.push({ ...termHeader(taxonomy, row), refs, data: { ...row, taxonomy, links: extracted.links } });
  }
  return out;
}

export async function lookupTerms(ctx: WpContext, taxonomy: Taxonomy, keys: string[], signal: AbortSignal): Promise<Map<string, TargetRef>> {
  const found = new Map<string, TargetRef>();
  const unique = [...new Set(keys)];
  for (let i = 0; i < unique.length; i += 100) {
    const chunk = unique.slice(i, i + 100);
    const rows = await ctx.api.get(ROUTE[taxonomy], { signal, query: { slug: chunk, per_page: 100, hide_empty: false, context: 'edit', _fields: FIELDS }, what: `looking up ${taxonomy} slugs` });
    for (const row of z.array(termRowSchema).parse(rows)) {
      const key = chunk.find((k) => k === row.slug || encodeURIComponent(k).toLowerCase() === row.slug);
      if (key !== undefined) found.set(key, { targetId: String(row.id), version: termVersion(row) });
    }
  }
  return found;
}

/**
 * Plain creates go to the target in calls of `/batch/v1` (one request for up
 * to the site's batch size instead of a look-up and a create per term); the
 * rest (updates, renames, a term already on the target, a slug WordPress
 * would rewrite, a category whose parent is not on the target) one by one as
 * before, after them. Categories go in waves: those under a parent created
 * by the wave before come in the next. A term the batch refused fails alone,
 * with its reason.
 */
export async function writeTerms(ctx: WpContext, taxonomy: Taxonomy, requests: WriteRequest[], signal: AbortSignal): Promise<WriteOutcome[]> {
  const { index } = await ctx.api.root(signal);
  if (index.batchMax < 2 || requests.length < 2) return eachRequest(taxonomy, requests, signal, (request) => writeTerm(ctx, taxonomy, request, signal));
  const outcomes = new Array<WriteOutcome | undefined>(requests.length);
  const created = new Map<string, string>();
  // A category under a parent created by an earlier wave of this batch finds it here.
  const withCreated = (request: WriteRequest): WriteRequest => ({ ...request, resolve: (ref: ItemRef) => request.resolve(ref) ?? (ref.type === taxonomy ? created.get(ref.sourceId) : undefined) });
  const taken = new Set<number>();
  // Waves: the terms whose parent is known (top level first, then their children...).
  for (;;) {
    const wave: Array<{ at: number; desired: DesiredTerm; deferred: ItemRef[] }> = [];
    for (const [at, original] of requests.entries()) {
      if (taken.has(at)) continue;
      const request = withCreated(original);
      const data = (request.item as SourceItem<TermData>).data;
      if (request.mode !== 'create' || request.existing || request.finishing || data.missing || !CANONICAL_SLUG.test(data.slug)) continue;
      if (taxonomy === 'category' && data.parent > 0 && request.resolve({ type: taxonomy, sourceId: String(data.parent) }) === undefined) continue;
      taken.add(at);
      try {
        wave.push({ at, ...(await desiredTerm(ctx, taxonomy, request, signal)) });
      } catch (error) {
        if (signal.aborted) throw error;
        outcomes[at] = { ok: false, error };
      }
    }
    if (wave.length === 0) break;
    // One look-up for the wave: a slug already on the target goes the one-by-one way below (update or unchanged).
    const onTarget = await lookupTerms(ctx, taxonomy, wave.map((p) => p.desired.slug), signal);
    const toCreate = wave.filter((p) => !onTarget.has(p.desired.slug));
    for (let i = 0; i < toCreate.length; i += index.batchMax) {
      const chunk = toCreate.slice(i, i + index.batchMax);
      const answers = await ctx.api.batch(
        chunk.map((p) => ({ method: 'POST', path: `/${ROUTE[taxonomy]}?context=edit&_fields=${FIELDS}`, body: { ...p.desired } })),
        { signal, what: `creating ${chunk.length} ${taxonomy === 'tag' ? 'tags' : 'categories'} in one batch` },
      );
      for (const [j, p] of chunk.entries()) {
        const answer = answers[j]!;
        const what = `creating ${taxonomy} "${p.desired.slug}"`;
        const row = answer.status >= 200 && answer.status < 300 ? termRowSchema.safeParse(answer.body) : undefined;
        if (row?.success) {
          created.set(requests[p.at]!.item.sourceId, String(row.data.id));
          outcomes[p.at] = { ok: true, result: result({ targetId: String(row.data.id), outcome: 'created', version: termVersion(row.data), deferred: p.deferred }) };
        } else {
          outcomes[p.at] = { ok: false, error: createError(taxonomy, p.desired, batchAnswerError(answer, what)) };
        }
      }
    }
  }
  // The rest in order, one by one, as before batching.
  const rest = requests.map((request, at) => ({ request, at })).filter(({ at }) => outcomes[at] === undefined);
  const restOutcomes = await eachRequest(taxonomy, rest.map(({ request }) => withCreated(request)), signal, (request) => writeTerm(ctx, taxonomy, request, signal));
  for (const [k, { at }] of rest.entries()) outcomes[at] = restOutcomes[k];
  return outcomes.map((o) => o ?? { ok: false, error: new ConnectorError('no outcome for this term', { kind: 'bug' }) });
}

/** Slugs WordPress keeps as they are (sanitize_title leaves them alone): a look-up by them matches exactly. */
const CANONICAL_SLUG = /^[a-z0-9-]+$/;

type DesiredTerm = {
  name: string;
  slug: string;
  description: string;
  parent?: number;
};

/** What a term should be on the target: parent resolved (or deferred), links in its description rewritten. */
async function desiredTerm(ctx: WpContext, taxonomy: Taxonomy, request: WriteRequest, signal: AbortSignal): Promise<{ desired: DesiredTerm; deferred: ItemRef[] }> {
  const data = (request.item as SourceItem<TermData>).data;
  const deferred: ItemRef[] = [];
  let parent = 0;
  if (data.parent > 0) {
    const ref = { type: taxonomy, sourceId: String(data.parent) };
    const resolved = request.resolve(ref);
    if (resolved === undefined) deferred.push(ref);
    else parent = Number(resolved);
  }
  const rewritten = await ctx.targetLinks.rewrite({ description: data.description }, data.links, request.resolve, signal);
  deferred.push(...rewritten.deferred);
  const renamed = request.mode === 'rename';
  return {
    desired: {
      name: renamed ? `${data.name} (migrated)` : data.name,
      slug: renamed ? `${data.slug}-migrated` : data.slug,
      description: rewritten.texts.description,
      ...(taxonomy === 'category' ? { parent } : {}),
    },
    deferred,
  };
}

/** A refused request of a batch as the same error a single call would have thrown. */
function batchAnswerError(answer: BatchAnswer, what: string): unknown {
  const status = answer.status;
  const kind = status === 401 || status === 403 ? 'auth' : status === 404 ? 'not_found' : status === 409 ? 'conflict' : status === 429 ? 'rate_limited' : status >= 500 ? 'transient' : 'data';
  const error = new ConnectorError(`${what} failed: HTTP ${status} ${JSON.stringify(answer.body).slice(0, 500)}`, { kind });
  return remapWpError(error, what);
}

/** term_exists (same name, another slug) says what to do; other errors pass as they are. */
function createError(taxonomy: Taxonomy, desired: DesiredTerm, error: unknown): unknown {
  if (!hasWpCode(error, 'term_exists')) return error;
  return new ConnectorError(`The target already has a ${taxonomy} named "${desired.name}"${taxonomy === 'category' ? ' under the same parent' : ''}, with another slug than "${desired.slug}"`, {
    kind: 'conflict',
    hint: `Rename one of them, or give the target's ${taxonomy} the slug "${desired.slug}" so Ferry adopts it.`,
    cause: error,
  });
}

export async function removeTerm(ctx: WpContext, taxonomy: Taxonomy, target: TargetRef, signal: AbortSignal): Promise<RemoveResult> {
  const row = (await termsById(ctx, taxonomy, [Number(target.targetId)], signal)).get(Number(target.targetId));
  if (!row) return 'gone';
  if (target.version !== undefined && termVersion(row) !== target.version) return 'changed';
  try {
    await ctx.api.delete(`${ROUTE[taxonomy]}/${row.id}`, { signal, query: { force: true }, what: `deleting ${taxonomy} "${row.slug}"` });
  } catch (error) {
    // The default category cannot be deleted.
    if (hasWpCode(error, 'rest_cannot_delete')) return 'not_deletable';
    throw error;
  }
  return 'removed';
}

async function writeTerm(ctx: WpContext, taxonomy: Taxonomy, request: WriteRequest, signal: AbortSignal): Promise<WriteResult> {
  const item = request.item as SourceItem<TermData>;
  const data = item.data;
  if (data.missing) throw new ConnectorError(`The ${taxonomy} "${data.slug}" no longer exists on the source`, { kind: 'not_found' });
  const { desired, deferred } = await desiredTerm(ctx, taxonomy, request, signal);
  const current = request.existing && request.mode === 'update' ? (await termsById(ctx, taxonomy, [Number(request.existing.targetId)], signal)).get(Number(request.existing.targetId)) : (await lookupRows(ctx, taxonomy, desired.slug, signal));
  if (current) {
    const changed = changedFields(desired, current);
    if (changed.length === 0) return result({ targetId: String(current.id), outcome: 'unchanged', version: termVersion(current), deferred });
    const patch = Object.fromEntries(changed.map((key) => [key, desired[key as keyof typeof desired]]));
    const row = termRowSchema.parse(await ctx.api.post(`${ROUTE[taxonomy]}/${current.id}`, patch, { signal, query: { context: 'edit', _fields: FIELDS }, what: `updating ${taxonomy} "${desired.slug}"` }));
    ctx.targetLinks.forget(taxonomy, String(row.id));
    return result({ targetId: String(row.id), outcome: 'updated', version: termVersion(row), deferred });
  }
  try {
    const row = termRowSchema.parse(await ctx.api.post(ROUTE[taxonomy], desired, { signal, query: { context: 'edit', _fields: FIELDS }, what: `creating ${taxonomy} "${desired.slug}"`, retry: false }));
    return result({ targetId: String(row.id), outcome: 'created', version: termVersion(row), deferred });
  } catch (error) {
    throw createError(taxonomy, desired, error);
  }
}

async function lookupRows(ctx: WpContext, taxonomy: Taxonomy, slug: string, signal: AbortSignal): Promise<TermRow | undefined> {
  const rows = await ctx.api.get(ROUTE[taxonomy], { signal, query: { slug, hide_empty: false, context: 'edit', _fields: FIELDS }, what: `looking up ${taxonomy} "${slug}"` });
  return z.array(termRowSchema).parse(rows)[0];
}

async function termsById(ctx: WpContext, taxonomy: Taxonomy, ids: number[], signal: AbortSignal): Promise<Map<number, TermRow>> {
  const out = new Map<number, TermRow>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 100) {
    const rows = await ctx.api.get(ROUTE[taxonomy], { signal, query: { include: unique.slice(i, i + 100), per_page: 100, hide_empty: false, context: 'edit', _fields: FIELDS }, what: `reading ${taxonomy} ids` });
    for (const row of z.array(termRowSchema).parse(rows)) out.set(row.id, row);
  }
  return out;
}

// Undo compares versions to tell "changed on the target since": WordPress itself moves
// children up a level (and detaches attachments) when it deletes a parent, so the
// parent reference is left out of the version or undo would keep every child.
function termVersion(row: TermRow): string {
  return stableHash({ name: row.name, slug: row.slug, description: row.description });
}

function termHeader(taxonomy: Taxonomy, row: TermRow): ItemHeader {
  return {
    type: taxonomy,
    sourceId: String(row.id),
    key: row.slug,
    label: row.name,
    hash: stableHash({ name: row.name, slug: row.slug, description: row.description, parent: row.parent }),
  };
}
