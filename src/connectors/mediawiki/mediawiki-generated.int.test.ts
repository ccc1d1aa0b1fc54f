import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFilledWiki } from '../../generator/filled-wiki-cache.js';
import { DEFAULT_WIKI } from '../../generator/mediawiki-content.js';
import type { GeneratedWiki } from '../../generator/content-types.js';
import { ensureMediaWikiPackages, startWiki, type WikiInstance } from '../../harness/mediawiki.js';
import type { Session, WriteOutcome } from '../../sdk/connector.js';
import type { MwApi } from './api-client.js';
import { directApi, inspectedPairs, migrateType, newDriver, openSession, readAll, timeout } from './int-driver.js';
import type { MwContext } from './context.js';
import { loadPages } from './pages.js';
import { fetchSiteInfo } from './site-info.js';

/**
 * The connector over the generator's default wiki (hundreds of pages with
 * several revisions each, a page over 1 MB, users in groups, files with
 * older versions): everything arrives, page histories match revision by
 * revision, and a second pass writes nothing.
 */

const driver = newDriver();
let source: WikiInstance;
let target: WikiInstance;
let content: GeneratedWiki;
let from: Session;
let to: Session;
let sourceApi: MwApi;
let targetApi: MwApi;

interface RevisionSummary {
  timestamp: string;
  user: string;
  comment: string;
  sha1: string;
}

/** Every page's history without texts (SHA-1s stand for them), by natural key. */
async function histories(api: MwApi, session: Session): Promise<Map<string, RevisionSummary[]>> {
  const out = new Map<string, RevisionSummary[]>();
  for (const header of await readAll(session, 'page')) {
    const result = await api.queryAll(
      { pageids: Number(header.sourceId), prop: 'revisions', rvprop: ['timestamp', 'user', 'comment', 'sha1'], rvlimit: 'max', rvdir: 'newer' },
      timeout(),
    );
    const page = (result.pages as Array<{ revisions?: RevisionSummary[] }>)[0];
    out.set(header.key, page?.revisions ?? []);
  }
  return out;
}

function failures(results: Map<string, WriteOutcome>): string[] {
  return [...results].filter(([, o]) => !o.ok).map(([label, o]) => `${label}: ${String((o as { error: Error }).error.message)}`);
}

