import { z } from 'zod';
import type { ItemHeader, ItemRef, ObjectTypeSpec, ReadPage, RemoveResult, SourceItem, TargetRef } from '../../sdk/connector.js';
import { ConnectorError } from '../../sdk/errors.js';
import type { WpContext } from './context.js';
import { stableHash } from './hashing.js';
import type { LinkRef } from './links.js';
import { ROUTES, briefOf, parseSlugless, type PostBrief } from './post-keys.js';

/**
 * Posts and pages in every status but trash (publish, future, draft,
 * pending, private), with author, dates, password, terms, featured image,
 * format, stickiness, template, registered meta and, for pages, parent and
 * menu order. Links in the content are rewritten to the target's objects
 * (see links.ts). `modified` is set by WordPress on every save and cannot
 * be carried.
 */

export type PostTypeName = 'post' | 'page';

const NEVER_CARRIED = ['modified date (WordPress sets it on every save)', 'revisions and autosaves', 'trashed items', 'meta not registered for the REST API', 'pingbacks and trackbacks'];

export const postType: ObjectTypeSpec = {
  name: 'post',
  label: 'Posts',
  naturalKey: 'slug (a draft without one: its date and title)',
  // After the settings (time zone) and after pages: links to pages are written with their final address.
  dependsOn: ['settings', 'user', 'category', 'tag', 'media', 'page'],
  references: { author: 'user', categories: 'category', tags: 'tag', featured_media: 'media', links: 'post, page, media, category, tag' },
  neverCarried: NEVER_CARRIED,
  deletable: true,
  batchSize: 10,
};

export const pageType: ObjectTypeSpec = {
  name: 'page',
  label: 'Pages',
  naturalKey: 'path of slugs from the top parent (about/team)',
  dependsOn: ['settings', 'user', 'media'],
  references: { author: 'user', parent: 'page', featured_media: 'media', links: 'post, page, media, category, tag' },
  neverCarried: NEVER_CARRIED,
  deletable: true,
  batchSize: 10,
};

/** The payload of a loaded post or page. */
export interface PostData {
  id: number;
  kind: PostTypeName;
  slug: string;
  status: string;
  date_gmt: string;
  password: string;
  title: string;
  content: string;
  excerpt: string;
  author: number;
  featured_media: number;
  comment_status: string;
  ping_status: string;
  template: string;
  meta: Record<string, unknown>;
  format?: string;
  sticky?: boolean;
  categories?: number[];
  tags?: number[];
  parent?: number;
  menu_order?: number;
  /** Links into the source site found in content and excerpt. */
  links: LinkRef[];
}

const rendered = z.object({ raw: z.string().default('') }).partial().default({});

export const postRowSchema = z.object({
  id: z.number(),
  date_gmt: z.string().nullable().default(''),
  modified_gmt: z.string().nullable().default(''),
  slug: z.string().default(''),
  status: z.string(),
  password: z.string().default(''),
  title: rendered,
  content: rendered,
  excerpt: rendered,
  author: z.number().default(0),
  featured_media: z.number().default(0),
  comment_status: z.string().default('closed'),
  ping_status: z.string().default('closed'),
  template: z.string().default(''),
  meta: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).default({}).transform((m) => (Array.isArray(m) ? {} : m)),
  format: z.string().optional(),
  sticky: z.boolean().optional(),
  categories: z.array(z.number()).optional(),
  tags: z.array(z.number()).optional(),
  parent: z.number().optional(),
  menu_order: z.number().optional(),
  link: z.string().default(''),
});
export type PostRow = z.infer<typeof postRowSchema>;

export const POST_FIELDS = 'id,date_gmt,modified_gmt,slug,status,password,title,content,excerpt,author,featured_media,comment_status,ping_status,template,meta,format,sticky,categories,tags,parent,menu_order,link';

export async function* readPosts(ctx: WpContext, kind: PostTypeName, options: { signal: AbortSignal; cursor?: string }): AsyncGenerator<ReadPage> {
  const startPage = options.cursor ? Number(options.cursor) : 1;
  const query = { context: 'edit', status: 'any', orderby: 'id', order: 'asc', _fields: POST_FIELDS };
  for await (const page of ctx.api.pages(ROUTES[kind], { signal: options.signal, query, startPage, what: `listing ${kind}s` })) {
    const rows = z.array(z.unknown()).parse(page.items);
    for (const row of rows) ctx.postKeys.remember(briefOf(kind, row));
    const items: ItemHeader[] = [];
    for (const row of rows) items.push(await postHeader(ctx, kind, postRowSchema.parse(row), options.signal));
    yield page.page < page.totalPages ? { items, cursor: String(page.page + 1) } : { items };
  }
}

