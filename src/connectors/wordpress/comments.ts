import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ItemHeader, ItemRef, ObjectTypeSpec, ReadPage, RemoveResult, SourceItem, TargetRef } from '../../sdk/connector.js';
import { ConnectorError } from '../../sdk/errors.js';
import type { WpContext } from './context.js';
import { stableHash } from './hashing.js';
import type { LinkRef } from './links.js';
import { parseSlugless, type PostKind } from './post-keys.js';
import { findPost, findPosts } from './posts.js';
import { mediaById } from './media.js';

/**
 * Comments (type "comment": pingbacks and trackbacks cannot be created
 * through the REST API), threaded, in every status: approved, hold, spam,
 * trash. WordPress has no natural key for a comment, and the REST API
 * cannot store the source id with it (comment meta must be registered by a
 * plugin), so a comment is known by what identifies it in practice: its
 * post's key, its date, its author's e-mail (or name) and a fingerprint of
 * its text without markup and URLs (so rewritten links do not change it).
 * WordPress itself refuses two identical comments by one author on one post.
 */

export const commentType: ObjectTypeSpec = {
  name: 'comment',
  label: 'Comments',
  naturalKey: 'post key + date + author e-mail or name + text fingerprint',
  dependsOn: ['settings', 'post', 'page', 'user', 'media'],
  references: { post: 'post or page', parent: 'comment', author: 'user', links: 'post, page, media, category, tag' },
  neverCarried: ['pingbacks and trackbacks', 'comment meta', 'comment karma'],
  deletable: true,
  batchSize: 20,
};

/** The listing passes: 'all' is approved and held comments; spam and trash are listed apart. */
export const COMMENT_STATUSES = ['all', 'spam', 'trash'] as const;

/** The payload of a loaded comment. */
export interface CommentData {
  id: number;
  post: number;
  postType: 'post' | 'page' | 'media';
  parent: number;
  /** Source user id of a registered commenter; 0 for a visitor. */
  author: number;
  author_name: string;
  author_email: string;
  author_url: string;
  author_ip: string;
  author_user_agent: string;
  date_gmt: string;
  content: string;
  status: string;
  links: LinkRef[];
}

export const commentRowSchema = z.object({
  id: z.number(),
  post: z.number().default(0),
  parent: z.number().default(0),
  author: z.number().default(0),
  author_name: z.string().default(''),
  author_email: z.string().default(''),
  author_url: z.string().default(''),
  author_ip: z.string().default(''),
  author_user_agent: z.string().default(''),
  date_gmt: z.string().default(''),
  content: z.object({ raw: z.string().default('') }).partial().default({}),
  status: z.string().default('hold'),
  type: z.string().default('comment'),
});
export type CommentRow = z.infer<typeof commentRowSchema>;

export const COMMENT_FIELDS = 'id,post,parent,author,author_name,author_email,author_url,author_ip,author_user_agent,date_gmt,content,status,type';
const SEPARATOR = ' \u241F ';
/** The version of a comment the target already had (a duplicate): undo never deletes it. */
export const ADOPTED = 'adopted';
const TYPE_OF_KIND: Readonly<Record<PostKind, 'post' | 'page' | 'media'>> = { post: 'post', page: 'page', media: 'media' };

export async function* readComments(ctx: WpContext, options: { signal: AbortSignal; cursor?: string }): AsyncGenerator<ReadPage> {
  const [startStatus, startPage] = parseCursor(options.cursor);
  for (let s = COMMENT_STATUSES.indexOf(startStatus); s < COMMENT_STATUSES.length; s++) {
    const status = COMMENT_STATUSES[s]!;
    const query = { context: 'edit', status, orderby: 'id', order: 'asc', _fields: COMMENT_FIELDS };
    const first = status === startStatus ? startPage : 1;
    for await (const page of ctx.api.pages('wp/v2/comments', { signal: options.signal, query, startPage: first, what: `listing ${status === 'all' ? '' : `${status} `}comments` })) {
      const rows = z.array(commentRowSchema).parse(page.items);
      const items = await commentHeaders(ctx, rows, options.signal);
      const next = page.page < page.totalPages ? `${status}:${page.page + 1}` : s + 1 < COMMENT_STATUSES.length ? `${COMMENT_STATUSES[s + 1]}:1` : undefined;
      yield next ? { items, cursor: next } : { items };
    }
  }
}

