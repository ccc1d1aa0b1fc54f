import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { z } from 'zod';
import type { InspectedItem, ItemHeader, ObjectTypeSpec, PostAction, ReadPage, RemoveResult, SourceItem, TargetRef, WriteOutcome, WriteRequest, WriteResult } from '../../sdk/connector.js';
import { ConnectorError, toConnectorError, isRetriable } from '../../sdk/errors.js';
import type { HttpClient } from '../../sdk/http.js';
import { isApiCode } from './api-errors.js';
import type { MwContext } from './context.js';
import { uploadFile } from './file-upload.js';
import { deletePage } from './pages.js';
import { fileNameText, fullTitle } from './titles.js';

/**
 * Uploaded files (the binary and its current version). The description
 * page and its history travel with the pages; older file versions do not
 * (a post-migration action lists them).
 */

export const fileType: ObjectTypeSpec = {
  name: 'file',
  label: 'Files',
  naturalKey: 'file name',
  dependsOn: ['page', 'user'],
  references: {},
  neverCarried: ['older file versions', 'original uploader (uploads are by the Ferry account)'],
  deletable: true,
  batchSize: 1,
};

/** The payload of a loaded file: the binary waits in the session's temp folder. */
export interface FileData {
  /** File name without the namespace prefix, spaces not underscores. */
  name: string;
  /** Downloaded copy in the connector's temp folder; deleted after the write. */
  path: string;
  /** Hex SHA-1, verified after the download. */
  sha1: string;
  size: number;
  mime: string;
  timestamp: string;
  user: string;
  comment: string;
  /** Current text of the description page (used when the target has none). */
  description: string;
  /** Versions before the current one, which are not carried. */
  oldVersions: number;
}

const LIST_LIMIT = 500;
const TITLES_PER_CALL = 50;
const NS_FILE = 6;

const imageInfoSchema = z.object({
  timestamp: z.string().default(''),
  user: z.string().default(''),
  comment: z.string().default(''),
  url: z.string().optional(),
  size: z.number().default(0),
  sha1: z.string().default(''),
  mime: z.string().default('application/octet-stream'),
});

const fileRowSchema = z.object({
  title: z.string(),
  missing: z.boolean().optional(),
  imageinfo: z.array(imageInfoSchema).optional(),
  revisions: z.array(z.object({ slots: z.object({ main: z.object({ content: z.string().optional() }) }).optional() })).optional(),
});

const listedSchema = z.object({ name: z.string(), size: z.number(), sha1: z.string(), timestamp: z.string(), mime: z.string().optional() });

export async function* readFiles(ctx: MwContext, options: { signal: AbortSignal; cursor?: string }): AsyncGenerator<ReadPage> {
  const start = options.cursor ? (JSON.parse(options.cursor) as Record<string, string>) : undefined;
  const params = { list: 'allimages', aiprop: ['sha1', 'size', 'mime', 'timestamp', 'user'], ailimit: LIST_LIMIT };
  for await (const batch of ctx.api.query(params, options.signal, start)) {
    const items = z
      .array(listedSchema)
      .parse(batch.query.allimages ?? [])
      .map((file): ItemHeader => {
        const name = fileNameText(file.name);
        return { type: 'file', sourceId: name, key: name, label: `File:${name}`, modifiedAt: file.timestamp, sizeBytes: file.size, hash: file.sha1 };
      });
    yield batch.next ? { items, cursor: JSON.stringify(batch.next) } : { items };
  }
}

export async function loadFiles(ctx: MwContext, http: HttpClient, headers: ItemHeader[], signal: AbortSignal): Promise<SourceItem<FileData>[]> {
  const rows = await filesByName(ctx, headers.map((h) => h.sourceId), { history: true }, signal);
  await mkdir(ctx.connector.tempDir, { recursive: true });
  const out: SourceItem<FileData>[] = [];
  for (const header of headers) {
    const row = rows.get(header.sourceId);
    const current = row?.imageinfo?.[0];
    if (!row || !current?.url) throw new ConnectorError(`File "${header.sourceId}" is no longer on the source`, { kind: 'not_found' });
    const nameHash = createHash('sha1').update(header.sourceId).digest('hex').slice(0, 12);
    const path = join(ctx.connector.tempDir, `mediawiki-${nameHash}-${current.sha1}${safeExtension(header.sourceId)}`);
    // No per-attempt limit: a big file takes what it takes; the engine's per-item timeout still applies.
    const request = { url: current.url, signal, what: `downloading "${header.sourceId}"`, timeoutMs: 0 };
    const { digest, bytes } = await http.download(request, { path, hash: 'sha1' });
    if (digest !== current.sha1) {
      await rm(path, { force: true });
      throw new ConnectorError(`The download of "${header.sourceId}" does not match the SHA-1 the wiki reports (${bytes} bytes received)`, {
        kind: 'transient',
      });
    }
    const data: FileData = {
      name: header.sourceId,
      path,
      sha1: current.sha1,
      size: bytes,
      mime: current.mime,
      timestamp: current.timestamp,
      user: current.user,
      comment: current.comment,
      description: row.revisions?.[0]?.slots?.main.content ?? '',
      oldVersions: Math.max(0, (row.imageinfo?.length ?? 1) - 1),
    };
    // The hash follows what was really loaded, even if the file changed since it was listed.
    out.push({ ...header, hash: current.sha1, sizeBytes: bytes, refs: [], data });
  }
  return out;
}

