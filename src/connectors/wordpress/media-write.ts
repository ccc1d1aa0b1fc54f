import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ItemRef, PostAction, SourceItem, WriteOutcome, WriteRequest, WriteResult } from '../../sdk/connector.js';
import { ConnectorError } from '../../sdk/errors.js';
import { hasWpCode, wpErrorOf } from './api-errors.js';
import type { WpContext } from './context.js';
import { changedFields } from './hashing.js';
import { MEDIA_FIELDS, mediaById, mediaWritten, mediaRowSchema, mediaState, mediaVersion, originalUrl, type MediaData, type MediaRow } from './media.js';
import { eachRequest, result } from './outcomes.js';
import { ROUTES, briefOf } from './post-keys.js';

/**
 * Writing attachments: upload the file with its fields (multipart, with
 * Content-MD5), set again what WordPress took from the file instead, and
 * check the target's copy by SHA-1.
 * An existing attachment keeps its file (the REST API cannot replace one);
 * a different file fails the item with the ways out.
 */

export async function writeMedia(ctx: WpContext, requests: WriteRequest[], signal: AbortSignal): Promise<WriteOutcome[]> {
  return eachRequest('media', requests, signal, async (request) => {
    const item = request.item as SourceItem<MediaData>;
    try {
      return await writeOne(ctx, request, item, signal);
    } catch (error) {
      // It may have reached the site: the next look-up asks the site again.
      mediaWritten(ctx, undefined);
      throw error;
    } finally {
      await rm(item.data.path, { force: true });
    }
  });
}

async function writeOne(ctx: WpContext, request: WriteRequest, item: SourceItem<MediaData>, signal: AbortSignal): Promise<WriteResult> {
  const data = item.data;
  const deferred: ItemRef[] = [];
  const rewritten = await ctx.targetLinks.rewrite({ caption: data.caption, description: data.description }, data.links, request.resolve, signal);
  deferred.push(...rewritten.deferred);
  let post = 0;
  if (data.parent > 0 && data.parentType) {
    const ref = { type: data.parentType, sourceId: String(data.parent) };
    const resolved = request.resolve(ref);
    if (resolved === undefined) deferred.push(ref);
    else post = Number(resolved);
  }
  const author = data.author > 0 ? request.resolve({ type: 'user', sourceId: String(data.author) }) : undefined;
  const slug = request.mode === 'rename' ? `${data.slug}-migrated` : data.slug;
  const desired = {
    slug,
    title: data.title,
    alt_text: data.alt_text,
    caption: rewritten.texts.caption,
    description: rewritten.texts.description,
    ...(author !== undefined ? { author: Number(author) } : {}),
    ...(data.date_gmt ? { date_gmt: data.date_gmt } : {}),
    post,
    comment_status: data.comment_status,
    ping_status: data.ping_status,
  };
  // 'create': the engine's lookup by slug has just found nothing.
  const existing =
    request.mode === 'update' && request.existing
      ? (await mediaById(ctx, [Number(request.existing.targetId)], signal)).get(Number(request.existing.targetId))
      : request.mode === 'create'
        ? undefined
        : await bySlug(ctx, slug, signal);
  if (existing) return updateExisting(ctx, item, existing, desired, deferred, signal);

  const uploaded = await upload(ctx, data, desired, signal);
  // The upload carries every field; what WordPress set otherwise (a caption or title from the image's metadata) is written after it.
  const changed = changedFields(desired, mediaState(uploaded));
  const row = changed.length === 0 ? uploaded : await setFields(ctx, uploaded, Object.fromEntries(changed.map((k) => [k, desired[k as keyof typeof desired]])), signal);
  await verify(ctx, data, row, signal);
  ctx.limits.acceptedBytes = Math.max(ctx.limits.acceptedBytes ?? 0, data.size);
  return result({ targetId: String(row.id), outcome: 'created', version: mediaVersion(row), deferred, actions: authorAction(item, author) });
}

async function updateExisting(ctx: WpContext, item: SourceItem<MediaData>, current: MediaRow, desired: Record<string, unknown>, deferred: ItemRef[], signal: AbortSignal): Promise<WriteResult> {
  await expectSameFile(ctx, item.data, current, signal);
  const changed = changedFields(desired, mediaState(current));
  if (changed.length === 0) return result({ targetId: String(current.id), outcome: 'unchanged', version: mediaVersion(current), deferred });
  const row = await setFields(ctx, current, Object.fromEntries(changed.map((k) => [k, desired[k]])), signal);
  return result({ targetId: String(row.id), outcome: 'updated', version: mediaVersion(row), deferred });
}

/**
 * The file of an existing attachment must be the source's: the REST API
 * cannot replace an attachment's file, so a different one (damaged on the
 * target's disk, or another file under the same name) fails the item with
 * the ways out, instead of passing as migrated.
 */
async function expectSameFile(ctx: WpContext, data: MediaData, row: MediaRow, signal: AbortSignal): Promise<void> {
  const path = join(ctx.connector.tempDir, `wordpress-check-${row.id}`);
  try {
    const { bytes, digest } = await ctx.http.download({ url: originalUrl(row), signal, what: `checking the target's copy of "${data.fileName}"`, timeoutMs: 0 }, { path, hash: 'sha1' });
    if (digest === data.sha1 && bytes === data.size) return;
    throw new ConnectorError(`The target's attachment "${row.slug}" (id ${row.id}) has another file than the source's "${data.fileName}" (${bytes} bytes, SHA-1 ${digest}; the source's: ${data.size} bytes, SHA-1 ${data.sha1})`, {
      kind: 'data',
      hint: `the REST API cannot replace an attachment's file: put the source's file back at ${originalUrl(row)} on the target's server, or delete the attachment on the target and run the migration again (it is uploaded anew, and the next run's verify has the posts that use it written again)`,
    });
  } finally {
    await rm(path, { force: true });
  }
}

