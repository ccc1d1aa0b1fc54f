import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { ItemHeader, ItemRef, ObjectTypeSpec, ReadPage, RemoveResult, SourceItem, TargetRef } from '../../sdk/connector.js';
import { ConnectorError } from '../../sdk/errors.js';
import type { WpContext } from './context.js';
import { stableHash } from './hashing.js';
import type { LinkRef } from './links.js';
import { ROUTES, briefOf } from './post-keys.js';

/**
 * Media (attachments), known by slug: WordPress keeps attachment slugs
 * unique among all of a site's posts, and Ferry gives the copy the same
 * slug. File names are not unique (the same name in two month folders) and
 * an upload through the REST API always lands in the current month's folder,
 * so the file's path cannot find the copy. The binary is streamed to the
 * session's temp folder, uploaded, and checked by SHA-1 against a download
 * of the target's copy.
 */

export const mediaType: ObjectTypeSpec = {
  name: 'media',
  label: 'Media',
  naturalKey: 'attachment slug (the file name is shown)',
  // After the settings: dates are stored in the site's time zone too.
  dependsOn: ['settings', 'user'],
  references: { author: 'user', post: 'post' },
  neverCarried: ['upload folder (uploads land in the current month)', 'generated image sizes (the target makes its own)', 'upload date folder in URLs'],
  deletable: true,
  batchSize: 1,
};

/** The payload of a loaded attachment: the file waits in the session's temp folder. */
export interface MediaData {
  id: number;
  slug: string;
  title: string;
  alt_text: string;
  caption: string;
  description: string;
  author: number;
  date_gmt: string;
  /** Source id of the post it is attached to; 0 when unattached. */
  parent: number;
  parentType?: 'post' | 'page';
  comment_status: string;
  ping_status: string;
  mime: string;
  /** The original file's name (the unscaled one when WordPress made a "-scaled" copy). */
  fileName: string;
  /** Downloaded copy of the original file; deleted after the write. */
  path: string;
  size: number;
  sha1: string;
  md5: string;
  links: LinkRef[];
}

export const mediaRowSchema = z.object({
  id: z.number(),
  slug: z.string().default(''),
  date_gmt: z.string().nullable().default(''),
  modified_gmt: z.string().nullable().default(''),
  title: z.object({ raw: z.string().default('') }).partial().default({}),
  alt_text: z.string().default(''),
  caption: z.object({ raw: z.string().default('') }).partial().default({}),
  description: z.object({ raw: z.string().default('') }).partial().default({}),
  author: z.number().default(0),
  post: z.number().nullable().default(null),
  comment_status: z.string().default('open'),
  ping_status: z.string().default('closed'),
  mime_type: z.string().default('application/octet-stream'),
  source_url: z.string().default(''),
  media_details: z
    .object({ file: z.string().optional(), filesize: z.number().optional(), original_image: z.string().optional() })
    .partial()
    .nullable()
    .optional()
    .transform((v) => v ?? {}),
});
export type MediaRow = z.infer<typeof mediaRowSchema>;

export const MEDIA_FIELDS = 'id,slug,date_gmt,modified_gmt,title,alt_text,caption,description,author,post,comment_status,ping_status,mime_type,source_url,media_details,link';

export async function* readMedia(ctx: WpContext, options: { signal: AbortSignal; cursor?: string }): AsyncGenerator<ReadPage> {
  const startPage = options.cursor ? Number(options.cursor) : 1;
  const query = { context: 'edit', orderby: 'id', order: 'asc', _fields: MEDIA_FIELDS };
  for await (const page of ctx.api.pages(ROUTES.media, { signal: options.signal, query, startPage, what: 'listing media' })) {
    const items = z.array(mediaRowSchema).parse(page.items).map(mediaHeader);
    yield page.page < page.totalPages ? { items, cursor: String(page.page + 1) } : { items };
  }
}

