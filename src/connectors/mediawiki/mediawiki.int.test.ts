import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMediaWikiPackages, startWiki, type WikiInstance } from '../../harness/mediawiki.js';
import type { Session } from '../../sdk/connector.js';
import { ConnectorError } from '../../sdk/errors.js';
import type { MwApi } from './api-client.js';
import { INITIAL_IMPORT_BUDGET, type MwContext } from './context.js';
import { sha1Base36 } from './export-xml.js';
import { importJobs } from './import-chunks.js';
import { fetchSiteInfo } from './site-info.js';
import { directApi, history, inspectedPairs, isFerryRevision, migrateType, newDriver, ok, openSession, readAll, timeout, type Rev } from './int-driver.js';
import { FIXTURE, FIXTURE_USERS, LATE_REVISIONS, ODD_TEXT, SOURCE_ONLY_GROUP, bigText, fillSource, png } from './int-fixture.js';
import type { PageData } from './pages.js';
import { refToken } from '../../sdk/connector.js';
import { writeFileSync } from 'node:fs';


/**
 * Drives the connector's verbs directly against two real MediaWiki 1.39
 * wikis: the source filled with users, page histories and files, the target
 * empty with an upload limit of 1.5 MB (smaller than the big page's history).
 */

const TARGET_UPLOAD_LIMIT = 1_500_000;
const driver = newDriver();
let source: WikiInstance;
let target: WikiInstance;
let from: Session;
let to: Session;
let sourceApi: MwApi;
let targetApi: MwApi;

const signal = timeout;
const open = (wiki: WikiInstance, password?: string, url?: string) =>
  openSession(driver, wiki, { ...(password ? { password } : {}), ...(url ? { url } : {}) });
const migrate = (type: string) => migrateType(from, to, type);
const isFerry = (rev: Rev) => isFerryRevision(rev, target.adminUser);

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  await ensureMediaWikiPackages();
  const [a, b] = await Promise.all([
    startWiki({ name: 'Source Wiki', baseDir: mkdtempSync(join(tmpdir(), 'ferry-mw-src-')), extraSettings: `$wgGroupPermissions['${SOURCE_ONLY_GROUP}']['read'] = true;` }),
    startWiki({ name: 'Target Wiki', baseDir: mkdtempSync(join(tmpdir(), 'ferry-mw-dst-')), maxUploadBytes: TARGET_UPLOAD_LIMIT }),
  ]);
  source = a;
  target = b;
  driver.dirs.push(source.dir, target.dir);
  await fillSource(source);
  from = await open(source);
  to = await open(target);
  sourceApi = directApi(source);
  targetApi = directApi(target);
});

afterAll(async () => {
  await Promise.allSettled([from?.close(), to?.close()]);
  await Promise.allSettled([source?.stop(), target?.stop()]);
  for (const dir of driver.dirs) rmSync(dir, { recursive: true, force: true });
});