export async function writeFiles(ctx: MwContext, http: HttpClient, requests: WriteRequest[], signal: AbortSignal): Promise<WriteOutcome[]> {
  const outcomes: WriteOutcome[] = [];
  for (const request of requests) {
    const data = request.item.data as FileData;
    try {
      outcomes.push({ ok: true, result: await writeFile(ctx, http, request, signal) });
      await rm(data.path, { force: true });
    } catch (error) {
      if (signal.aborted) throw error;
      // Kept for a retry of the same loaded item; the engine empties the temp folder after the run anyway.
      if (!(error instanceof ConnectorError && isRetriable(error.kind))) await rm(data.path, { force: true });
      outcomes.push({ ok: false, error });
    }
  }
  return outcomes;
}

async function writeFile(ctx: MwContext, http: HttpClient, request: WriteRequest, signal: AbortSignal): Promise<WriteResult> {
  const data = request.item.data as FileData;
  const site = await ctx.site(signal);
  const name = request.mode === 'rename' ? renamed(data.name) : data.name;
  // Said of every write that leaves the file on the target, also one that finds an earlier, killed attempt's upload already there.
  const actions: PostAction[] = [];
  if (data.oldVersions > 0) {
    actions.push({
      code: 'file-old-versions',
      message: `"File:${data.name}" has ${data.oldVersions} older version(s) on the source that were not carried (only the current one was).`,
      type: 'file',
      sourceId: request.item.sourceId,
      label: request.item.label,
    });
  }
  const before = (await filesByName(ctx, [name], { history: false }, signal)).get(name)?.imageinfo?.[0];
  if (before?.sha1 === data.sha1) {
    if (request.mode === 'update') await expectServedBytes(ctx, http, name, before.url, data, signal);
    return { targetId: name, outcome: 'unchanged', version: data.sha1, ...(actions.length ? { actions } : {}) };
  }
  if (site.maxUploadSize > 0 && data.size > site.maxUploadSize) throw tooLarge(data, site.maxUploadSize);
  let reported: string | undefined;
  try {
    reported = await uploadFile(ctx, { name, path: data.path, size: data.size, comment: data.comment, text: data.description }, signal);
  } catch (error) {
    if (isApiCode(error, 'file-too-large')) throw tooLarge(data, site.maxUploadSize, error);
    // The same bytes are already there (an earlier attempt got through): verified below.
    if (!isApiCode(error, 'fileexists-no-change')) throw error;
  }
  // The upload's answer names the SHA-1 the wiki stored; only without one (the same bytes were already there) is it looked up.
  const sha1 = reported ?? (await filesByName(ctx, [name], { history: false }, signal)).get(name)?.imageinfo?.[0]?.sha1;
  if (sha1 !== data.sha1) {
    throw new ConnectorError(`"File:${name}" on the target has SHA-1 ${sha1 ?? 'none'}, the source's is ${data.sha1}`, { kind: 'data' });
  }
  return { targetId: name, outcome: before ? 'updated' : 'created', version: data.sha1, ...(actions.length ? { actions } : {}) };
}

export async function lookupFiles(ctx: MwContext, keys: string[], signal: AbortSignal): Promise<Map<string, TargetRef>> {
  const rows = await filesByName(ctx, keys, { history: false }, signal);
  const found = new Map<string, TargetRef>();
  for (const key of keys) {
    const current = rows.get(key)?.imageinfo?.[0];
    if (current) found.set(key, { targetId: key, version: current.sha1 });
  }
  return found;
}

/**
 * Files as verify sees them: the SHA-1 and size of the bytes the wiki really
 * serves (downloaded, not the checksum its database remembers, so a file
 * changed or lost on disk shows), and the MIME type.
 */
export async function inspectFiles(ctx: MwContext, http: HttpClient, names: string[], signal: AbortSignal): Promise<Map<string, InspectedItem>> {
  const rows = await filesByName(ctx, names, { history: false }, signal);
  await mkdir(ctx.connector.tempDir, { recursive: true });
  const out = new Map<string, InspectedItem>();
  for (const name of names) {
    const current = rows.get(name)?.imageinfo?.[0];
    if (!current) continue;
    out.set(name, { id: name, fields: { ...(await servedBytes(ctx, http, name, current.url, signal)), mime: current.mime } });
  }
  return out;
}