function outcomes(results: Map<string, WriteOutcome>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of results.values()) {
    const key = outcome.ok ? outcome.result.outcome : 'failed';
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

beforeAll(async () => {
  await ensureMediaWikiPackages();
  const [filled, empty] = await Promise.all([
    startFilledWiki({ name: 'Generated Source', baseDir: mkdtempSync(join(tmpdir(), 'ferry-gen-src-')), content: DEFAULT_WIKI }),
    startWiki({ name: 'Generated Target', baseDir: mkdtempSync(join(tmpdir(), 'ferry-gen-dst-')) }),
  ]);
  source = filled.wiki;
  content = filled.content;
  target = empty;
  driver.dirs.push(source.dir, target.dir);
  from = await openSession(driver, source);
  to = await openSession(driver, target);
  sourceApi = directApi(source);
  targetApi = directApi(target);
});

afterAll(async () => {
  await Promise.allSettled([from?.close(), to?.close()]);
  await Promise.allSettled([source?.stop(), target?.stop()]);
  for (const dir of driver.dirs) rmSync(dir, { recursive: true, force: true });
});

describe('MediaWiki connector over a generated wiki', () => {
  it('migrates users, pages and files; histories and files match the source', async () => {
    const started = Date.now();
    const users = await migrateType(from, to, 'user');
    expect(failures(users)).toEqual([]);
    const pagesStarted = Date.now();
    const pages = await migrateType(from, to, 'page');
    const pageSeconds = (Date.now() - pagesStarted) / 1000;
    expect(failures(pages)).toEqual([]);
    const files = await migrateType(from, to, 'file');
    expect(failures(files)).toEqual([]);
    const revisions = content.pages.reduce((n, p) => n + p.revisions.length, 0);
    console.log(
      `migrated ${users.size} users, ${pages.size} pages (${revisions}+ revisions, ${(pages.size / pageSeconds).toFixed(1)} pages/s), ${files.size} files in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(pages.size).toBeGreaterThanOrEqual(content.pages.length);
    expect(files.size).toBe(content.files.length);
    const withOldVersions = content.files.filter((f) => f.olderVersions.length > 0).length;
    const actions = [...files.values()].flatMap((o) => (o.ok ? (o.result.actions ?? []) : [])).filter((a) => a.code === 'file-old-versions');
    expect(actions).toHaveLength(withOldVersions);

    const sourceHistories = await histories(sourceApi, from);
    const targetHistories = await histories(targetApi, to);
    const same = (a: RevisionSummary, b: RevisionSummary) => a.timestamp === b.timestamp && a.sha1 === b.sha1;
    for (const [key, revs] of sourceHistories) {
      const all = targetHistories.get(key) ?? [];
      // Every source revision, in order, with its author and summary...
      expect({ key, revisions: all.filter((r) => revs.some((s) => same(r, s))) }).toEqual({ key, revisions: revs });
      // ...and nothing else but what the importing account added (import null revisions, upload notes)
      // or, on the Main Page, the target's own first revision.
      const extra = all.filter((r) => !revs.some((s) => same(r, s)));
      expect({ key, extra: extra.filter((r) => r.user !== target.adminUser && key !== '0:Main Page') }).toEqual({ key, extra: [] });
    }
    const sourceFiles = await from.lookup('file', content.files.map((f) => f.name), { signal: timeout() });
    const targetFiles = await to.lookup('file', content.files.map((f) => f.name), { signal: timeout() });
    for (const file of content.files) expect([file.name, targetFiles.get(file.name)?.version]).toEqual([file.name, sourceFiles.get(file.name)?.version]);

    // Verify's view agrees: every page and file inspects equal on both sides (late histories, system,
    // IPv6 and imported authors included); users differ only by the groups the bot password may not assign.
    const pairs = await inspectedPairs(from, to);
    expect(pairs.filter((p) => p.type === 'page').length).toBeGreaterThanOrEqual(content.pages.length);
    const differing = pairs.filter((p) => JSON.stringify(p.source) !== JSON.stringify(p.target) && p.label !== 'Main Page');
    const withGroups = new Set(content.users.filter((u) => u.groups.length > 0).map((u) => u.name));
    expect(differing.filter((p) => !(p.type === 'user' && withGroups.has(p.label)))).toEqual([]);
    for (const pair of differing) expect((pair.target as { groups: string[] }).groups).toEqual([]);
  }, 600_000);

  it('reads the same histories through Special:Export as through the API, page by page', async () => {
    const site = await fetchSiteInfo(sourceApi, timeout());
    const logs: string[] = [];
    const ctx: MwContext = {
      api: sourceApi,
      site: async () => site,
      connector: { log: (level, message) => logs.push(`${level}: ${message}`), userAgent: 'Ferry-test/0.1', tempDir: tmpdir() },
      limits: { importBudget: 1 },
    };
    const headers = await readAll(from, 'page');
    for (let i = 0; i < headers.length; i += 50) {
      const batch = headers.slice(i, i + 50);
      const viaExport = await loadPages(ctx, batch, timeout());
      expect(ctx.specialExportUnavailable).toBeUndefined();
      const viaApi = await loadPages({ ...ctx, specialExportUnavailable: true }, batch, timeout());
      for (const [index, item] of viaExport.entries()) expect(item).toEqual(viaApi[index]);
    }
    expect(logs.filter((l) => /Special:Export/.test(l))).toEqual([]);
  }, 300_000);

  it('writes nothing on a second pass', async () => {
    for (const type of ['user', 'page', 'file']) {
      const results = await migrateType(from, to, type);
      expect({ type, outcomes: outcomes(results) }).toEqual({ type, outcomes: { unchanged: results.size } });
    }
  }, 300_000);
});