export async function loadPosts(ctx: WpContext, kind: PostTypeName, headers: ItemHeader[], signal: AbortSignal): Promise<SourceItem<PostData>[]> {
  const rows = await postsById(ctx, kind, headers.map((h) => Number(h.sourceId)), signal);
  const out: SourceItem<PostData>[] = [];
  for (const header of headers) {
    const row = rows.get(Number(header.sourceId));
    if (!row) throw new ConnectorError(`The ${kind} "${header.label}" is no longer on the source (or is in its trash)`, { kind: 'not_found' });
    const data = toPostData(kind, row);
    const extracted = await ctx.sourceLinks.extract([data.content, data.excerpt], signal);
    data.links = extracted.links;
    const refs = new Map<string, ItemRef>();
    const add = (type: string, id: number | undefined) => {
      if (id && id > 0) refs.set(`${type}:${id}`, { type, sourceId: String(id) });
    };
    add('user', data.author);
    add('media', data.featured_media);
    for (const id of data.categories ?? []) add('category', id);
    for (const id of data.tags ?? []) add('tag', id);
    add('page', data.parent);
    for (const ref of extracted.refs) refs.set(`${ref.type}:${ref.sourceId}`, ref);
    out.push({ ...(await postHeader(ctx, kind, row, signal)), refs: [...refs.values()], data });
  }
  return out;
}

/** Finds posts by slug (or date and title, for a draft without one), pages by path. */
export async function lookupPosts(ctx: WpContext, kind: PostTypeName, keys: string[], signal: AbortSignal): Promise<Map<string, TargetRef>> {
  const found = new Map<string, TargetRef>();
  const unique = [...new Set(keys)];
  // Drafts without a slug are searched by title, one at a time; the rest by their slugs, 100 in one request.
  for (const key of unique.filter((k) => parseSlugless(k))) {
    const row = await findPost(ctx, kind, key, signal);
    if (row) found.set(key, { targetId: String(row.id), version: postVersion(kind, row) });
  }
  const bySlug = unique.filter((k) => !parseSlugless(k));
  for (const [key, row] of await findPosts(ctx, kind, bySlug, signal)) found.set(key, { targetId: String(row.id), version: postVersion(kind, row) });
  return found;
}

/**
 * Posts (or pages) by key, not drafts without a slug: one request per 100
 * slugs, every row of a slug in WordPress's order (the first whose key
 * matches wins, as in findPost).
 */
export async function findPosts(ctx: WpContext, kind: PostTypeName, keys: string[], signal: AbortSignal): Promise<Map<string, PostRow>> {
  const out = new Map<string, PostRow>();
  const wanted = new Set(keys);
  const slugs = [...new Set(keys.map((key) => key.split('/').pop() ?? key))];
  for (let i = 0; i < slugs.length; i += 100) {
    const chunk = slugs.slice(i, i + 100);
    const rows = await ctx.api.all(ROUTES[kind], { signal, query: { slug: chunk, status: 'any', context: 'edit', _fields: POST_FIELDS }, what: `looking up ${kind} slugs` });
    for (const raw of rows) {
      const brief = briefOf(kind, raw);
      ctx.postKeys.remember(brief);
      const key = await ctx.postKeys.keyOfBrief(brief, signal);
      if (wanted.has(key) && !out.has(key)) out.set(key, postRowSchema.parse(raw));
    }
  }
  return out;
}

