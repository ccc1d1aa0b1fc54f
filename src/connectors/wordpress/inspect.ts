import { createHash } from 'node:crypto';
import { z } from 'zod';
import { refToken, type InspectedItem } from '../../sdk/connector.js';
import { ConnectorError } from '../../sdk/errors.js';
import { COMMENT_FIELDS, COMMENT_STATUSES, commentRowSchema, comparableContent } from './comments.js';
import type { WpContext } from './context.js';
import { InspectLinks } from './inspect-links.js';
import { mapLimited } from './link-source.js';
import { inspectMenuItems, inspectMenus, inspectSettings, inspectTerms, inspectUsers } from './inspect-others.js';
import { byIds, ref } from './inspect-read.js';
import { MEDIA_FIELDS, mediaRowSchema, originalUrl } from './media.js';
import { POST_FIELDS, postRowSchema, type PostTypeName } from './posts.js';
import { ROUTES, briefOf, type PostKind } from './post-keys.js';

/**
 * `inspect` for verify: each object read afresh, as the fields Ferry
 * carries, with references to the site's own objects (author, parent,
 * terms, featured image, links and attachment ids in texts) as tokens. Left
 * out: what WordPress sets by itself (ids, modified dates, the local date
 * beside the GMT one, rendered HTML, `rel="nofollow ugc"` it adds to links
 * in comments). Unordered lists (terms of a post, roles) are sorted by
 * slug, which both sites share, not by id.
 */

export type Inspector = (ctx: WpContext, ids: number[], signal: AbortSignal) => Promise<Map<string, InspectedItem>>;

const INSPECTORS: Readonly<Record<string, Inspector>> = {
  user: inspectUsers,
  category: (ctx, ids, signal) => inspectTerms(ctx, 'category', ids, signal),
  tag: (ctx, ids, signal) => inspectTerms(ctx, 'tag', ids, signal),
  media: inspectMedia,
  post: (ctx, ids, signal) => inspectPosts(ctx, 'post', ids, signal),
  page: (ctx, ids, signal) => inspectPosts(ctx, 'page', ids, signal),
  comment: inspectComments,
  menu: inspectMenus,
  'menu-item': inspectMenuItems,
  settings: inspectSettings,
};

export async function inspectItems(ctx: WpContext, type: string, ids: string[], signal: AbortSignal): Promise<Map<string, InspectedItem>> {
  const inspector = INSPECTORS[type];
  if (!inspector) throw new ConnectorError(`The WordPress connector has no object type "${type}"`, { kind: 'bug' });
  if (type === 'settings') return inspector(ctx, [], signal);
  const numeric = ids.map(Number).filter((id) => Number.isInteger(id) && id > 0);
  if (numeric.length === 0) return new Map();
  return inspector(ctx, numeric, signal);
}

async function inspectPosts(ctx: WpContext, kind: PostTypeName, ids: number[], signal: AbortSignal): Promise<Map<string, InspectedItem>> {
  const rows = (await byIds(ctx, ROUTES[kind], ids, { status: 'any', _fields: POST_FIELDS }, signal)).map((row) => postRowSchema.parse(row));
  const links = (ctx.inspectLinks ??= new InspectLinks(ctx.api));
  const slugs = await termSlugs(ctx, rows.flatMap((r) => r.categories ?? []), rows.flatMap((r) => r.tags ?? []), signal);
  const bySlug = (type: 'category' | 'tag', list: number[] | undefined) =>
    [...(list ?? [])].sort((a, b) => (slugs.get(`${type}:${a}`) ?? '').localeCompare(slugs.get(`${type}:${b}`) ?? '')).map((id) => refToken(type, String(id)));
  await links.prime(rows.flatMap((row) => [row.content.raw ?? '', row.excerpt.raw ?? '']), signal);
  const out = new Map<string, InspectedItem>();
  for (const row of rows) {
    const [content, excerpt] = await links.tokenise([row.content.raw ?? '', row.excerpt.raw ?? ''], signal);
    const fields: Record<string, unknown> = {
      title: row.title.raw ?? '',
      content,
      excerpt,
      status: row.status,
      date_gmt: row.date_gmt ?? '',
      slug: row.slug,
      password: row.password,
      author: ref('user', row.author),
      featured_media: ref('media', row.featured_media),
      comment_status: row.comment_status,
      ping_status: row.ping_status,
      template: row.template,
    };
    if (kind === 'post') Object.assign(fields, { sticky: row.sticky ?? false, format: row.format ?? 'standard', categories: bySlug('category', row.categories), tags: bySlug('tag', row.tags) });
    else Object.assign(fields, { parent: ref('page', row.parent ?? 0), menu_order: row.menu_order ?? 0 });
    out.set(String(row.id), { id: String(row.id), fields });
  }
  return out;
}

