import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import { z } from 'zod';
import type { ItemHeader, ItemRef, ObjectTypeSpec, ReadPage, RemoveResult, SourceItem, TargetRef } from '../../sdk/connector.js';
import type { MwContext } from './context.js';
import { isApiCode } from './api-errors.js';
import type { ApiParams } from './api-client.js';
import { pageNamespaces, type SiteInfo } from './site-info.js';
import { isImportedUserName, isReservedUserName } from './reserved-names.js';
import { fullTitle, pageKey, parsePageKey, titleText } from './titles.js';
import { sha1HexFromBase36, type ExportedPage, type ExportedRevision } from './export-read.js';

/**
 * Pages of every namespace with their full revision history. Templates,
 * categories, redirects, Lua modules and file description pages are pages
 * too. Reading lists them cheaply; loading fetches every revision's text.
 */

export const pageType: ObjectTypeSpec = {
  name: 'page',
  label: 'Pages',
  naturalKey: 'namespace number and title',
  dependsOn: ['user'],
  references: { author: 'user' },
  neverCarried: ['page protection', 'deleted or hidden revisions', 'page logs and patrol marks'],
  deletable: true,
  batchSize: 20,
};

/** The payload of a loaded page. */
export interface PageData {
  ns: number;
  /** Title without its namespace prefix. */
  text: string;
  /** Full title on the source. */
  title: string;
  redirect: boolean;
  /** Oldest first. Empty when the page was deleted on the source after it was listed. */
  revisions: PageRevision[];
  /** Revisions left out because the source hides their text from this account. */
  hiddenRevisions: number;
}

export interface PageRevision {
  revid: number;
  /** ISO 8601, second precision. */
  timestamp: string;
  /** User name, or the IP address of an anonymous edit. */
  user: string;
  /** True for IP edits and for imported names like "other>Name" that are not local accounts. */
  anon: boolean;
  userHidden: boolean;
  /** undefined when hidden on the source. */
  comment: string | undefined;
  minor: boolean;
  /** Hex SHA-1 of the text, as MediaWiki reports it. */
  sha1: string;
  size: number;
  model: string;
  format: string;
  text: string;
}

const LIST_LIMIT = 500;
const IDS_PER_CALL = 50;
const HISTORY_CONCURRENCY = 3;
const FULL_RVPROP = ['ids', 'timestamp', 'user', 'userid', 'comment', 'content', 'sha1', 'flags', 'size'];

const revisionSchema = z.object({
  revid: z.number(),
  parentid: z.number().default(0),
  minor: z.boolean().default(false),
  user: z.string().optional(),
  userid: z.number().optional(),
  anon: z.boolean().optional(),
  userhidden: z.boolean().optional(),
  timestamp: z.string().optional(),
  size: z.number().default(0),
  sha1: z.string().optional(),
  comment: z.string().optional(),
  commenthidden: z.boolean().optional(),
  texthidden: z.boolean().optional(),
  slots: z
    .object({
      main: z.object({
        contentmodel: z.string().default('wikitext'),
        contentformat: z.string().default('text/x-wiki'),
        content: z.string().optional(),
        texthidden: z.boolean().optional(),
      }),
    })
    .optional(),
});
type ApiRevision = z.infer<typeof revisionSchema>;

export const pageRowSchema = z.object({
  pageid: z.number().optional(),
  // A page id that no longer exists comes back with neither.
  ns: z.number().default(0),
  title: z.string().default(''),
  missing: z.boolean().optional(),
  invalid: z.boolean().optional(),
  redirect: z.boolean().optional(),
  lastrevid: z.number().optional(),
  length: z.number().optional(),
  touched: z.string().optional(),
  revisions: z.array(revisionSchema).optional(),
});
export type PageRow = z.infer<typeof pageRowSchema>;

interface PageCursor {
  ns: number;
  cont?: Record<string, string>;
  /** 2: namespaces in import order (NAMESPACES_FIRST, then by number); absent in cursors written before, by number only. */
  order?: 2;
}