/**
 * An update of a file whose checksum already matches (a repair after verify,
 * a source change undone): the bytes the wiki serves must match too. When
 * they do not, the file is damaged on the target's disk, and MediaWiki
 * refuses to take the same file again (fileexists-no-change).
 */
async function expectServedBytes(ctx: MwContext, http: HttpClient, name: string, url: string | undefined, data: FileData, signal: AbortSignal): Promise<void> {
  const served = await servedBytes(ctx, http, name, url, signal);
  if (served.sha1 === data.sha1) return;
  throw new ConnectorError(`"File:${name}" is damaged on the target: the wiki's database has the right SHA-1, but the file it serves is different (${served.size ?? 'no'} bytes, SHA-1 ${served.sha1})`, {
    kind: 'data',
    hint: 'MediaWiki refuses to upload the same file again (fileexists-no-change): put the original back on the server (maintenance/importImages.php --overwrite), or delete the file on the target and run the migration again',
  });
}

async function servedBytes(ctx: MwContext, http: HttpClient, name: string, url: string | undefined, signal: AbortSignal): Promise<{ sha1: string; size: number | null }> {
  if (!url) return { sha1: 'no file URL', size: null };
  const path = join(ctx.connector.tempDir, `mediawiki-inspect-${createHash('sha1').update(name).digest('hex').slice(0, 12)}`);
  try {
    const { digest, bytes } = await http.download({ url, signal, what: `checking "${name}"`, timeoutMs: 0 }, { path, hash: 'sha1' });
    return { sha1: digest ?? '', size: bytes };
  } catch (error) {
    if (signal.aborted) throw error;
    return { sha1: `unreadable: ${toConnectorError(error).message}`, size: null };
  } finally {
    await rm(path, { force: true });
  }
}

/** The version of a file is its SHA-1: a new upload on the target changes it, and undo then leaves the file alone. */
export async function removeFile(ctx: MwContext, target: TargetRef, signal: AbortSignal): Promise<RemoveResult> {
  const site = await ctx.site(signal);
  const current = (await filesByName(ctx, [target.targetId], { history: false }, signal)).get(target.targetId)?.imageinfo?.[0];
  if (!current) return 'gone';
  if (target.version && current.sha1 !== target.version) return 'changed';
  return deletePage(ctx, { title: fullTitle({ ns: NS_FILE, text: target.targetId }, site) }, signal);
}

/** File rows by file name (keys as given), with the whole version history when asked. */
async function filesByName(ctx: MwContext, names: string[], options: { history: boolean }, signal: AbortSignal) {
  const site = await ctx.site(signal);
  const out = new Map<string, z.infer<typeof fileRowSchema>>();
  for (let i = 0; i < names.length; i += TITLES_PER_CALL) {
    const chunk = names.slice(i, i + TITLES_PER_CALL);
    const byTitle = new Map(chunk.map((name) => [fullTitle({ ns: NS_FILE, text: name }, site), name]));
    const result = await ctx.api.queryAll(
      {
        titles: [...byTitle.keys()],
        prop: options.history ? ['imageinfo', 'revisions'] : 'imageinfo',
        iiprop: ['timestamp', 'user', 'comment', 'url', 'size', 'sha1', 'mime'],
        iilimit: options.history ? 'max' : 1,
        ...(options.history ? { rvprop: 'content', rvslots: 'main' } : {}),
      },
      signal,
    );
    const normalized = new Map<string, string>();
    for (const entry of z.array(z.object({ from: z.string(), to: z.string() })).parse(result.normalized ?? [])) normalized.set(entry.to, entry.from);
    for (const row of z.array(fileRowSchema).parse(result.pages ?? [])) {
      const name = byTitle.get(normalized.get(row.title) ?? row.title);
      if (name !== undefined) out.set(name, row);
    }
  }
  return out;
}

function tooLarge(data: FileData, limit: number, cause?: unknown): ConnectorError {
  return new ConnectorError(
    `"File:${data.name}" is ${formatSize(data.size)}, over the target's upload limit of ${formatSize(limit)}`,
    { kind: 'too_large', hint: 'Raise $wgMaxUploadSize in the target\'s LocalSettings.php and upload_max_filesize / post_max_size in its php.ini.', cause },
  );
}

/** "Logo.png" -> "Logo (migrated).png" for the rename conflict policy. */
function renamed(name: string): string {
  const ext = extname(name);
  return `${name.slice(0, name.length - ext.length)} (migrated)${ext}`;
}

function safeExtension(name: string): string {
  const ext = extname(name).toLowerCase();
  return /^\.[a-z0-9]{1,10}$/.test(ext) ? ext : '';
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB (${bytes} bytes)`;
  return `${(bytes / 1024).toFixed(1)} KB (${bytes} bytes)`;
}
