import pLimit from 'p-limit';
import { z } from 'zod';
import { refToken, type InspectedItem } from '../../sdk/connector.js';
import type { MwContext } from './context.js';
import { accountInfo } from './inventory.js';
import { isCarriedAuthor } from './pages.js';
import { titleText } from './titles.js';

/**
 * Pages as verify sees them: namespace, title without its prefix, content
 * model, and every revision oldest first (SHA-1, size, author, time,
 * comment, minor). Left out: what the target's import adds by itself — the
 * null revision per import (and per upload onto an existing description
 * page) by the importing account, and Ferry's own "restored" save of the
 * latest text, which repeats a text the history already holds.
 */

const CONCURRENCY = 3;

const revisionSchema = z.object({
  revid: z.number(),
  parentid: z.number().default(0),
  minor: z.boolean().default(false),
  user: z.string().optional(),
  userid: z.number().optional(),
  anon: z.boolean().optional(),
  userhidden: z.boolean().optional(),
  timestamp: z.string(),
  size: z.number().default(0),
  sha1: z.string().optional(),
  sha1hidden: z.boolean().optional(),
  comment: z.string().optional(),
  commenthidden: z.boolean().optional(),
  slots: z.object({ main: z.object({ contentmodel: z.string().default('wikitext') }) }).optional(),
});
type InspectRevision = z.infer<typeof revisionSchema>;

const pageSchema = z.object({
  pageid: z.number().optional(),
  ns: z.number().default(0),
  title: z.string().default(''),
  missing: z.boolean().optional(),
  revisions: z.array(revisionSchema).default([]),
});
export type InspectPage = z.infer<typeof pageSchema>;

const REVISION_PROPS = ['ids', 'timestamp', 'user', 'userid', 'comment', 'flags', 'sha1', 'size', 'contentmodel'];

export async function inspectPages(ctx: MwContext, ids: string[], signal: AbortSignal): Promise<Map<string, InspectedItem>> {
  const site = await ctx.site(signal);
  const account = (await accountInfo(ctx, signal)).name;
  const out = new Map<string, InspectedItem>();
  const inspect = (id: string, page: InspectPage | undefined): void => {
    if (!page || page.missing || page.pageid === undefined) return;
    const revisions = withoutImporterRevisions(page.revisions, account);
    out.set(id, {
      id,
      fields: {
        ns: page.ns,
        title: titleText(page.title, page.ns, site),
        model: page.revisions.at(-1)?.slots?.main.contentmodel ?? 'wikitext',
        revisions: revisions.map((r) => ({
          sha1: r.sha1hidden ? null : (r.sha1 ?? null),
          size: r.size,
          author: authorOf(r),
          timestamp: r.timestamp,
          comment: r.commenthidden ? null : (r.comment ?? ''),
          minor: r.minor,
        })),
      },
    });
  };
  const wanted = ids.filter((id) => /^\d+$/.test(id));
  const state = await wholeWikiIsCheaper(ctx, wanted.length, signal);
  if (state !== undefined) {
    if (state !== 'uncached') {
      // Verify asks 50 pages at a time: the list is read once while the wiki's edit count and newest log entry stay the same.
      const cached = ctx.revisionList?.state === state ? ctx.revisionList : (ctx.revisionList = { state, pages: allRevisions(ctx, undefined, signal) });
      let pages: Map<number, InspectPage>;
      try {
        pages = await cached.pages;
      } catch (error) {
        if (ctx.revisionList === cached) ctx.revisionList = undefined;
        throw error;
      }
      for (const id of wanted) inspect(id, pages.get(Number(id)));
      return out;
    }
    for (const [id, page] of await allRevisions(ctx, new Set(wanted.map(Number)), signal)) inspect(String(id), page);
    return out;
  }
  const limit = pLimit(CONCURRENCY);
  await Promise.all(
    wanted.map((id) =>
      limit(async () => {
        const result = await ctx.api.queryAll(
          { pageids: Number(id), prop: 'revisions', rvprop: REVISION_PROPS, rvslots: 'main', rvlimit: 'max', rvdir: 'newer' },
          signal,
        );
        const [page] = z.array(pageSchema).parse(result.pages ?? []);
        inspect(id, page);
      }),
    ),
  );
  return out;
}

