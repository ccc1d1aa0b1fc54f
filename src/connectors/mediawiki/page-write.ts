import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import { z } from 'zod';
import type { WriteOutcome, WriteRequest, WriteResult } from '../../sdk/connector.js';
import { ConnectorError } from '../../sdk/errors.js';
import type { MwContext } from './context.js';
import { sanitizeXmlChars, sha1Base36, type XmlContributor, type XmlRevision } from './export-xml.js';
import { importJobs, type ImportJob } from './import-chunks.js';
import { isCarriedAuthor, pagesById, pagesByTitle, type PageData, type PageRevision, type PageRow } from './pages.js';
import { pageNamespaces, type SiteInfo } from './site-info.js';
import { fullTitle, isIpAddress } from './titles.js';

/**
 * Writes a batch of pages with ONE `action=import` (more only when the
 * target's upload limit forces it). Only revisions the target lacks are
 * sent, so writing twice imports nothing. MediaWiki adds one null revision
 * by the importing account to every page an import touches ("N revisions
 * imported"); it is not a source revision and is ignored when comparing.
 */

/** Title suffix for the "rename" conflict policy. */
export const RENAME_SUFFIX = ' (migrated)';

interface PagePlan {
  index: number;
  data: PageData;
  title: string;
  existed: boolean;
  job: ImportJob;
  /** SHA-1 (hex) the target's current text must have once done: the source's latest. */
  expectedSha1: string;
  latest: PageRevision;
  warnings: string[];
}

const HISTORY_CONCURRENCY = 3;

export async function writePages(ctx: MwContext, requests: WriteRequest[], signal: AbortSignal): Promise<WriteOutcome[]> {
  const site = await ctx.site(signal);
  const outcomes: Array<WriteOutcome | undefined> = requests.map(() => undefined);
  const titles = await targetTitles(ctx, requests, site, signal);
  const before = await pagesByTitle(ctx, [...new Set(titles.filter((t): t is string => typeof t === 'string'))], signal);
  const known = await knownRevisions(ctx, before, signal);
  const plans: PagePlan[] = [];
  for (const [index, request] of requests.entries()) {
    const title = titles[index];
    try {
      if (title instanceof Error) throw title;
      const row = before.get(title!);
      plans.push(planPage({ index, request, title: title!, row, known: row?.pageid ? known.get(row.pageid) : undefined }));
    } catch (error) {
      outcomes[index] = { ok: false, error };
    }
  }
  const namespaces = pageNamespaces(site).map((ns) => ({ id: ns.id, name: ns.name }));
  await importJobs(ctx, plans.map((p) => p.job), namespaces, signal);
  const after = await pagesByTitle(ctx, plans.map((p) => p.title), signal);
  for (const plan of plans) {
    try {
      if (plan.job.error !== undefined) throw plan.job.error;
      outcomes[plan.index] = { ok: true, result: await finish(ctx, plan, after.get(plan.title), signal) };
    } catch (error) {
      if (signal.aborted) throw error;
      outcomes[plan.index] = { ok: false, error };
    }
  }
  return outcomes.map((o) => o ?? { ok: false, error: new ConnectorError('no result for this page', { kind: 'bug' }) });
}