export async function loadMedia(ctx: WpContext, headers: ItemHeader[], signal: AbortSignal): Promise<SourceItem<MediaData>[]> {
  const rows = await mediaById(ctx, headers.map((h) => Number(h.sourceId)), signal);
  await mkdir(ctx.connector.tempDir, { recursive: true });
  const out: SourceItem<MediaData>[] = [];
  for (const header of headers) {
    const row = rows.get(Number(header.sourceId));
    if (!row?.source_url) throw new ConnectorError(`Attachment "${header.label}" is no longer on the source`, { kind: 'not_found' });
    const original = originalUrl(row);
    const fileName = fileNameOf(original);
    const path = join(ctx.connector.tempDir, `wordpress-${row.id}-${createHash('sha1').update(original).digest('hex').slice(0, 12)}`);
    const { bytes, digest } = await ctx.http.download({ url: original, signal, what: `downloading "${fileName}"`, timeoutMs: 0 }, { path, hash: 'sha1' });
    const expected = row.media_details.original_image ? undefined : row.media_details.filesize;
    if (expected !== undefined && expected !== bytes) {
      await rm(path, { force: true });
      throw new ConnectorError(`The download of "${fileName}" has ${bytes} bytes, the source says ${expected}`, { kind: 'transient' });
    }
    const parentBrief = row.post ? (await ctx.postKeys.briefsOf([row.post], signal, ['post', 'page'])).get(row.post) : undefined;
    const extracted = await ctx.sourceLinks.extract([row.caption.raw ?? '', row.description.raw ?? ''], signal);
    const refs: ItemRef[] = [...extracted.refs.filter((r) => !(r.type === 'media' && r.sourceId === String(row.id)))];
    if (row.author > 0) refs.push({ type: 'user', sourceId: String(row.author) });
    const parentType = parentBrief?.kind === 'page' ? 'page' : parentBrief?.kind === 'post' ? 'post' : undefined;
    if (parentType) refs.push({ type: parentType, sourceId: String(row.post) });
    const data: MediaData = {
      id: row.id,
      slug: row.slug,
      title: row.title.raw ?? '',
      alt_text: row.alt_text,
      caption: row.caption.raw ?? '',
      description: row.description.raw ?? '',
      author: row.author,
      date_gmt: row.date_gmt ?? '',
      parent: parentType ? (row.post ?? 0) : 0,
      ...(parentType ? { parentType } : {}),
      comment_status: row.comment_status,
      ping_status: row.ping_status,
      mime: row.mime_type,
      fileName,
      path,
      size: bytes,
      sha1: digest ?? '',
      md5: await md5File(path, signal),
      links: extracted.links,
    };
    out.push({ ...mediaHeader(row), sizeBytes: bytes, refs, data });
  }
  return out;
}

/** Up to this many attachments on the target, the first look-up lists them all and later ones need no request. */
export const MEDIA_INDEX_MAX = 500;

export async function lookupMedia(ctx: WpContext, keys: string[], signal: AbortSignal): Promise<Map<string, TargetRef>> {
  const found = new Map<string, TargetRef>();
  const unique = [...new Set(keys)];
  const index = await mediaIndex(ctx, signal);
  if (index) {
    for (const key of unique) {
      const hit = index.get(key) ?? index.get(encodeURIComponent(key).toLowerCase());
      if (hit) found.set(key, hit);
    }
    return found;
  }
  for (let i = 0; i < unique.length; i += 100) {
    const chunk = unique.slice(i, i + 100);
    const rows = await ctx.api.get(ROUTES.media, { signal, query: { slug: chunk, per_page: 100, context: 'edit', _fields: MEDIA_FIELDS }, what: 'looking up media slugs' });
    for (const row of z.array(mediaRowSchema).parse(rows)) {
      const key = chunk.find((k) => k === row.slug || encodeURIComponent(k).toLowerCase() === row.slug);
      if (key !== undefined) found.set(key, { targetId: String(row.id), version: mediaVersion(row) });
    }
  }
  return found;
}

/**
 * The target's attachments by slug, read once per session when there are at
 * most MEDIA_INDEX_MAX (media steps write one attachment per batch: one
 * look-up request each otherwise), kept in step with this session's own
 * writes (mediaWritten) and dropped when one fails or anything is removed.
 * Undefined on a bigger site: look-ups go to the site.
 */
async function mediaIndex(ctx: WpContext, signal: AbortSignal): Promise<Map<string, TargetRef> | undefined> {
  if (ctx.media.indexOff) return undefined;
  const building = (ctx.media.index ??= buildMediaIndex(ctx, signal).catch((error: unknown) => {
    ctx.media.index = undefined;
    throw error;
  }));
  return building;
}