describe('MediaWiki connector against real wikis', () => {
  it('checks both wikis and reports their identity', async () => {
    const identity = await from.check({ signal: signal() });
    expect(identity).toMatchObject({ platform: 'mediawiki', siteName: 'Source Wiki', host: source.url, account: 'Admin' });
    expect(identity.version).toMatch(/^1\.39\./);
    expect(identity.rights).toEqual(expect.arrayContaining(['import', 'upload', 'createaccount', 'delete']));
    // A bot password, as in the README's quick start: no grant carries "userrights" in MediaWiki 1.39.
    expect(identity.rights).not.toContain('userrights');
    const viaApiUrl = await open(target, target.botPassword, target.apiUrl);
    expect((await viaApiUrl.check({ signal: signal() })).siteName).toBe('Target Wiki');
  });

  it('rejects a wrong password with kind "auth" and an unreachable wiki with kind "config"', async () => {
    const wrong = await open(target, 'not-the-password-0123456789abcdef');
    const error = await wrong.check({ signal: signal() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).kind).toBe('auth');
    expect((error as ConnectorError).hint).toMatch(/BotPasswords/);
    expect((error as ConnectorError).message).not.toContain('not-the-password');
    const gone = await open(target, target.botPassword, `http://127.0.0.1:${await closedPort()}`);
    const unreachable = (await gone.check({ signal: signal() }).catch((e: unknown) => e)) as ConnectorError;
    expect(unreachable.kind).toBe('config');
    expect(unreachable.hint).toMatch(/URL right and the server running/);
  });

  it('discovers counts, namespaces, groups and limits', async () => {
    const inventory = await from.discover({ signal: signal() });
    const count = (type: string) => inventory.types.find((t) => t.type === type)?.count;
    expect(count('user')).toBeGreaterThanOrEqual(FIXTURE_USERS.length + 1);
    expect(count('page')).toBeGreaterThanOrEqual(10);
    expect(count('file')).toBe(3);
    const details = inventory.details as { namespaces: Array<{ id: number; pages: number }>; groups: string[]; maxUploadSize: number };
    expect(details.namespaces.find((n) => n.id === 828)?.pages).toBe(1);
    expect(details.groups).toEqual(expect.arrayContaining(['sysop', 'reviewer', SOURCE_ONLY_GROUP]));
    expect(details.maxUploadSize).toBeGreaterThan(TARGET_UPLOAD_LIMIT);
    // What the wiki holds that Ferry leaves behind is named, counted and explained.
    const notCarried = new Map((inventory.notCarried ?? []).map((n) => [n.kind, n]));
    // The installer's account, and those the maintenance scripts of the fixture used.
    expect(notCarried.get('reserved-user')?.examples).toEqual(expect.arrayContaining(['MediaWiki default', 'Maintenance script', 'Delete page script']));
    expect(notCarried.get('file-old-version')).toMatchObject({ count: 1, examples: [`File:${FIXTURE.files.logo}`] });
    expect(notCarried.get('deleted-revision')).toMatchObject({ count: 1, examples: ['Deleted page'] });
    expect(notCarried.get('page-protection')).toMatchObject({ count: 1, examples: [FIXTURE.template] });
    for (const kind of notCarried.values()) expect(kind.reason.length, kind.kind).toBeGreaterThan(60);
  });

  it('prechecks the target against the source inventory', async () => {
    const inventory = await from.discover({ signal: signal() });
    const files = await readAll(from, 'file');
    const largest = files.sort((x, y) => (y.sizeBytes ?? 0) - (x.sizeBytes ?? 0))[0];
    const findings = await to.precheck!({ role: 'target', otherInventory: inventory, selectedTypes: ['user', 'page', 'file'], largestItem: { file: largest } }, { signal: signal() });
    expect(findings.filter((f) => f.level === 'error')).toEqual([]);
    // The bot password cannot assign groups: a warning (users still go across), never a blocking error.
    expect(findings.map((f) => f.code).sort()).toEqual(['file-too-large', 'group-missing', 'group-not-assignable']);
    expect(findings.find((f) => f.code === 'group-not-assignable')?.message).toMatch(/sysop.*post-migration action/);
    const withMissingNamespace = { ...inventory, details: { ...inventory.details, namespaces: [{ id: 3000, name: 'Custom', content: false, pages: 4 }] } };
    const blocked = await to.precheck!({ role: 'target', otherInventory: withMissingNamespace, selectedTypes: ['page'], largestItem: {} }, { signal: signal() });
    expect(blocked).toEqual([expect.objectContaining({ level: 'error', code: 'namespace-missing', message: expect.stringContaining('3000') })]);
  });

  it('migrates users with their groups; a second write changes nothing', async () => {
    const results = await migrate('user');
    const alice = ok(results.get('Alice'));
    expect(alice.outcome).toBe('created');
    expect(alice.actions?.map((a) => a.code)).toEqual(['user-password']);
    expect(ok(results.get('Admin')).outcome).toBe('unchanged');
    const dave = ok(results.get('Dave'));
    expect(dave.warnings?.join(' ')).toContain(SOURCE_ONLY_GROUP);
    expect(dave.actions?.map((a) => a.code).sort()).toEqual(['user-group-missing', 'user-password']);
    // Stock bot password: memberships cannot be assigned, and each user's are named in one action.
    const bob = ok(results.get('Bob'));
    expect(bob.outcome).toBe('created');
    expect(bob.actions?.find((a) => a.code === 'user-group-not-assigned')?.message).toMatch(/User "Bob" belongs to "sysop".*Special:UserRights\/Bob/);
    expect(ok(results.get('Carol')).actions?.find((a) => a.code === 'user-group-not-assigned')?.message).toContain('"reviewer"');
    // MediaWiki's own accounts are not listed, so nothing tries to create them.
    expect([...results.keys()]).not.toEqual(expect.arrayContaining(['Maintenance script']));
    expect([...results.keys()].filter((name) => ['Maintenance script', 'MediaWiki default', 'Conversion script'].includes(name))).toEqual([]);
    const again = await migrate('user');
    for (const [label, outcome] of again) expect([label, ok(outcome).outcome]).toEqual([label, 'unchanged']);
  });

  it('migrates every page with its full history, authors and timestamps', async () => {
    const headers = await readAll(from, 'page');
    const keys = headers.map((h) => h.key);
    expect(keys).toEqual(expect.arrayContaining(['0:Test page', '4:About', '10:Greeting', '14:Things', '828:Hello', `0:${FIXTURE.unicodePage}`, `0:${FIXTURE.rtlPage}`, '6:Logo.png']));
    // The target's own Main Page (from its installation) keeps its revision beside the source's.
    const preexisting = new Set<string>();
    for (const [, ref] of await to.lookup('page', keys, { signal: signal() })) {
      for (const rev of await history(targetApi, Number(ref.targetId))) preexisting.add(JSON.stringify(rev));
    }
    const results = await migrate('page');
    for (const [label, outcome] of results) expect([label, outcome.ok ? 'ok' : String((outcome.error as Error).message)]).toEqual([label, 'ok']);
    expect(ok(results.get('Test page')).outcome).toBe('created');
    const found = await to.lookup('page', keys, { signal: signal() });
    expect(found.size).toBe(keys.length);
    for (const header of headers) {
      const sourceRevs = await history(sourceApi, Number(header.sourceId));
      // SHA-1s are compared through the text: the source stores one page in a non-NFC form its API never returns.
      const comparable = (revs: Rev[]) => revs.map(({ sha1: _sha1, ...rest }) => rest);
      const fromSource = new Set(comparable(sourceRevs).map((r) => JSON.stringify(r)));
      const targetRevs = (await history(targetApi, Number(found.get(header.key)!.targetId))).filter(
        (r) => !isFerry(r) && (!preexisting.has(JSON.stringify(r)) || fromSource.has(JSON.stringify(comparable([r])[0]))),
      );
      expect({ page: header.label, revisions: comparable(targetRevs) }).toEqual({ page: header.label, revisions: comparable(sourceRevs) });
      for (const rev of targetRevs) expect(rev.sha1).toBe(createHash('sha1').update(rev.text).digest('hex'));
      if (header.key !== `0:${FIXTURE.unicodePage}`) expect(targetRevs.map((r) => r.sha1)).toEqual(sourceRevs.map((r) => r.sha1));
    }
    const about = await targetApi.get({ action: 'query', pageids: Number(found.get('4:About')!.targetId) }, signal());
    expect((about.query as any).pages[0].title).toBe('Target Wiki:About');
    const test = await history(targetApi, Number(found.get('0:Test page')!.targetId));
    expect(test.map((r) => r.user)).toEqual(['Alice', 'Bob', '127.0.0.1', 'Carol', target.adminUser]);
    // History imported after the latest revision was written: every revision, each with its author.
    const late = (await history(targetApi, Number(found.get(`0:${FIXTURE.lateHistory}`)!.targetId))).filter((r) => !isFerry(r));
    expect(late.map((r) => [r.timestamp, r.user, r.comment])).toEqual([
      ...LATE_REVISIONS.map((r) => [r.timestamp, r.contributor.replace(/<[^>]+>/g, ''), r.comment]),
      [expect.any(String), 'Alice', 'latest, written before its history arrived'],
    ]);
    // A null revision saved in the same second as the edit before it (same timestamp and SHA-1) is kept.
    const same = (await history(targetApi, Number(found.get(`0:${FIXTURE.sameSecond}`)!.targetId))).filter((r) => !isFerry(r));
    expect(same.map((r) => [r.user, r.comment])).toEqual([['Alice', 'edit'], ['Bob', 'null revision']]);
    const bigResult = ok(results.get(FIXTURE.bigPage));
    expect(bigResult.warnings?.join(' ')).toMatch(/imported in 3 uploads/);
    const big = (await history(targetApi, Number(found.get(`0:${FIXTURE.bigPage}`)!.targetId))).at(-1)!;
    expect(big.text).toBe(bigText(2).trimEnd());
    const unicode = (await history(targetApi, Number(found.get(`0:${FIXTURE.unicodePage}`)!.targetId))).at(-1)!;
    expect(unicode.text).toBe(ODD_TEXT.normalize('NFC'));
  });

  it('writes pages again as "unchanged" without adding revisions', async () => {
    const headers = await readAll(from, 'page');
    const before = await to.lookup('page', headers.map((h) => h.key), { signal: signal() });
    const results = await migrate('page');
    for (const [label, outcome] of results) expect([label, ok(outcome).outcome]).toEqual([label, 'unchanged']);
    const after = await to.lookup('page', headers.map((h) => h.key), { signal: signal() });
    expect(after).toEqual(before);
  });

  it('loads a page with its revisions oldest first and one reference per registered author', async () => {
    const header = (await readAll(from, 'page')).find((h) => h.key === '0:Test page')!;
    const [item] = await from.load([header], { signal: signal() });
    const data = item!.data as PageData;
    expect(data.revisions.map((r) => r.comment)).toEqual(['first version', 'second version', 'anonymous change', 'fourth version']);
    expect(data.revisions[1]!.minor).toBe(true);
    expect(item!.refs.map((r) => r.sourceId).sort()).toEqual(['Alice', 'Bob', 'Carol']);
    const lateHeader = (await readAll(from, 'page')).find((h) => h.key === `0:${FIXTURE.lateHistory}`)!;
    const [late] = await from.load([lateHeader], { signal: signal() });
    expect((late!.data as PageData).revisions.map((r) => r.user)).toEqual(['Conversion script', '10.1.2.3', 'oldwiki>Zed', 'Bob', 'Alice']);
    // Only carried users are references: never the system account, the IP or the imported name.
    expect(late!.refs.map((r) => r.sourceId).sort()).toEqual(['Alice', 'Bob']);
  });

  it('imports under a new title in "rename" mode, and creates a placeholder user on request', async () => {
    const header = (await readAll(from, 'page')).find((h) => h.key === '0:Test page')!;
    const [item] = await from.load([header], { signal: signal() });
    const [outcome] = await to.write('page', [{ item: item!, mode: 'rename', resolve: (ref) => ref.sourceId }], { signal: signal() });
    expect(ok(outcome).outcome).toBe('created');
    const renamed = (await to.lookup('page', ['0:Test page (migrated)'], { signal: signal() })).get('0:Test page (migrated)')!;
    expect(renamed.targetId).toBe(ok(outcome).targetId);
    const revs = (await history(targetApi, Number(renamed.targetId))).filter((r) => !isFerry(r));
    expect(revs.map((r) => r.comment)).toEqual(['first version', 'second version', 'anonymous change', 'fourth version']);
    const placeholder = await to.ensurePrincipal!('user', 'Ferry placeholder', { signal: signal() });
    expect(placeholder.targetId).toBe('Ferry placeholder');
    expect((await to.lookup('user', ['Ferry placeholder'], { signal: signal() })).get('Ferry placeholder')).toEqual(placeholder);
  });

  it('uploads files with equal SHA-1, refuses one over the limit, and reports old versions', async () => {
    const results = await migrate('file');
    const logo = ok(results.get(`File:${FIXTURE.files.logo}`));
    expect(logo.outcome).toBe('created');
    expect(logo.actions).toEqual([expect.objectContaining({ code: 'file-old-versions', message: expect.stringContaining('1 older version') })]);
    expect(ok(results.get(`File:${FIXTURE.files.icon}`)).outcome).toBe('created');
    const big = results.get(`File:${FIXTURE.files.big}`)!;
    expect(big.ok).toBe(false);
    const error = (big as { error: ConnectorError }).error;
    expect(error.kind).toBe('too_large');
    expect(error.message).toMatch(/Big\.pdf.*1600\d+ bytes.*1500000 bytes/);
    expect(error.hint).toMatch(/wgMaxUploadSize/);
    const names = [FIXTURE.files.logo, FIXTURE.files.icon];
    const sourceFiles = await from.lookup('file', names, { signal: signal() });
    const targetFiles = await to.lookup('file', names, { signal: signal() });
    for (const name of names) expect(targetFiles.get(name)?.version).toBe(sourceFiles.get(name)?.version);
    const again = await migrate('file');
    expect(ok(again.get(`File:${FIXTURE.files.logo}`)).outcome).toBe('unchanged');
    expect(ok(again.get(`File:${FIXTURE.files.icon}`)).outcome).toBe('unchanged');
    // Uploading onto the imported description pages added a null revision there; pages still read as unchanged.
    const pages = await migrate('page');
    expect(ok(pages.get(`File:${FIXTURE.files.logo}`)).outcome).toBe('unchanged');
  });

  it('inspects source and target alike: users, pages (every revision, authors as tokens) and files are equal once ids are mapped', async () => {
    const pairs = await inspectedPairs(from, to);
    expect(pairs.every((p) => p.source !== undefined && p.target !== undefined)).toBe(true);
    const differing: string[] = [];
    for (const pair of pairs) {
      if (JSON.stringify(pair.source) !== JSON.stringify(pair.target)) differing.push(`${pair.type}:${pair.label}`);
    }
    // Known, real differences: the page whose text the source stores in a non-NFC form arrives normalised (its SHA-1 and size differ); Bob
    // and Carol lack the groups the bot password may not assign (each a post-migration action), Dave a group
    // the target does not define.
    // The target's own Main Page keeps the revision its installer wrote (equal to the source's only when
    // both wikis were installed in the same second): the source's history must be within it.
    const main = pairs.find((p) => p.label === 'Main Page')!;
    expect((main.target as any).revisions).toEqual(expect.arrayContaining((main.source as any).revisions));
    expect(differing.filter((d) => d !== 'page:Main Page').sort()).toEqual([`page:${FIXTURE.unicodePage}`, 'user:Bob', 'user:Carol', 'user:Dave'].sort());
    const unicode = pairs.find((p) => p.label === FIXTURE.unicodePage)!;
    const strip = (fields: any) => ({ ...fields, revisions: fields.revisions.map(({ sha1: _s, size: _z, ...rest }: any) => rest) });
    expect(strip(unicode.target)).toEqual(strip(unicode.source));
    const late = pairs.find((p) => p.label === FIXTURE.lateHistory)!;
    expect((late.source as any).revisions.map((r: any) => r.author)).toEqual(['Conversion script', '10.1.2.3', 'oldwiki>Zed', refToken('user', 'Bob'), refToken('user', 'Alice')]);
    expect((late.target as any).revisions).toHaveLength(5);
    const logo = pairs.find((p) => p.type === 'file' && p.label === FIXTURE.files.logo)!;
    expect(logo.target).toEqual({ sha1: expect.stringMatching(/^[0-9a-f]{40}$/), size: expect.any(Number), mime: 'image/png' });
  });

  it('removes pages and files only while unchanged; users are not deletable', async () => {
    const page = (await to.lookup('page', ['0:Redir'], { signal: signal() })).get('0:Redir')!;
    expect(await to.remove('page', { ...page, version: '1' }, { signal: signal() })).toBe('changed');
    expect(await to.remove('page', page, { signal: signal() })).toBe('removed');
    expect((await to.lookup('page', ['0:Redir'], { signal: signal() })).size).toBe(0);
    expect(await to.remove('page', page, { signal: signal() })).toBe('gone');
    const file = (await to.lookup('file', [FIXTURE.files.icon], { signal: signal() })).get(FIXTURE.files.icon)!;
    expect(await to.remove('file', file, { signal: signal() })).toBe('removed');
    expect((await to.lookup('file', [FIXTURE.files.icon], { signal: signal() })).size).toBe(0);
    expect(await to.remove('user', { targetId: 'Alice' }, { signal: signal() })).toBe('not_deletable');
  });

  it('lists pages page by page and resumes from a cursor', async () => {
    const pages = [];
    for await (const page of from.read('page', { signal: signal() })) pages.push(page);
    expect(pages.length).toBeGreaterThan(2);
    const all = pages.flatMap((p) => p.items.map((i) => i.key));
    const resumed = [];
    for await (const page of from.read('page', { signal: signal(), cursor: pages[0]!.cursor! })) resumed.push(...page.items.map((i) => i.key));
    expect([...pages[0]!.items.map((i) => i.key), ...resumed]).toEqual(all);
    expect(pages.at(-1)!.cursor).toBeUndefined();
  });

  it('relies on MediaWiki skipping a re-imported revision with the same timestamp and SHA-1 (and only then)', async () => {
    const api = directApi(target);
    const ctx: MwContext = {
      api,
      site: (s) => fetchSiteInfo(api, s),
      connector: { log: () => undefined, userAgent: 'Ferry-test/0.1', tempDir: tmpdir() },
      limits: { importBudget: INITIAL_IMPORT_BUDGET },
    };
    const text = 'Imported twice';
    const revision = {
      timestamp: '2020-05-05T05:05:05Z',
      contributor: { kind: 'user' as const, name: 'Alice' },
      comment: 'once',
      minor: false,
      model: 'wikitext',
      format: 'text/x-wiki',
      text,
    };
    const withSha1 = { ...revision, sha1Base36: sha1Base36(createHash('sha1').update(text).digest('hex')) };
    const run = async (rev: typeof revision) => {
      const job = { title: 'Dedupe check', ns: 0, revisions: [rev], imported: 0, parts: 0 };
      await importJobs(ctx, [job], [{ id: 0, name: '' }], signal());
      return job.imported;
    };
    expect(await run(withSha1)).toBe(1);
    const before = (await to.lookup('page', ['0:Dedupe check'], { signal: signal() })).get('0:Dedupe check')!;
    expect(await run(withSha1)).toBe(0);
    // Nothing imported: no null revision either.
    expect((await to.lookup('page', ['0:Dedupe check'], { signal: signal() })).get('0:Dedupe check')).toEqual(before);
    // Without a SHA-1 in the XML MediaWiki cannot tell, and stores the revision again.
    expect(await run(revision)).toBe(1);
    const revs = await history(targetApi, Number(before.targetId));
    expect(revs.filter((r) => r.comment === 'once')).toHaveLength(2);
  });

  it('inspect sees damage on the target: a deleted revision, a deleted page, a deleted file, changed file bytes', async () => {
    const page = (await to.lookup('page', [`0:${FIXTURE.lateHistory}`, '1:Test page'], { signal: signal() }));
    const lateId = page.get(`0:${FIXTURE.lateHistory}`)!.targetId;
    const talkId = page.get('1:Test page')!.targetId;
    const before = await to.inspect!('page', [lateId, talkId], { signal: signal() });
    expect(before.size).toBe(2);
    // Every revision but the current one goes (MediaWiki's own maintenance script, as an admin would).
    await target.php('deleteOldRevisions.php', ['--delete', lateId]);
    await to.remove('page', { targetId: talkId }, { signal: signal() });
    const after = await to.inspect!('page', [lateId, talkId], { signal: signal() });
    expect(after.has(talkId)).toBe(false);
    expect((after.get(lateId)!.fields as any).revisions.length).toBeLessThan((before.get(lateId)!.fields as any).revisions.length);
    expect(after.get(lateId)).not.toEqual(before.get(lateId));

    const logoBefore = (await to.inspect!('file', [FIXTURE.files.logo], { signal: signal() })).get(FIXTURE.files.logo);
    const dir = mkdtempSync(join(tmpdir(), 'ferry-mw-bytes-'));
    driver.dirs.push(dir);
    writeFileSync(join(dir, FIXTURE.files.logo), png(0, 255, 0));
    await target.php('importImages.php', ['--overwrite', '--extensions=png', dir]);
    const logoAfter = (await to.inspect!('file', [FIXTURE.files.logo], { signal: signal() })).get(FIXTURE.files.logo);
    expect(logoAfter?.fields.sha1).not.toBe(logoBefore?.fields.sha1);
    await to.remove('file', { targetId: FIXTURE.files.logo }, { signal: signal() });
    expect((await to.inspect!('file', [FIXTURE.files.logo], { signal: signal() })).has(FIXTURE.files.logo)).toBe(false);
  });

  it('resets the target to nothing but the account', async () => {
    let progress = 0;
    const { removed } = await to.reset!({ signal: signal(), onProgress: (done) => (progress = done) });
    expect(removed).toBeGreaterThan(5);
    expect(progress).toBe(removed);
    const inventory = await to.discover({ signal: signal() });
    expect(inventory.types.find((t) => t.type === 'page')?.count).toBe(0);
    expect(inventory.types.find((t) => t.type === 'file')?.count).toBe(0);
  });
});