/**
 * Modules and templates are listed (and so imported) before the pages that use them. A template
 * imported after its users queues a recursive refreshLinks job over every page that transcludes it,
 * one per distinct author of its revisions (MediaWiki 1.39 does not deduplicate those jobs across
 * authors: RefreshLinksJob::getDeduplicationInfo unsets causeAgent at the wrong level); imported
 * first, it has no backlinks yet and queues none.
 */
const NAMESPACES_FIRST = [828, 10];

function namespaceRank(id: number): number {
  const first = NAMESPACES_FIRST.indexOf(id);
  return first >= 0 ? first - NAMESPACES_FIRST.length : id;
}

export async function* readPages(ctx: MwContext, options: { signal: AbortSignal; cursor?: string }): AsyncGenerator<ReadPage> {
  const site = await ctx.site(options.signal);
  const start = options.cursor ? (JSON.parse(options.cursor) as PageCursor) : undefined;
  const namespaces =
    start && start.order !== 2
      ? // A cursor of a run listed before the import order changed: keep its order to the end.
        pageNamespaces(site).filter((ns) => ns.id >= start.ns)
      : pageNamespaces(site)
          .sort((a, b) => namespaceRank(a.id) - namespaceRank(b.id))
          .filter((ns) => !start || namespaceRank(ns.id) >= namespaceRank(start.ns));
  const order = start && start.order !== 2 ? {} : { order: 2 as const };
  for (const [index, ns] of namespaces.entries()) {
    const params = {
      generator: 'allpages',
      gapnamespace: ns.id,
      gaplimit: LIST_LIMIT,
      prop: ['info', 'revisions'],
      rvprop: ['ids', 'timestamp', 'sha1', 'size'],
    };
    const resume = start && start.ns === ns.id ? start.cont : undefined;
    const following = namespaces[index + 1];
    for await (const batch of ctx.api.query(params, options.signal, resume)) {
      const rows = z.array(pageRowSchema).parse(batch.query.pages ?? []);
      const items = rows.filter((r) => r.pageid !== undefined).map((row) => pageHeader(row, site));
      items.sort((a, b) => a.label.localeCompare(b.label));
      const cursor: PageCursor | undefined = batch.next ? { ns: ns.id, cont: batch.next, ...order } : following ? { ns: following.id, ...order } : undefined;
      yield cursor ? { items, cursor: JSON.stringify(cursor) } : { items };
    }
  }
}

function pageHeader(row: PageRow, site: SiteInfo): ItemHeader {
  const latest = row.revisions?.[0];
  const text = titleText(row.title, row.ns, site);
  return {
    type: 'page',
    sourceId: String(row.pageid),
    key: pageKey({ ns: row.ns, text }),
    label: row.title,
    namespace: String(row.ns),
    ...(latest ? { modifiedAt: latest.timestamp } : row.touched ? { modifiedAt: row.touched } : {}),
    ...(row.length !== undefined ? { sizeBytes: row.length } : {}),
    // A new revision always gets a new id; the SHA-1 catches a history rewritten under the same id.
    hash: `${row.lastrevid ?? 0}:${latest?.sha1 ?? ''}`,
  };
}

export async function loadPages(ctx: MwContext, headers: ItemHeader[], signal: AbortSignal): Promise<SourceItem<PageData>[]> {
  const site = await ctx.site(signal);
  // Most histories come in one Special:Export request for the whole batch; whatever it leaves out or
  // may have cut (see exportedHistories) is read through the API, one page per query (the API gives a
  // page's revisions with their text for one page at a time).
  const exported = await exportedHistories(ctx, headers, site, signal);
  const ids = headers.map((h) => Number(h.sourceId)).filter((id) => !exported.has(id));
  const rows = new Map<number, PageRow>();
  // No shortcut through the latest revision's parent id: history imported after the latest
  // revision was written (or merged in) leaves the latest with parent 0 while older revisions exist.
  const limit = pLimit(HISTORY_CONCURRENCY);
  await Promise.all(
    ids.map((id) =>
      limit(async () => {
        const row = await pageHistory(ctx, id, signal);
        if (!row.missing && row.pageid !== undefined) rows.set(id, row);
      }),
    ),
  );
  return headers.map((header) => {
    const fromExport = exported.get(Number(header.sourceId));
    if (fromExport) return { ...header, hash: fromExport.hash, refs: authorRefs(fromExport.data), data: fromExport.data };
    const row = rows.get(Number(header.sourceId));
    const data = row ? toPageData(row, site) : missingPage(header);
    // The hash follows what was loaded, even if the page got a revision since it was listed.
    const hash = row ? `${row.lastrevid ?? 0}:${row.revisions?.find((r) => r.revid === row.lastrevid)?.sha1 ?? ''}` : header.hash;
    return { ...header, hash, refs: authorRefs(data), data };
  });
}

