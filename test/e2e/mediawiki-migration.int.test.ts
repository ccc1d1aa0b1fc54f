import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../src/core/ports.js';
import type { PostAction } from '../../src/sdk/connector.js';
import type { WikiInstance } from '../../src/harness/mediawiki.js';
import type { GeneratedWiki } from '../../src/generator/mediawiki-content.js';
import { ferry, json } from './cli.js';
import { revisionTexts, snapshotWiki, type WikiSnapshot } from './wiki-snapshot.js';
import { addConnection, filledSource, scratch, target, writePlan } from './wikis.js';
import { IMPORTED_PREFIX, IPV6_EDITOR, SYSTEM_AUTHORS } from '../../src/generator/vocabulary.js';

type RunJson = RunRecord & { actions: PostAction[] };
const TOOLS = ['Admin', 'Maintenance script', 'MediaWiki default'];

/** Every source page that the target did not hold before equals the target's, revision by revision. */
function expectSameContent(source: WikiSnapshot, after: WikiSnapshot, before: WikiSnapshot): void {
  let compared = 0;
  for (const [key, revisions] of source.pages) {
    if (before.pages.has(key)) continue;
    expect(after.pages.get(key), key).toEqual(revisions);
    compared++;
  }
  expect(compared).toBeGreaterThanOrEqual(300);
  expect(after.files).toEqual(source.files);
}

/**
 * The generated wiki's real-dump shapes arrived: histories imported after their latest revision
 * (every revision, each with its author), system accounts, IPv6 and imported authors under their own
 * names (never the placeholder), and JSON/CSS/JS pages with their content model.
 */
function expectRealWorldShapes(source: WikiSnapshot, after: WikiSnapshot): void {
  const authors = new Set([...after.pages.values()].flatMap((revisions) => revisions.map((r) => r.user)));
  for (const name of [...SYSTEM_AUTHORS, IPV6_EDITOR]) expect(authors, name).toContain(name);
  expect([...authors].some((a) => a.startsWith(`${IMPORTED_PREFIX}>`))).toBe(true);
  expect(authors).not.toContain('Ferry placeholder');
  const late = [...source.pages.entries()].filter(([, revisions]) => revisions[0]!.timestamp < '2010');
  expect(late.length).toBeGreaterThanOrEqual(5);
  for (const [key, revisions] of late) expect(after.pages.get(key), key).toEqual(revisions);
  expect(after.pages.get('8:Common.css')?.length).toBeGreaterThanOrEqual(2);
  // Null revisions in the same second as the edit before them (protections): MediaWiki's importer would
  // take them for duplicates; every one arrived.
  const sameSecond = [...source.pages.entries()].filter(([, revisions]) => revisions.some((r, i) => i > 0 && r.timestamp === revisions[i - 1]!.timestamp && r.sha1 === revisions[i - 1]!.sha1));
  expect(sameSecond.length).toBeGreaterThanOrEqual(3);
  for (const [key, revisions] of sameSecond) expect(after.pages.get(key), key).toEqual(revisions);
}