async function termSlugs(ctx: WpContext, categories: number[], tags: number[], signal: AbortSignal): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [type, route, ids] of [['category', 'wp/v2/categories', categories], ['tag', 'wp/v2/tags', tags]] as const) {
    if (ids.length === 0) continue;
    for (const row of z.array(z.object({ id: z.number(), slug: z.string() })).parse(await byIds(ctx, route, ids, { hide_empty: false, _fields: 'id,slug' }, signal))) {
      out.set(`${type}:${row.id}`, row.slug);
    }
  }
  return out;
}

async function inspectMedia(ctx: WpContext, ids: number[], signal: AbortSignal): Promise<Map<string, InspectedItem>> {
  const raw = await byIds(ctx, ROUTES.media, ids, { _fields: MEDIA_FIELDS }, signal);
  const links = (ctx.inspectLinks ??= new InspectLinks(ctx.api));
  const parents = await postKinds(ctx, raw.map((row) => mediaRowSchema.parse(row).post ?? 0), signal);
  const parsed = raw.map((item) => mediaRowSchema.parse(item));
  await links.prime(parsed.flatMap((row) => [row.caption.raw ?? '', row.description.raw ?? '']), signal);
  // The files side by side (each read to hash it), not one after the other.
  const files = await mapLimited(parsed, FILES_PARALLEL, (row) => fileFacts(ctx, originalUrl(row), signal));
  const out = new Map<string, InspectedItem>();
  for (const [i, row] of parsed.entries()) {
    const [caption, description] = await links.tokenise([row.caption.raw ?? '', row.description.raw ?? ''], signal);
    const file = files[i]!;
    const parent = row.post ?? 0;
    out.set(String(row.id), {
      id: String(row.id),
      fields: {
        slug: row.slug,
        title: row.title.raw ?? '',
        alt_text: row.alt_text,
        caption,
        description,
        author: ref('user', row.author),
        date_gmt: row.date_gmt ?? '',
        parent: parent > 0 ? refToken(parents.get(parent) ?? 'post', String(parent)) : null,
        mime_type: row.mime_type,
        file,
      },
    });
  }
  return out;
}

/** SHA-1 and size of a file as the site serves it; a file that is gone says so. */
async function fileFacts(ctx: WpContext, url: string, signal: AbortSignal): Promise<{ sha1: string; size: number } | { missing: true }> {
  try {
    return await ctx.http.send({ url, signal, what: `reading ${url} for verify`, timeoutMs: 0 }, async (response) => {
      const hash = createHash('sha1');
      let size = 0;
      if (response.body) {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          hash.update(chunk);
          size += chunk.length;
        }
      }
      return { sha1: hash.digest('hex'), size };
    });
  } catch (error) {
    if (error instanceof ConnectorError && error.kind === 'not_found') return { missing: true };
    throw error;
  }
}

/** Files of a chunk of attachments read at once. */
const FILES_PARALLEL = 4;

/** Which Ferry type each post id is (a comment's post, an attachment's parent). */
async function postKinds(ctx: WpContext, ids: number[], signal: AbortSignal): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const wanted = [...new Set(ids.filter((id) => id > 0))];
  for (const kind of ['post', 'page', 'media'] as const satisfies readonly PostKind[]) {
    const missing = wanted.filter((id) => !out.has(id));
    if (missing.length === 0) break;
    const query: Record<string, string> = kind === 'media' ? { _fields: 'id,slug' } : { status: 'any', _fields: 'id,slug' };
    for (const row of await byIds(ctx, ROUTES[kind], missing, query, signal)) out.set(briefOf(kind, row).id, kind);
  }
  return out;
}

async function inspectComments(ctx: WpContext, ids: number[], signal: AbortSignal): Promise<Map<string, InspectedItem>> {
  const rows = [];
  for (const status of COMMENT_STATUSES) {
    rows.push(...(await byIds(ctx, 'wp/v2/comments', ids, { status, _fields: COMMENT_FIELDS }, signal)).map((row) => commentRowSchema.parse(row)));
  }
  const links = (ctx.inspectLinks ??= new InspectLinks(ctx.api));
  const posts = await postKinds(ctx, rows.map((r) => r.post), signal);
  await links.prime(rows.flatMap((row) => [comparableContent(row.content.raw ?? ''), row.author_url]), signal);
  const out = new Map<string, InspectedItem>();
  for (const row of rows) {
    if (out.has(String(row.id))) continue;
    const [content, url] = await links.tokenise([comparableContent(row.content.raw ?? ''), row.author_url], signal);
    out.set(String(row.id), {
      id: String(row.id),
      fields: {
        post: row.post > 0 ? refToken(posts.get(row.post) ?? 'post', String(row.post)) : null,
        parent: ref('comment', row.parent),
        author: ref('user', row.author),
        author_name: row.author_name,
        author_email: row.author_email,
        author_url: url,
        author_ip: row.author_ip,
        author_user_agent: row.author_user_agent,
        date_gmt: row.date_gmt,
        content,
        status: row.status,
        type: row.type,
      },
    });
  }
  return out;
}