export async function loadComments(ctx: WpContext, headers: ItemHeader[], signal: AbortSignal): Promise<SourceItem<CommentData>[]> {
  const rows = await commentsById(ctx, headers.map((h) => Number(h.sourceId)), signal);
  const briefs = await ctx.postKeys.briefsOf([...rows.values()].map((r) => r.post), signal);
  const out: SourceItem<CommentData>[] = [];
  for (const header of headers) {
    const row = rows.get(Number(header.sourceId));
    const brief = row ? briefs.get(row.post) : undefined;
    if (!row || !brief) throw new ConnectorError(`Comment ${header.sourceId} (${header.label}) or its post is no longer on the source`, { kind: 'not_found' });
    const extracted = await ctx.sourceLinks.extract([row.content.raw ?? ''], signal);
    const postType = TYPE_OF_KIND[brief.kind];
    const refs: ItemRef[] = [{ type: postType, sourceId: String(row.post) }, ...extracted.refs];
    if (row.parent > 0) refs.push({ type: 'comment', sourceId: String(row.parent) });
    if (row.author > 0) refs.push({ type: 'user', sourceId: String(row.author) });
    const data: CommentData = {
      id: row.id,
      post: row.post,
      postType,
      parent: row.parent,
      author: row.author,
      author_name: row.author_name,
      author_email: row.author_email,
      author_url: row.author_url,
      author_ip: row.author_ip,
      author_user_agent: row.author_user_agent,
      date_gmt: row.date_gmt,
      content: row.content.raw ?? '',
      status: row.status,
      links: extracted.links,
    };
    out.push({ ...header, hash: commentHash(row, header.key), refs, data });
  }
  return out;
}

/**
 * Finds comments by key: the posts by their keys (100 slugs a request), then
 * those posts' comments by date, author and text (100 posts a request per
 * comment status).
 */
export async function lookupComments(ctx: WpContext, keys: string[], signal: AbortSignal): Promise<Map<string, TargetRef>> {
  const found = new Map<string, TargetRef>();
  const byPost = new Map<string, string[]>();
  for (const key of new Set(keys)) {
    const post = key.split(SEPARATOR)[0] ?? '';
    byPost.set(post, [...(byPost.get(post) ?? []), key]);
  }
  const postIds = await targetPostIds(ctx, [...byPost.keys()], signal);
  const partOfId = new Map<number, string>();
  for (const [part, id] of postIds) if (!partOfId.has(id)) partOfId.set(id, part);
  // Posts this session created hold only the comments it wrote there: those are known without asking.
  const known = (id: number) => ctx.createdPosts.has(id) && !ctx.uncertainCommentPosts.has(id);
  const rows = await commentsOfPosts(ctx, [...partOfId.keys()].filter((id) => !known(id)), signal);
  for (const [part, id] of postIds) {
    if (!known(id)) continue;
    for (const key of byPost.get(part) ?? []) {
      const written = ctx.sessionComments.get(key);
      if (written && written.post === id && !found.has(key)) found.set(key, written.ref);
    }
  }
  for (const [part, id] of postIds) {
    const wanted = new Set(byPost.get(part) ?? []);
    for (const row of rows) {
      if (row.post !== id) continue;
      const key = commentKey(part, row);
      if (wanted.has(key) && !found.has(key)) found.set(key, { targetId: String(row.id), version: commentVersion(row) });
    }
  }
  return found;
}

/** Target post ids of comment key post parts: those this session wrote from memory, other posts and pages with slugs in bulk. */
async function targetPostIds(ctx: WpContext, parts: string[], signal: AbortSignal): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const bulk: Record<'post' | 'page', string[]> = { post: [], page: [] };
  for (const part of parts) {
    const written = ctx.writtenPosts.get(part);
    if (written !== undefined) {
      out.set(part, written);
      continue;
    }
    const type = part.slice(0, part.indexOf(':'));
    const key = part.slice(part.indexOf(':') + 1);
    if ((type === 'post' || type === 'page') && !parseSlugless(key)) bulk[type].push(key);
    else {
      const id = await targetPostId(ctx, part, signal);
      if (id !== undefined) out.set(part, id);
    }
  }
  for (const type of ['post', 'page'] as const) {
    if (bulk[type].length === 0) continue;
    for (const [key, row] of await findPosts(ctx, type, bulk[type], signal)) out.set(`${type}:${key}`, row.id);
  }
  return out;
}

/** Every comment of these posts in every status, 100 posts a request per status, ordered by id. */
export async function commentsOfPosts(ctx: WpContext, postIds: number[], signal: AbortSignal): Promise<CommentRow[]> {
  const out: CommentRow[] = [];
  const unique = [...new Set(postIds)];
  for (const status of COMMENT_STATUSES) {
    for (let i = 0; i < unique.length; i += 100) {
      const rows = await ctx.api.all('wp/v2/comments', { signal, query: { post: unique.slice(i, i + 100), status, context: 'edit', orderby: 'id', order: 'asc', _fields: COMMENT_FIELDS }, what: 'reading the comments of posts' });
      out.push(...z.array(commentRowSchema).parse(rows));
    }
  }
  return out;
}

export async function removeComment(ctx: WpContext, target: TargetRef, signal: AbortSignal): Promise<RemoveResult> {
  if (target.version === ADOPTED) return 'not_deletable';
  const row = (await commentsById(ctx, [Number(target.targetId)], signal)).get(Number(target.targetId));
  if (!row) return 'gone';
  if (target.version !== undefined && commentVersion(row) !== target.version) return 'changed';
  await ctx.api.delete(`wp/v2/comments/${row.id}`, { signal, query: { force: true }, what: `deleting comment ${row.id}` });
  // Its key is not known here: that post's comments are looked up on the target from now on.
  ctx.uncertainCommentPosts.add(row.post);
  return 'removed';
}