/**
 * The batch's histories through Special:Export, by page id: only pages whose export is surely whole.
 * A page is left to the API when it is absent (renamed or deleted since listed, not readable), when it
 * lacks the revision listed as its latest, or when its oldest revision has a parent
 * ($wgExportAllowHistory off gives the current revision only; history merged in, or the oldest
 * revisions deleted: rare, and the API read is then the sure one).
 */
async function exportedHistories(ctx: MwContext, headers: ItemHeader[], site: SiteInfo, signal: AbortSignal): Promise<Map<number, { data: PageData; hash: string }>> {
  const out = new Map<number, { data: PageData; hash: string }>();
  if (ctx.specialExportUnavailable || headers.length === 0) return out;
  let pages: ExportedPage[] | undefined = [];
  try {
    // The titles ride in the URL: a few requests when they are long.
    for (const titles of titleGroups(headers.map((h) => h.label))) {
      const part = await ctx.api.exportHistories(titles, signal);
      if (!part) {
        pages = undefined;
        break;
      }
      pages.push(...part);
    }
  } catch (error) {
    if (signal.aborted) throw error;
    ctx.connector.log('info', `Special:Export failed (${error instanceof Error ? error.message : String(error)}); reading page histories through the API`);
    pages = undefined;
  }
  if (!pages) {
    if (!ctx.specialExportUnavailable) ctx.connector.log('info', 'Special:Export gives no export XML on the source; page histories are read through the API, one page per request');
    ctx.specialExportUnavailable = true;
    return out;
  }
  const wanted = new Map(headers.map((h) => [Number(h.sourceId), h]));
  for (const page of pages) {
    const header = wanted.get(page.id);
    if (!header || page.revisions.length === 0) continue;
    const unique = new Map(page.revisions.map((r) => [r.revid, r]));
    if (unique.size < page.revisions.length) page.revisions = [...unique.values()];
    const listedLatest = Number(header.hash?.split(':')[0] ?? 0);
    // The revision listed as the latest must be there (a cut or filtered export would lack it).
    if (!unique.has(listedLatest)) continue;
    // The export does not say which revision is the page's latest: the newest in time (an import never
    // makes an older revision the latest; a history imported late has higher ids but older times).
    let latest = page.revisions[0]!;
    let oldest = page.revisions[0]!;
    for (const r of page.revisions) {
      if (r.timestamp > latest.timestamp || (r.timestamp === latest.timestamp && r.revid > latest.revid)) latest = r;
      if (r.timestamp < oldest.timestamp || (r.timestamp === oldest.timestamp && r.revid < oldest.revid)) oldest = r;
    }
    if (oldest.parentid !== 0) continue;
    const data = exportedPageData(page, site);
    // Listed and loaded alike unless the page changed in between.
    const hash = latest.revid === listedLatest && header.hash ? header.hash : `${latest.revid}:${sha1HexFromBase36(latest.sha1Base36) ?? ''}`;
    out.set(page.id, { data, hash });
  }
  return out;
}

/**
 * The export gives texts as stored; the API gives them in Unicode NFC. Loaded pages are the API's form
 * whichever way they were read, so what Ferry writes and compares does not depend on the path.
 */