async function buildMediaIndex(ctx: WpContext, signal: AbortSignal): Promise<Map<string, TargetRef> | undefined> {
  const writesBefore = ctx.media.writes;
  const index = new Map<string, TargetRef>();
  for await (const page of ctx.api.pages(ROUTES.media, { signal, query: { context: 'edit', per_page: 100, _fields: MEDIA_FIELDS }, what: 'listing the media library' })) {
    if (page.total > MEDIA_INDEX_MAX) {
      ctx.media.indexOff = true;
      return undefined;
    }
    for (const row of z.array(mediaRowSchema).parse(page.items)) index.set(row.slug, { targetId: String(row.id), version: mediaVersion(row) });
  }
  // An attachment written while the pages were read may be missing from them: built again at the next look-up.
  if (ctx.media.writes !== writesBefore) {
    ctx.media.index = undefined;
    return undefined;
  }
  return index;
}

/** Keeps the session's media index in step with an attachment it wrote (undefined: a write failed, the index is dropped). */
export function mediaWritten(ctx: WpContext, row: MediaRow | undefined): void {
  ctx.media.writes++;
  const index = ctx.media.index;
  if (!index) return;
  if (row === undefined) ctx.media.index = undefined;
  else void index.then((map) => map?.set(row.slug, { targetId: String(row.id), version: mediaVersion(row) }), () => undefined);
}

export async function removeMedia(ctx: WpContext, target: TargetRef, signal: AbortSignal): Promise<RemoveResult> {
  const row = (await mediaById(ctx, [Number(target.targetId)], signal)).get(Number(target.targetId));
  if (!row) return 'gone';
  if (target.version !== undefined && mediaVersion(row) !== target.version) return 'changed';
  // Attachments have no trash unless MEDIA_TRASH is on: force is required.
  await ctx.api.delete(`${ROUTES.media}/${row.id}`, { signal, query: { force: true }, what: `deleting attachment "${row.slug}"` });
  ctx.postKeys.forget(row.id);
  mediaWritten(ctx, undefined);
  return 'removed';
}

export async function mediaById(ctx: WpContext, ids: number[], signal: AbortSignal): Promise<Map<number, MediaRow>> {
  const out = new Map<number, MediaRow>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 100) {
    const rows = await ctx.api.get(ROUTES.media, { signal, query: { include: unique.slice(i, i + 100), per_page: 100, context: 'edit', _fields: MEDIA_FIELDS }, what: 'reading media' });
    for (const row of z.array(z.unknown()).parse(rows)) {
      const parsed = mediaRowSchema.parse(row);
      ctx.postKeys.remember(briefOf('media', row));
      out.set(parsed.id, parsed);
    }
  }
  return out;
}

/** What Ferry carries of an attachment, as the target shows it (the file by its address). */
export function mediaState(row: MediaRow) {
  return {
    slug: row.slug,
    title: row.title.raw ?? '',
    alt_text: row.alt_text,
    caption: row.caption.raw ?? '',
    description: row.description.raw ?? '',
    author: row.author,
    date_gmt: row.date_gmt ?? '',
    post: row.post ?? 0,
    comment_status: row.comment_status,
    ping_status: row.ping_status,
  };
}

// Undo compares versions to tell "changed on the target since": WordPress itself moves
// children up a level (and detaches attachments) when it deletes a parent, so the
// parent reference is left out of the version or undo would keep every child.
export function mediaVersion(row: MediaRow): string {
  return stableHash({ ...mediaState(row), post: undefined, file: row.source_url });
}

/** The unscaled original: WordPress serves a "-scaled" copy of big images as source_url. */
export function originalUrl(row: MediaRow): string {
  const original = row.media_details.original_image;
  if (!original) return row.source_url;
  return row.source_url.slice(0, row.source_url.lastIndexOf('/') + 1) + encodeURIComponent(original);
}

function mediaHeader(row: MediaRow): ItemHeader {
  const size = row.media_details.filesize;
  return {
    type: 'media',
    sourceId: String(row.id),
    key: row.slug,
    label: fileNameOf(row.source_url) || row.slug,
    ...(row.modified_gmt ? { modifiedAt: `${row.modified_gmt}Z` } : {}),
    ...(size !== undefined ? { sizeBytes: size } : {}),
    hash: stableHash({ ...mediaState(row), file: row.source_url, size: size ?? null }),
  };
}

/** The last part of a file URL, percent-decoded when it decodes. */
function fileNameOf(url: string): string {
  const name = url.slice(url.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

async function md5File(path: string, signal: AbortSignal): Promise<string> {
  const hash = createHash('md5');
  await pipeline(createReadStream(path), hash, { signal });
  return hash.digest('hex');
}