/** `post:hello-world ␟ 2024-03-01T10:00:00 ␟ ann@example.org ␟ 3fa2c1d0e9` */
export function commentKey(postPart: string, row: Pick<CommentRow, 'date_gmt' | 'author_email' | 'author_name' | 'content'>): string {
  const who = row.author_email.trim().toLowerCase() || row.author_name.trim() || 'anonymous';
  return [postPart, row.date_gmt, who, fingerprint(row.content.raw ?? '')].join(SEPARATOR);
}

/** A short hash of a comment's words: markup, URLs and spacing left out. */
export function fingerprint(text: string): string {
  const words = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/(?:https?:)?\/\/\S+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return createHash('sha1').update(words).digest('hex').slice(0, 10);
}

/** Links rel="nofollow ugc" are WordPress's own addition to comment text. */
export function comparableContent(text: string): string {
  return text.replace(/\s+rel="[^"]*"/g, '');
}

export function commentState(row: CommentRow) {
  return {
    post: row.post,
    parent: row.parent,
    author: row.author,
    author_name: row.author_name,
    author_email: row.author_email,
    author_url: row.author_url,
    date_gmt: row.date_gmt,
    content: comparableContent(row.content.raw ?? ''),
    status: row.status,
  };
}

// Undo compares versions to tell "changed on the target since": WordPress itself moves
// children up a level (and detaches attachments) when it deletes a parent, so the
// parent reference is left out of the version or undo would keep every child.
export function commentVersion(row: CommentRow): string {
  return stableHash({ ...commentState(row), parent: undefined });
}

export async function commentsById(ctx: WpContext, ids: number[], signal: AbortSignal): Promise<Map<number, CommentRow>> {
  const out = new Map<number, CommentRow>();
  const unique = [...new Set(ids)];
  for (const status of COMMENT_STATUSES) {
    const missing = unique.filter((id) => !out.has(id));
    for (let i = 0; i < missing.length; i += 100) {
      const rows = await ctx.api.get('wp/v2/comments', { signal, query: { include: missing.slice(i, i + 100), per_page: 100, status, context: 'edit', _fields: COMMENT_FIELDS }, what: 'reading comments' });
      for (const row of z.array(commentRowSchema).parse(rows)) out.set(row.id, row);
    }
  }
  return out;
}

export async function commentsOfPost(ctx: WpContext, postId: number, signal: AbortSignal): Promise<CommentRow[]> {
  const out: CommentRow[] = [];
  for (const status of COMMENT_STATUSES) {
    const rows = await ctx.api.all('wp/v2/comments', { signal, query: { post: postId, status, context: 'edit', orderby: 'id', order: 'asc', _fields: COMMENT_FIELDS }, what: `reading the comments of post ${postId}` });
    out.push(...z.array(commentRowSchema).parse(rows));
  }
  return out;
}

/** The target id of the post a comment key names (`post:slug`, `page:about/team`, `media:slug`). */
export async function targetPostId(ctx: WpContext, postPart: string, signal: AbortSignal): Promise<number | undefined> {
  const colon = postPart.indexOf(':');
  const type = postPart.slice(0, colon);
  const key = postPart.slice(colon + 1);
  if (type === 'post' || type === 'page') return (await findPost(ctx, type, key, signal))?.id;
  if (type === 'media') {
    const rows = await ctx.api.get('wp/v2/media', { signal, query: { slug: key, _fields: 'id' }, what: `looking up attachment "${key}"` });
    const id = z.array(z.object({ id: z.number() })).parse(rows)[0]?.id;
    if (id !== undefined) await mediaById(ctx, [id], signal);
    return id;
  }
  return undefined;
}

async function commentHeaders(ctx: WpContext, rows: CommentRow[], signal: AbortSignal): Promise<ItemHeader[]> {
  const briefs = await ctx.postKeys.briefsOf(rows.map((r) => r.post), signal);
  const items: ItemHeader[] = [];
  for (const row of rows) {
    const brief = briefs.get(row.post);
    // A comment of a trashed post (WordPress marks it "post-trashed") has no post to go to.
    const postPart = brief ? `${TYPE_OF_KIND[brief.kind]}:${await ctx.postKeys.keyOfBrief(brief, signal)}` : `missing:${row.post}`;
    const key = commentKey(postPart, row);
    items.push({
      type: 'comment',
      sourceId: String(row.id),
      key,
      label: `${row.author_name || 'anonymous'} on "${brief?.title || brief?.slug || `post ${row.post}`}" (${row.date_gmt})`,
      modifiedAt: `${row.date_gmt}Z`,
      hash: commentHash(row, key),
    });
  }
  return items;
}

function commentHash(row: CommentRow, key: string): string {
  return stableHash({ ...commentState(row), content: row.content.raw ?? '', author_ip: row.author_ip, author_user_agent: row.author_user_agent, key });
}

function parseCursor(cursor: string | undefined): [(typeof COMMENT_STATUSES)[number], number] {
  if (!cursor) return ['all', 1];
  const [status, page] = cursor.split(':');
  const known = COMMENT_STATUSES.find((s) => s === status);
  return [known ?? 'all', Math.max(1, Number(page) || 1)];
}