function nfc(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(text) ? text : text.normalize('NFC');
}

const EXPORT_URL_TITLE_CHARS = 4000;

function titleGroups(titles: string[]): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const title of titles) {
    const chars = encodeURIComponent(title).length + 3;
    if (current.length > 0 && length + chars > EXPORT_URL_TITLE_CHARS) {
      groups.push(current);
      current = [];
      length = 0;
    }
    current.push(title);
    length += chars;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

function exportedPageData(page: ExportedPage, site: SiteInfo): PageData {
  const visible: PageRevision[] = [];
  let hidden = 0;
  for (const revision of page.revisions) {
    const converted = exportedRevision(revision);
    if (converted) visible.push(converted);
    else hidden++;
  }
  visible.sort((a, b) => (a.timestamp === b.timestamp ? a.revid - b.revid : a.timestamp < b.timestamp ? -1 : 1));
  const title = nfc(page.title);
  return { ns: page.ns, text: titleText(title, page.ns, site), title, redirect: page.redirect, revisions: visible, hiddenRevisions: hidden };
}

function exportedRevision(revision: ExportedRevision): PageRevision | undefined {
  if (revision.text === undefined || !revision.timestamp) return undefined;
  return {
    revid: revision.revid,
    timestamp: revision.timestamp,
    user: nfc(revision.user),
    anon: revision.ip || revision.userid === 0,
    userHidden: revision.userHidden,
    comment: revision.comment === undefined ? undefined : nfc(revision.comment),
    minor: revision.minor,
    sha1: sha1HexFromBase36(revision.sha1Base36) ?? createHash('sha1').update(revision.text).digest('hex'),
    size: revision.size || Buffer.byteLength(revision.text),
    model: revision.model,
    format: revision.format,
    text: revision.text,
  };
}

export async function pagesById(ctx: MwContext, ids: number[], extra: ApiParams, signal: AbortSignal): Promise<Map<number, PageRow>> {
  const out = new Map<number, PageRow>();
  if (ids.length === 0) return out;
  const result = await ctx.api.queryAll({ pageids: ids, prop: ['info', 'revisions'], ...extra }, signal);
  for (const row of z.array(pageRowSchema).parse(result.pages ?? [])) if (row.pageid !== undefined) out.set(row.pageid, row);
  return out;
}

/** Every revision of one page, oldest first, following continuation (big texts come a few at a time). */
async function pageHistory(ctx: MwContext, pageId: number, signal: AbortSignal): Promise<PageRow> {
  const result = await ctx.api.queryAll(
    { pageids: pageId, prop: ['info', 'revisions'], rvprop: FULL_RVPROP, rvslots: 'main', rvlimit: 'max', rvdir: 'newer' },
    signal,
  );
  const [row] = z.array(pageRowSchema).parse(result.pages ?? []);
  return row ?? { ns: 0, title: '', missing: true };
}

function toPageData(row: PageRow, site: SiteInfo): PageData {
  const visible: PageRevision[] = [];
  let hidden = 0;
  for (const revision of row.revisions ?? []) {
    const converted = toRevision(revision);
    if (converted) visible.push(converted);
    else hidden++;
  }
  visible.sort((a, b) => (a.timestamp === b.timestamp ? a.revid - b.revid : a.timestamp < b.timestamp ? -1 : 1));
  return { ns: row.ns, text: titleText(row.title, row.ns, site), title: row.title, redirect: row.redirect ?? false, revisions: visible, hiddenRevisions: hidden };
}

function toRevision(revision: ApiRevision): PageRevision | undefined {
  const main = revision.slots?.main;
  if (!main || main.content === undefined || main.texthidden || revision.texthidden || revision.sha1 === undefined || !revision.timestamp) return undefined;
  return {
    revid: revision.revid,
    timestamp: revision.timestamp,
    user: revision.user ?? '',
    anon: revision.anon === true || !revision.userid,
    userHidden: revision.userhidden === true,
    comment: revision.commenthidden ? undefined : (revision.comment ?? ''),
    minor: revision.minor,
    sha1: revision.sha1,
    size: revision.size,
    model: main.contentmodel,
    format: main.contentformat,
    text: main.content,
  };
}

function missingPage(header: ItemHeader): PageData {
  const { ns, text } = parsePageKey(header.key);
  return { ns, text, title: header.label, redirect: false, revisions: [], hiddenRevisions: 0 };
}

/**
 * A registered account that the user step carries: not an IP, not an imported
 * "prefix>Name", not one of MediaWiki's reserved system accounts (those keep
 * their names on the target, as MediaWiki's own import does).
 */
export function isCarriedAuthor(revision: Pick<PageRevision, 'anon' | 'userHidden' | 'user'>): boolean {
  return !revision.anon && !revision.userHidden && revision.user !== '' && !isReservedUserName(revision.user) && !isImportedUserName(revision.user);
}

/** One reference per distinct registered author: the engine maps each to a target user. */
export function authorRefs(data: PageData): ItemRef[] {
  const names = new Set(data.revisions.filter((r) => isCarriedAuthor(r)).map((r) => r.user));
  return [...names].map((name) => ({ type: 'user', sourceId: name }));
}

export async function lookupPages(ctx: MwContext, keys: string[], signal: AbortSignal): Promise<Map<string, TargetRef>> {
  const site = await ctx.site(signal);
  const byTitle = new Map<string, string>();
  for (const key of keys) {
    const name = parsePageKey(key);
    if (site.namespaces.has(name.ns)) byTitle.set(fullTitle(name, site), key);
  }
  const rows = await pagesByTitle(ctx, [...byTitle.keys()], signal);
  const found = new Map<string, TargetRef>();
  for (const [title, key] of byTitle) {
    const row = rows.get(title);
    if (row?.pageid !== undefined && !row.missing) found.set(key, { targetId: String(row.pageid), version: String(row.lastrevid ?? '') });
  }
  return found;
}

/** Pages by the titles asked for (whatever MediaWiki normalised them to), with their latest revision's ids and SHA-1. */
export async function pagesByTitle(ctx: MwContext, titles: string[], signal: AbortSignal): Promise<Map<string, PageRow>> {
  const out = new Map<string, PageRow>();
  for (let i = 0; i < titles.length; i += IDS_PER_CALL) {
    const chunk = titles.slice(i, i + IDS_PER_CALL);
    const result = await ctx.api.queryAll({ titles: chunk, prop: ['info', 'revisions'], rvprop: ['ids', 'sha1', 'timestamp'] }, signal);
    const normalized = new Map<string, string>();
    for (const entry of z.array(z.object({ from: z.string(), to: z.string() })).parse(result.normalized ?? [])) normalized.set(entry.to, entry.from);
    for (const row of z.array(pageRowSchema).parse(result.pages ?? [])) out.set(normalized.get(row.title) ?? row.title, row);
  }
  return out;
}

export async function removePage(ctx: MwContext, target: TargetRef, signal: AbortSignal): Promise<RemoveResult> {
  const rows = await pagesById(ctx, [Number(target.targetId)], { rvprop: ['ids'] }, signal);
  const row = rows.get(Number(target.targetId));
  if (!row || row.missing) return 'gone';
  if (target.version && String(row.lastrevid) !== target.version) return 'changed';
  return deletePage(ctx, { pageid: row.pageid }, signal);
}

/** Deletes a page by id or title; a page that is already gone counts as removed. */
export async function deletePage(ctx: MwContext, page: { pageid?: number; title?: string }, signal: AbortSignal): Promise<RemoveResult> {
  try {
    await ctx.api.post(
      { action: 'delete', ...page, reason: `Removed by ${ctx.connector.userAgent} (undo or reset of a migration)` },
      { signal, what: `deleting ${page.title ?? `page ${page.pageid}`}` },
    );
    return 'removed';
  } catch (error) {
    if (isApiCode(error, 'missingtitle', 'nosuchpageid')) return 'gone';
    throw error;
  }
}