describe('MediaWiki -> MediaWiki between two real wikis', () => {
  let root: string;
  let dataDir: string;
  let source: WikiInstance;
  let tgt: WikiInstance;
  let content: GeneratedWiki;
  let plan: string;
  let before: WikiSnapshot;
  /** The source as generated: no test edits it before the delta test, and a run only reads it. */
  let sourceSnap: WikiSnapshot;

  beforeAll(async () => {
    root = scratch('e2e-main');
    dataDir = join(root, 'data');
    ({ source, content } = await filledSource(root));
    tgt = await target(root, 'E2E Target');
    await addConnection(dataDir, 'src', source);
    await addConnection(dataDir, 'tgt', tgt);
    plan = writePlan(root, 'main', 'name: e2e-main\nsource: src\ntarget: tgt\n');
    [before, sourceSnap] = await Promise.all([snapshotWiki(tgt.apiUrl, { tools: TOOLS }), snapshotWiki(source.apiUrl, { tools: TOOLS })]);
  }, 600_000);

  afterAll(async () => {
    await source?.stop();
    await tgt?.stop();
    if (!process.env.FERRY_KEEP_TEST_DIRS) rmSync(root, { recursive: true, force: true });
  });

  it('generated the acceptance volume on the source', async () => {
    const snapshot = sourceSnap;
    const revisions = [...snapshot.pages.values()].reduce((n, r) => n + r.length, 0);
    expect(snapshot.pages.size).toBeGreaterThanOrEqual(300);
    expect(revisions).toBeGreaterThanOrEqual(1500);
    expect(snapshot.files.size).toBeGreaterThanOrEqual(20);
    expect(content.files.some((f) => f.mime === 'application/pdf')).toBe(true);
    expect(content.users.length).toBeGreaterThanOrEqual(15);
    // History imported after the latest revision: the latest keeps parent id 0 while older ones exist.
    const late = content.pages.find((p) => (p.lateRevisions ?? 0) > 0)!;
    const url = `${source.apiUrl}?action=query&prop=revisions|info&titles=${encodeURIComponent(late.title)}&rvprop=ids&format=json&formatversion=2`;
    const page = ((await (await fetch(url)).json()) as { query: { pages: Array<{ revisions: Array<{ parentid: number }> }> } }).query.pages[0]!;
    expect(page.revisions[0]!.parentid).toBe(0);
    expect(snapshot.pages.get(`${late.namespace}:${late.title.replace(/^Talk:/, '')}`)?.length).toBe(late.revisions.length);
    // Content models other than wikitext.
    const models = await fetch(`${source.apiUrl}?action=query&prop=info&titles=MediaWiki:Common.css|MediaWiki:Common.js|MediaWiki:Ferry-settings.json&format=json&formatversion=2`);
    const modelOf = ((await models.json()) as { query: { pages: Array<{ contentmodel: string }> } }).query.pages.map((p) => p.contentmodel).sort();
    expect(modelOf).toEqual(['css', 'javascript', 'json']);
  });

  it('migrates every page with its history, every file and every user, and says what a person must still do', async () => {
    const first = json<RunJson>(await ferry(dataDir, ['run', plan, '--json']));
    expect(first.status).toBe('FINISHED');
    expect(first.summary?.totals.failed).toBe(0);

    const targetSnap = await snapshotWiki(tgt.apiUrl, { tools: TOOLS });
    expectSameContent(sourceSnap, targetSnap, before);
    // Both sides log in with a bot password, as the README's quick start says: no grant carries
    // "userrights", so every membership is a post-migration action naming the user and the groups.
    const notAssigned = first.actions.filter((a) => a.code === 'user-group-not-assigned');
    for (const [name, groups] of sourceSnap.users) {
      if (TOOLS.includes(name)) continue;
      expect(targetSnap.users.has(name), name).toBe(true);
      const missing = groups.filter((g) => !targetSnap.users.get(name)!.includes(g));
      if (missing.length === 0) continue;
      const action = notAssigned.find((a) => a.label === name);
      expect(action?.message, name).toContain(`User "${name}" belongs to`);
      for (const group of missing) expect(action!.message, `${name} ${group}`).toContain(`"${group}"`);
    }
    expect(content.users.some((u) => u.groups.includes('sysop')) && content.users.some((u) => u.groups.includes('bureaucrat'))).toBe(true);
    expect(notAssigned.length).toBeGreaterThanOrEqual(4);
    // MediaWiki's system accounts are never created (the run would be INCOMPLETE) ...
    for (const system of ['Maintenance script', 'Conversion script']) expect(targetSnap.users.has(system)).toBe(false);
    expectRealWorldShapes(sourceSnap, targetSnap);
    const models = await fetch(`${tgt.apiUrl}?action=query&prop=info&titles=MediaWiki:Common.css|MediaWiki:Common.js|MediaWiki:Ferry-settings.json&format=json&formatversion=2`);
    expect(((await models.json()) as { query: { pages: Array<{ contentmodel: string }> } }).query.pages.map((p) => p.contentmodel).sort()).toEqual(['css', 'javascript', 'json']);
    // The page over 1 MB and the right-to-left titles, text for text.
    const big = content.pages.reduce((a, b) => (b.revisions.at(-1)!.text.length > a.revisions.at(-1)!.text.length ? b : a));
    expect(Buffer.byteLength(big.revisions.at(-1)!.text)).toBeGreaterThan(1_000_000);
    // A history too big for one import upload goes in parts, each with its own null revision: compare without repeats.
    const distinct = (texts: string[]) => texts.filter((t, i, all) => i === 0 || t !== all[i - 1]);
    const bigOnTarget = await revisionTexts(tgt.apiUrl, big.title);
    expect(distinct(bigOnTarget)).toEqual(distinct(await revisionTexts(source.apiUrl, big.title)));
    expect(bigOnTarget.at(-1)).toBe(big.revisions.at(-1)!.text);
    const rtl = content.pages.find((p) => /[\u0590-\u06FF]/.test(p.title));
    expect(rtl).toBeDefined();
    expect(distinct(await revisionTexts(tgt.apiUrl, rtl!.title))).toEqual(distinct(await revisionTexts(source.apiUrl, rtl!.title)));
    expect(first.actions.some((a) => a.code === 'user-password')).toBe(true);
  });

  it('re-runs with nothing to do, then carries exactly the three pages edited on the source', async () => {
    const again = json<RunJson>(await ferry(dataDir, ['run', 'e2e-main', '--json']));
    expect(again.status).toBe('FINISHED');
    expect(again.summary?.totals).toMatchObject({ created: 0, updated: 0, failed: 0 });

    const edited = content.pages.filter((p) => p.namespace === 0 && !p.revisions.at(-1)!.text.startsWith('#REDIRECT')).slice(3, 6);
    const author = content.users[1]!.name;
    for (const page of edited) await source.php('edit.php', ['--user', author, '--summary', 'edited for the delta test', page.title], { input: `Edited after the first migration: ${page.title}` });
    const delta = json<RunJson>(await ferry(dataDir, ['run', 'e2e-main', '--json']));
    expect(delta.status).toBe('FINISHED');
    expect(delta.summary?.totals).toMatchObject({ created: 0, updated: 3 });
    expect(delta.summary?.types.page).toMatchObject({ created: 0, updated: 3 });
    const updated = json<Array<{ label: string }>>(await ferry(dataDir, ['items', String(delta.id), '--json', '--limit', '10000'])).filter((i) => (i as { outcome?: string }).outcome === 'updated');
    expect(updated.map((i) => i.label).sort()).toEqual(edited.map((p) => p.title).sort());
    for (const page of edited) expect((await revisionTexts(tgt.apiUrl, page.title)).at(-1)).toBe(`Edited after the first migration: ${page.title}`);
  });

  it('writes the readable log file and exports events as CSV, newest first', async () => {
    const path = (await ferry(dataDir, ['logs', 'e2e-main', '--file'])).stdout.trim();
    expect(path).toMatch(/Ferry_\d{8}_\d{6}(_\d+)?\.txt$/);
    const { readFileSync } = await import('node:fs');
    const log = readFileSync(path, 'utf8');
    expect(log).toContain('Ferry 0.1.0');
    expect(log).toContain('Source: src');
    const csv = (await ferry(dataDir, ['logs', 'e2e-main', '--csv', '--limit', '50'])).stdout.trim().split('\n');
    expect(csv[0]).toBe('time,level,run,step,item,message');
    expect(csv.length).toBeLessThanOrEqual(51);
    const times = csv.slice(1).map((l) => l.split(',')[0]!);
    expect([...times].sort().reverse()).toEqual(times);
    const { execFileSync } = await import('node:child_process');
    const grep = (secret: string) => execFileSync('grep', ['-rl', '--', secret, dataDir], { encoding: 'utf8' }).trim();
    for (const secret of [source.botPassword, tgt.botPassword]) expect(() => grep(secret)).toThrow();
  });
});