export async function findPost(ctx: WpContext, kind: PostTypeName, key: string, signal: AbortSignal): Promise<PostRow | undefined> {
  const draft = parseSlugless(key);
  if (draft) {
    const query = { context: 'edit', status: 'draft,pending,future,private', _fields: POST_FIELDS, ...(draft.title ? { search: draft.title } : {}) };
    const rows = z.array(postRowSchema).parse(await ctx.api.all(ROUTES[kind], { signal, query, what: `looking up the ${kind} draft "${draft.title}"` }));
    return rows.find((row) => row.slug === '' && (row.title.raw ?? '') === draft.title && (row.date_gmt ?? '') === draft.dateGmt);
  }
  const slug = key.split('/').pop() ?? key;
  const rows = await ctx.api.get(ROUTES[kind], { signal, query: { slug, status: 'any', context: 'edit', _fields: POST_FIELDS }, what: `looking up the ${kind} "${key}"` });
  for (const raw of z.array(z.unknown()).parse(rows)) {
    const brief = briefOf(kind, raw);
    ctx.postKeys.remember(brief);
    if ((await ctx.postKeys.keyOfBrief(brief, signal)) === key) return postRowSchema.parse(raw);
  }
  return undefined;
}

export async function removePost(ctx: WpContext, kind: PostTypeName, target: TargetRef, signal: AbortSignal): Promise<RemoveResult> {
  const row = (await postsById(ctx, kind, [Number(target.targetId)], signal)).get(Number(target.targetId));
  if (!row) return 'gone';
  if (target.version !== undefined && postVersion(kind, row) !== target.version) return 'changed';
  await ctx.api.delete(`${ROUTES[kind]}/${row.id}`, { signal, query: { force: true }, what: `deleting ${kind} "${row.slug || row.id}"` });
  ctx.postKeys.forget(row.id);
  ctx.createdPosts.delete(row.id);
  ctx.targetLinks.forget(kind, String(row.id));
  return 'removed';
}

export async function postsById(ctx: WpContext, kind: PostTypeName, ids: number[], signal: AbortSignal): Promise<Map<number, PostRow>> {
  const out = new Map<number, PostRow>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 100) {
    const rows = await ctx.api.get(ROUTES[kind], { signal, query: { include: unique.slice(i, i + 100), per_page: 100, status: 'any', context: 'edit', _fields: POST_FIELDS }, what: `reading ${kind}s` });
    for (const raw of z.array(z.unknown()).parse(rows)) {
      ctx.postKeys.remember(briefOf(kind, raw));
      const row = postRowSchema.parse(raw);
      out.set(row.id, row);
    }
  }
  return out;
}

/** What Ferry carries of a post, as a site shows it; compared to tell "unchanged" and hashed for versions. */
export function postState(kind: PostTypeName, row: PostRow): Record<string, unknown> {
  const data = toPostData(kind, row);
  const { id: _id, kind: _kind, links: _links, ...state } = data;
  return state;
}

// Undo compares versions to tell "changed on the target since": WordPress itself moves
// children up a level (and detaches attachments) when it deletes a parent, so the
// parent reference is left out of the version or undo would keep every child.
export function postVersion(kind: PostTypeName, row: PostRow): string {
  return stableHash({ ...postState(kind, row), parent: undefined });
}

export function toPostData(kind: PostTypeName, row: PostRow): PostData {
  return {
    id: row.id,
    kind,
    slug: row.slug,
    status: row.status,
    date_gmt: row.date_gmt ?? '',
    password: row.password,
    title: row.title.raw ?? '',
    content: row.content.raw ?? '',
    excerpt: row.excerpt.raw ?? '',
    author: row.author,
    featured_media: row.featured_media,
    comment_status: row.comment_status,
    ping_status: row.ping_status,
    template: row.template,
    meta: row.meta,
    ...(kind === 'post'
      ? { format: row.format ?? 'standard', sticky: row.sticky ?? false, categories: [...(row.categories ?? [])].sort((a, b) => a - b), tags: [...(row.tags ?? [])].sort((a, b) => a - b) }
      : { parent: row.parent ?? 0, menu_order: row.menu_order ?? 0 }),
    links: [],
  };
}

async function postHeader(ctx: WpContext, kind: PostTypeName, row: PostRow, signal: AbortSignal): Promise<ItemHeader> {
  const brief: PostBrief = { id: row.id, kind, slug: row.slug, parent: row.parent ?? 0, status: row.status, title: row.title.raw ?? '', dateGmt: row.date_gmt ?? '', link: row.link };
  const key = await ctx.postKeys.keyOfBrief(brief, signal);
  return {
    type: kind,
    sourceId: String(row.id),
    key,
    label: row.title.raw || row.slug || `${kind} ${row.id}`,
    ...(row.modified_gmt ? { modifiedAt: `${row.modified_gmt}Z` } : {}),
    hash: stableHash({ ...postState(kind, row), key }),
  };
}