/**
 * One request per page (MediaWiki gives a whole history for one page at a
 * time) or the wiki's whole revision list (list=allrevisions, 500 a request,
 * oldest first, the same order per page as rvdir=newer): the list when it
 * takes fewer than half as many requests, judged from the wiki's edit count.
 */
async function wholeWikiIsCheaper(ctx: MwContext, pages: number, signal: AbortSignal): Promise<string | undefined> {
  if (pages < 20) return undefined;
  // The newest log entry comes along: deletions and hidden revisions change no edit count but are logged.
  const result = await ctx.api.get(
    { action: 'query', meta: 'siteinfo', siprop: 'statistics', list: 'logevents', lelimit: 1, leprop: 'ids' },
    signal,
    "reading the wiki's statistics",
  );
  const parsed = z
    .object({ statistics: z.object({ edits: z.number() }), logevents: z.array(z.object({ logid: z.number().optional() })).default([]) })
    .safeParse(result.query);
  if (!parsed.success) return undefined;
  const edits = parsed.data.statistics.edits;
  if (Math.ceil(Math.max(edits, 1) / 500) * 2 >= pages) return undefined;
  return edits <= CACHED_LIST_MAX_EDITS ? `${edits}:${parsed.data.logevents[0]?.logid ?? 0}` : 'uncached';
}

/** Up to this many edits the whole revision list (no texts: some 10 MB at most) is kept for the session. */
const CACHED_LIST_MAX_EDITS = 50_000;

/** Every wanted page (all without `wanted`) with all its revisions, oldest first, from list=allrevisions. */
async function allRevisions(ctx: MwContext, wanted: Set<number> | undefined, signal: AbortSignal): Promise<Map<number, InspectPage>> {
  const pages = new Map<number, InspectPage>();
  const params = { list: 'allrevisions', arvprop: REVISION_PROPS, arvslots: 'main', arvlimit: 'max', arvdir: 'newer' };
  for await (const batch of ctx.api.query(params, signal)) {
    for (const page of z.array(pageSchema).parse(batch.query.allrevisions ?? [])) {
      if (page.pageid === undefined || (wanted && !wanted.has(page.pageid))) continue;
      const seen = pages.get(page.pageid);
      if (seen) seen.revisions.push(...page.revisions);
      else pages.set(page.pageid, page);
    }
  }
  return pages;
}

/**
 * Drops the revisions an import adds on its own: by the importing account,
 * repeating a text the page already had (its parent's, for a null revision;
 * an earlier one, for Ferry's save of the latest text after a split import).
 */
export function withoutImporterRevisions<R extends Pick<InspectRevision, 'revid' | 'parentid' | 'user' | 'sha1' | 'comment'>>(revisions: R[], account: string): R[] {
  const byId = new Map(revisions.map((r) => [r.revid, r]));
  const kept: R[] = [];
  const seen = new Set<string>();
  for (const revision of revisions) {
    const byImporter = revision.user === account && revision.sha1 !== undefined;
    const nullRevision = byImporter && byId.get(revision.parentid)?.sha1 === revision.sha1;
    const restored = byImporter && /restored by /.test(revision.comment ?? '') && seen.has(revision.sha1!);
    if (revision.sha1 !== undefined) seen.add(revision.sha1);
    if (!nullRevision && !restored) kept.push(revision);
  }
  return kept;
}

/** Carried users as tokens (the engine maps them); IPs, imported names and system accounts as they are. */
function authorOf(revision: InspectRevision): string | null {
  if (revision.userhidden || revision.user === undefined) return null;
  const anon = revision.anon === true || !revision.userid;
  return isCarriedAuthor({ anon, userHidden: false, user: revision.user }) ? refToken('user', revision.user) : revision.user;
}