/** The title each item goes to on the target, or the error that prevents it. */
async function targetTitles(ctx: MwContext, requests: WriteRequest[], site: SiteInfo, signal: AbortSignal): Promise<Array<string | Error>> {
  const ids = requests.filter((r) => r.mode === 'update' && r.existing).map((r) => Number(r.existing!.targetId));
  const existing = await pagesById(ctx, ids, { rvprop: ['ids'] }, signal);
  return requests.map((request) => {
    const data = request.item.data as PageData;
    try {
      if (request.mode === 'update' && request.existing) {
        const row = existing.get(Number(request.existing.targetId));
        // The page may have been moved on the target: follow it by id.
        if (row && !row.missing) return row.title;
      }
      const text = request.mode === 'rename' ? `${data.text}${RENAME_SUFFIX}` : data.text;
      return fullTitle({ ns: data.ns, text }, site);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  });
}

/**
 * How many revisions of each "timestamp|sha1" the existing target pages hold: counted, because a
 * history can hold the same pair twice (a null revision saved in the same second as the edit before it).
 */
async function knownRevisions(ctx: MwContext, rows: Map<string, PageRow>, signal: AbortSignal): Promise<Map<number, Map<string, number>>> {
  const out = new Map<number, Map<string, number>>();
  const limit = pLimit(HISTORY_CONCURRENCY);
  const existing = [...rows.values()].filter((r) => r.pageid !== undefined && !r.missing);
  await Promise.all(
    existing.map((row) =>
      limit(async () => {
        const result = await ctx.api.queryAll(
          { pageids: row.pageid!, prop: 'revisions', rvprop: ['timestamp', 'sha1'], rvlimit: 'max' },
          signal,
        );
        const [page] = z
          .array(z.object({ revisions: z.array(z.object({ timestamp: z.string(), sha1: z.string().optional() })).default([]) }))
          .parse(result.pages ?? []);
        const counts = new Map<string, number>();
        for (const r of page?.revisions ?? []) counts.set(revisionKey(r.timestamp, r.sha1 ?? ''), (counts.get(revisionKey(r.timestamp, r.sha1 ?? '')) ?? 0) + 1);
        out.set(row.pageid!, counts);
      }),
    ),
  );
  return out;
}

interface PlanInput {
  index: number;
  request: WriteRequest;
  title: string;
  row: PageRow | undefined;
  known: Map<string, number> | undefined;
}

function planPage({ index, request, title, row, known }: PlanInput): PagePlan {
  const data = request.item.data as PageData;
  const latest = data.revisions.at(-1);
  if (!latest) {
    throw new ConnectorError(`Page "${data.title}" has no revision the source lets us read (deleted since it was listed?)`, { kind: 'not_found' });
  }
  const warnings: string[] = [];
  const revisions: XmlRevision[] = [];
  let expectedSha1 = latest.sha1;
  let cleaned = 0;
  let normalised = 0;
  const remaining = new Map(known ?? []);
  const sent = new Set<string>();
  for (const revision of data.revisions) {
    const { xml, targetSha1, changed } = toXmlRevision(revision, request);
    if (changed) cleaned++;
    else if (targetSha1 !== revision.sha1) normalised++;
    if (revision === latest) expectedSha1 = targetSha1;
    const key = revisionKey(revision.timestamp, targetSha1);
    const onTarget = remaining.get(key) ?? 0;
    if (onTarget > 0) {
      remaining.set(key, onTarget - 1);
      continue;
    }
    // MediaWiki skips an imported revision whose timestamp and SHA-1 a revision of the page already has
    // (or one earlier in the same upload): a null revision saved in the same second as the edit before it
    // would be lost. Without <sha1> it is stored; Ferry's own count above keeps the write idempotent.
    if (sent.has(key) || known?.has(key)) delete xml.sha1Base36;
    sent.add(key);
    revisions.push(xml);
  }
  if (cleaned > 0) warnings.push(`${cleaned} revision(s) of "${data.title}" held characters XML cannot carry; they were replaced by U+FFFD.`);
  if (normalised > 0) {
    warnings.push(
      `${normalised} revision(s) of "${data.title}" are stored on the source in a form its API does not return (the API normalises text to Unicode NFC); the target holds the normalised text.`,
    );
  }
  if (data.hiddenRevisions > 0) {
    warnings.push(`${data.hiddenRevisions} revision(s) of "${data.title}" are hidden on the source and were not carried.`);
  }
  const existed = row?.pageid !== undefined && !row.missing;
  const job: ImportJob = { title, ns: data.ns, revisions, imported: 0, parts: 0 };
  return { index, data, title, existed, job, expectedSha1, latest, warnings };
}

/**
 * The XML form of a revision and the SHA-1 its text will have on the target.
 * That SHA-1 is computed from the text we send, not taken from the source:
 * MediaWiki's API returns text normalised to NFC, so text stored in another
 * form (by a maintenance script, an old import) has another SHA-1 there.
 */
function toXmlRevision(revision: PageRevision, request: WriteRequest): { xml: XmlRevision; targetSha1: string; changed: boolean } {
  const { text, changed } = sanitizeXmlChars(revision.text);
  const targetSha1 = createHash('sha1').update(text).digest('hex');
  const xml: XmlRevision = {
    timestamp: revision.timestamp,
    contributor: contributorOf(revision, request),
    comment: revision.comment,
    minor: revision.minor,
    model: revision.model,
    format: revision.format,
    text,
    sha1Base36: sha1Base36(targetSha1),
  };
  return { xml, targetSha1, changed };
}

function contributorOf(revision: PageRevision, request: WriteRequest): XmlContributor {
  if (revision.userHidden || !revision.user) return { kind: 'hidden' };
  if (isIpAddress(revision.user)) return { kind: 'ip', ip: revision.user };
  // Names like "other>Bob" from an earlier import and MediaWiki's reserved system accounts
  // ("Maintenance script") are not carried users: they pass through as they are, and the
  // importer keeps them (it leaves names that cannot be registered alone).
  if (!isCarriedAuthor(revision)) return { kind: 'user', name: revision.user };
  return { kind: 'user', name: request.resolve({ type: 'user', sourceId: revision.user }) ?? revision.user };
}

/**
 * Checks the page after the import and repairs its current text when an
 * imported revision did not become the latest: MediaWiki only moves the
 * page to an imported revision that is newer than the page's latest, and
 * the null revision of an earlier upload (or an edit on the target) is newer.
 */
async function finish(ctx: MwContext, plan: PagePlan, row: PageRow | undefined, signal: AbortSignal): Promise<WriteResult> {
  if (!row || row.missing || row.pageid === undefined) {
    throw new ConnectorError(`"${plan.title}" is not on the target after the import`, { kind: 'transient' });
  }
  let version = row.lastrevid;
  let repaired = false;
  const current = row.revisions?.[0]?.sha1;
  if (current !== plan.expectedSha1) {
    version = await restoreLatest(ctx, plan, signal);
    repaired = true;
    plan.warnings.push(
      `"${plan.title}": the target's current text was not the source's latest revision after the import; Ferry saved it again as a new revision.`,
    );
  }
  if (plan.job.parts > 1) {
    plan.warnings.push(`"${plan.title}" was imported in ${plan.job.parts} uploads (target upload limit); each added a null revision.`);
  }
  const outcome = !plan.existed ? 'created' : plan.job.imported > 0 || repaired ? 'updated' : 'unchanged';
  ctx.connector.log('debug', `page "${plan.title}": ${outcome}, ${plan.job.imported} revision(s) imported`);
  return {
    targetId: String(row.pageid),
    outcome,
    ...(version !== undefined ? { version: String(version) } : {}),
    ...(plan.warnings.length > 0 ? { warnings: plan.warnings } : {}),
  };
}

async function restoreLatest(ctx: MwContext, plan: PagePlan, signal: AbortSignal): Promise<number | undefined> {
  const { text } = sanitizeXmlChars(plan.latest.text);
  const result = await ctx.api.post(
    {
      action: 'edit',
      title: plan.title,
      text,
      contentmodel: plan.latest.model,
      contentformat: plan.latest.format,
      summary: `Current text of the source page (revision of ${plan.latest.timestamp}), restored by ${ctx.connector.userAgent}`,
      bot: true,
      nocreate: true,
    },
    { signal, what: `restoring the latest text of "${plan.title}"` },
  );
  const edit = z.object({ result: z.string(), newrevid: z.number().optional() }).parse(result.edit);
  if (edit.result !== 'Success') throw new ConnectorError(`Saving the latest text of "${plan.title}" failed: ${edit.result}`, { kind: 'data' });
  if (edit.newrevid !== undefined) return edit.newrevid;
  const again = await pagesByTitle(ctx, [plan.title], signal);
  return again.get(plan.title)?.lastrevid;
}

function revisionKey(timestamp: string, sha1: string): string {
  return `${timestamp}|${sha1}`;
}