async function upload(ctx: WpContext, data: MediaData, desired: Record<string, unknown>, signal: AbortSignal): Promise<MediaRow> {
  // The slug travels with the file: if the call after it fails, a lookup by slug still finds this upload.
  const fields = Object.fromEntries(Object.entries(desired).map(([key, value]) => [key, String(value)]));
  try {
    const answer = await ctx.api.upload(
      ROUTES.media,
      { path: data.path, fileName: data.fileName, mime: data.mime, md5: data.md5, fields },
      { signal, query: { context: 'edit', _fields: MEDIA_FIELDS }, what: `uploading "${data.fileName}"` },
    );
    ctx.postKeys.remember(briefOf('media', answer));
    const row = mediaRowSchema.parse(answer);
    mediaWritten(ctx, row);
    return row;
  } catch (error) {
    throw uploadError(ctx, data, error);
  }
}

async function setFields(ctx: WpContext, row: MediaRow, fields: Record<string, unknown>, signal: AbortSignal): Promise<MediaRow> {
  const answer = await ctx.api.post(`${ROUTES.media}/${row.id}`, fields, { signal, query: { context: 'edit', _fields: MEDIA_FIELDS }, what: `updating attachment "${row.slug}"` });
  ctx.targetLinks.forget('media', String(row.id));
  ctx.postKeys.remember(briefOf('media', answer));
  const updated = mediaRowSchema.parse(answer);
  mediaWritten(ctx, updated);
  return updated;
}

/** Downloads the target's copy and compares its SHA-1; a bad copy is deleted. */
async function verify(ctx: WpContext, data: MediaData, row: MediaRow, signal: AbortSignal): Promise<void> {
  const path = join(ctx.connector.tempDir, `wordpress-verify-${row.id}`);
  try {
    const { bytes, digest } = await ctx.http.download({ url: originalUrl(row), signal, what: `checking the target's copy of "${data.fileName}"`, timeoutMs: 0 }, { path, hash: 'sha1' });
    if (digest === data.sha1 && bytes === data.size) return;
    await ctx.api.delete(`${ROUTES.media}/${row.id}`, { signal, query: { force: true }, what: `deleting the bad copy of "${data.fileName}"` }).catch(() => undefined);
    throw new ConnectorError(`The target's copy of "${data.fileName}" differs from the source (${bytes} bytes, SHA-1 ${digest}; expected ${data.size} bytes, SHA-1 ${data.sha1}); it was deleted`, { kind: 'transient' });
  } finally {
    await rm(path, { force: true });
  }
}

async function bySlug(ctx: WpContext, slug: string, signal: AbortSignal): Promise<MediaRow | undefined> {
  const rows = await ctx.api.get(ROUTES.media, { signal, query: { slug, context: 'edit', _fields: MEDIA_FIELDS }, what: `looking up attachment "${slug}"` });
  const list = Array.isArray(rows) ? rows : [];
  return list.length > 0 ? mediaRowSchema.parse(list[0]) : undefined;
}

/**
 * An upload over the target's limit shows up in several ways: HTTP 413 from
 * the web server, PHP's upload_max_filesize error passed on by WordPress,
 * or, past post_max_size, PHP dropping the whole body ("no data supplied").
 */
function uploadError(ctx: WpContext, data: MediaData, error: unknown): unknown {
  const wp = wpErrorOf(error);
  const overLimit =
    (error instanceof ConnectorError && error.kind === 'too_large') ||
    hasWpCode(error, 'rest_upload_file_too_big', 'rest_upload_no_data', 'rest_upload_no_content_disposition', 'rest_upload_no_content_type') ||
    /upload_max_filesize|MAX_FILE_SIZE|post_max_size|exceeds the maximum/i.test(wp?.message ?? '');
  if (!overLimit) return error;
  ctx.limits.refusedBytes = Math.min(ctx.limits.refusedBytes ?? Number.POSITIVE_INFINITY, data.size);
  const accepted = ctx.limits.acceptedBytes ? `; files up to ${formatSize(ctx.limits.acceptedBytes)} went through` : '';
  return new ConnectorError(
    `"${data.fileName}" is ${formatSize(data.size)}, over the target's upload limit (PHP upload_max_filesize / post_max_size, or the web server's body limit; WordPress does not say its value through the REST API${accepted})`,
    { kind: 'too_large', hint: "Raise upload_max_filesize and post_max_size in the target's php.ini (and the web server's limit, e.g. nginx client_max_body_size), then run again.", cause: error },
  );
}

function authorAction(item: SourceItem<MediaData>, author: string | undefined): PostAction[] {
  if (item.data.author === 0 || author !== undefined) return [];
  return [{ code: 'media-author-missing', message: `The uploader of "${item.label}" was not migrated; the attachment is credited to the Ferry account.`, type: 'media', sourceId: item.sourceId, label: item.label }];
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB (${bytes} bytes)`;
  return `${(bytes / 1024).toFixed(1)} KB (${bytes} bytes)`;
}
