/**
 * System migration of a whole WordPress installation (issue 9), local path:
 * a generated site with media copied onto a fresh site on another port by
 * the WordPress SystemAdapter, driven operation by operation the way the
 * system runner drives it (checkpoints kept between attempts, progress
 * recorded), with a kill in the middle of the database copy and of the file
 * copy, then undo.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteInstance } from '../../src/harness/wordpress.js';
import { ConnectorError } from '../../src/sdk/errors.js';
import type { Host } from '../../src/system/host.js';
import { LocalHost } from '../../src/system/local.js';
import type { InstallationInfo, InstallationLocation, OperationContext, SystemOperation, SystemOptions } from '../../src/system/types.js';
import { FAKE_VERSION_ENV, fileCopyHooks, wordpressSystemAdapter as adapter } from '../../src/system/wordpress/index.js';
import { snapshotSite, type SiteSnapshot } from './site-snapshot.js';
import { emptySite, filledSite, pageStatus } from './sites.js';

const location = (site: SiteInstance, env: Record<string, string> = {}): InstallationLocation => ({
  configFile: '/etc/wordpress/config-ferry-harness.php',
  codeDir: '/usr/share/wordpress',
  env: { FERRY_WP_SITE_CONFIG: join(site.dir, 'wp-config-site.php'), ...env },
});

interface Recorder {
  checkpoints: Map<string, string>;
  progress: Array<{ op: string; done: number; total: number | undefined }>;
  infos: Array<{ op: string; message: string }>;
  warnings: string[];
  actions: Array<{ code: string; message: string }>;
}

/** The small runner of this test: what src/system/runner.ts does, minus the store. */
function harness(source: { host: Host; info: InstallationInfo }, target: { host: Host; info: InstallationInfo }, options: SystemOptions, workDir: string) {
  const rec: Recorder = { checkpoints: new Map(), progress: [], infos: [], warnings: [], actions: [] };
  const context = (op: SystemOperation, signal: AbortSignal, onProgress?: (done: number, total?: number) => void): OperationContext => {
    const ctx: OperationContext & { sourceWorkDir?: string } = {
      source,
      target,
      options,
      workDir,
      signal,
      progress(done, total) {
        rec.progress.push({ op: op.name, done, total });
        onProgress?.(done, total);
      },
      checkpoint: async () => rec.checkpoints.get(op.name),
      saveCheckpoint: async (value) => {
        rec.checkpoints.set(op.name, value);
      },
      info: (message) => rec.infos.push({ op: op.name, message }),
      warn: (message) => rec.warnings.push(message),
      action: (code: string, message: string) => rec.actions.push({ code, message }),
      // The source-side work folder the system runner also gives (unused by WordPress: its dump streams straight to the target).
      sourceWorkDir: workDir,
    };
    return ctx;
  };
  return {
    rec,
    operations: adapter.operations(options),
    async run(op: SystemOperation, abortWhen?: (done: number, total?: number) => boolean): Promise<void> {
      const controller = new AbortController();
      const ctx = context(op, controller.signal, (done, total) => {
        if (abortWhen?.(done, total)) controller.abort();
      });
      await op.estimate(ctx);
      await op.run(ctx);
    },
    async undoAll(): Promise<void> {
      for (const op of [...adapter.operations(options)].reverse()) await op.undo?.(context(op, new AbortController().signal));
    },
  };
}

/** The target's database as text, rows in key order (compared before and after undo). */
function dumpDatabase(site: SiteInstance): string {
  return execFileSync('mariadb-dump', ['--user=root', `--socket=${site.database.socket}`, '--skip-dump-date', '--order-by-primary', '--skip-extended-insert', site.database.name], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
}

/** Every entry under the content folders with its kind, mode and SHA-256 (or link target). */
function filesOf(site: SiteInstance, subs = ['uploads', 'plugins', 'themes']): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const path = `${rel}/${name}`;
      const stat = lstatSync(full);
      if (stat.isSymbolicLink()) out.set(path, `link ${readlinkSync(full)}`);
      else if (stat.isDirectory()) {
        out.set(path, `dir ${(stat.mode & 0o777).toString(8)}`);
        walk(full, path);
      } else out.set(path, `file ${(stat.mode & 0o777).toString(8)} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`);
    }
  };
  for (const sub of subs) walk(join(site.dir, 'content', sub), sub);
  return out;
}

const counts = async (site: SiteInstance): Promise<Record<string, number>> =>
  JSON.parse(await site.php(`global $wpdb; echo json_encode( [
    'posts' => (int) $wpdb->get_var( "SELECT COUNT(*) FROM $wpdb->posts" ),
    'postmeta' => (int) $wpdb->get_var( "SELECT COUNT(*) FROM $wpdb->postmeta" ),
    'users' => (int) $wpdb->get_var( "SELECT COUNT(*) FROM $wpdb->users" ),
    'terms' => (int) $wpdb->get_var( "SELECT COUNT(*) FROM $wpdb->terms" ),
    'comments' => (int) $wpdb->get_var( "SELECT COUNT(*) FROM $wpdb->comments" ),
    'attachments' => (int) $wpdb->get_var( "SELECT COUNT(*) FROM $wpdb->posts WHERE post_type = 'attachment'" ),
  ] );`)) as Record<string, number>;

/** A host whose disk looks nearly full (fault injection for the disk pre-check). */
function smallDisk(host: Host, free: number): Host {
  return new Proxy(host, {
    get(target, property, receiver) {
      if (property === 'freeBytes') return async () => free;
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Pre-check as the runner calls it (through a variable: the runner's context may carry more fields). */
function precheck(src: InstallationInfo, tgt: InstallationInfo, options: SystemOptions, workDir: string, targetHost: Host = new LocalHost()) {
  const ctx = { source: { host: new LocalHost() as Host, info: src }, target: { host: targetHost, info: tgt }, options, workDir, sourceWorkDir: workDir };
  return adapter.precheck(src, tgt, ctx);
}

/** A separate process running one operation, its checkpoint in a file: killed with SIGKILL, as a crash. */
const OPERATION_PROCESS = `
import { readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
const [modules, infoFile, checkpointFile, name] = process.argv.slice(2);
const { LocalHost } = await import(modules + '/local.ts');
const { wordpressSystemAdapter } = await import(modules + '/wordpress/index.ts');
const { source, target, options, workDir } = JSON.parse(readFileSync(infoFile, 'utf8'));
const host = new LocalHost();
const op = wordpressSystemAdapter.operations(options).find((o) => o.name === name);
const ctx = {
  source: { host, info: source }, target: { host, info: target }, options, workDir, sourceWorkDir: workDir,
  signal: new AbortController().signal,
  progress: (done, total) => process.stdout.write('progress ' + done + ' ' + (total ?? 0) + '\\n'),
  checkpoint: async () => (existsSync(checkpointFile) ? readFileSync(checkpointFile, 'utf8') : undefined),
  saveCheckpoint: async (value) => { writeFileSync(checkpointFile + '.tmp', value); renameSync(checkpointFile + '.tmp', checkpointFile); },
  info: () => undefined, warn: () => undefined, action: () => undefined,
};
await op.estimate(ctx);
await op.run(ctx);
process.stdout.write('finished\\n');
`;

/** Runs an operation in a child process and kills it with SIGKILL when `killWhen` says so; resolves once it is gone. */
async function runAndKill(root: string, infoFile: string, checkpointFile: string, name: string, killWhen: (done: number, total: number) => boolean): Promise<'killed' | 'finished'> {
  const script = join(root, 'operation-process.mts');
  writeFileSync(script, OPERATION_PROCESS);
  const modules = new URL('../../src/system', import.meta.url).pathname;
  // node itself with tsx's loader (the tsx command would be a wrapper process: SIGKILL would not reach the copy).
  // A whole local file is copied in the kernel in milliseconds: the files are streamed with a short wait per 64 KiB (faults.ts) so the kill lands inside one.
  const env = { ...process.env, FERRY_SYSTEM_SLOW: 'copy-files:5' };
  const child = spawn(process.execPath, ['--import', 'tsx', script, modules, infoFile, checkpointFile, name], { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'inherit'] });
  let outcome: 'killed' | 'finished' = 'finished';
  let pending = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const [word, done, total] = line.split(' ');
      if (word === 'progress' && outcome !== 'killed' && killWhen(Number(done), Number(total))) {
        outcome = 'killed';
        child.kill('SIGKILL');
      }
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
  if (outcome === 'finished' && code !== 0) throw new Error(`the operation process exited with ${code}`);
  return outcome;
}

const BIG_FILE = 'uploads/2020/01/big-archive.bin';

describe('system migration of a WordPress installation (local path)', () => {
  const root = mkdtempSync(join(tmpdir(), 'ferry-syswp-'));
  const host = new LocalHost();
  let source: SiteInstance;
  let target: SiteInstance;
  let sourceSnapshot: SiteSnapshot;
  let sourceCounts: Record<string, number>;
  let targetDumpBefore: string;
  let targetFilesBefore: Map<string, string>;
  let targetConfigBefore: string;
  const workDir = join(root, 'work');
  const options: SystemOptions = { settings: 'basic', secretKeys: true, logs: false, sourceAfter: 'maintenance' };
  let run: ReturnType<typeof harness>;

  beforeAll(async () => {
    ({ source } = await filledSite(root));
    target = await emptySite(root, 'Target Blog');
    // Serialized values holding the source URL: a custom option (nested arrays, an object) and a widget.
    await source.php(`
      update_option( 'ferry_links', [ 'home' => home_url( '/' ), 'nested' => [ 'logo' => home_url( '/wp-content/uploads/logo.png' ), 'n' => 3 ], 'object' => (object) [ 'feed' => home_url( '/feed/' ) ] ] );
      update_option( 'widget_text', [ 2 => [ 'title' => 'Links', 'text' => '<a href="' . home_url( '/about/' ) . '">About</a>' ], '_multiwidget' => 1 ] );
      echo 'ok';
    `);
    // One large file, so a kill lands inside a file.
    mkdirSync(join(source.dir, 'content', 'uploads', '2020', '01'), { recursive: true });
    writeFileSync(join(source.dir, 'content', BIG_FILE), randomBytes(6 * 1024 * 1024));
    sourceSnapshot = await snapshotSite({ url: source.url, user: source.adminUser, password: source.appPassword });
    sourceCounts = await counts(source);
    // A first page view writes the theme's cached styles and theme mods: done, to the end of the page, before
    // the "before" state is taken (with only the headers awaited, a CI run saw three options appear after it).
    expect(await pageStatus(`${target.url}/`)).toBe(200);
    targetDumpBefore = dumpDatabase(target);
    targetFilesBefore = filesOf(target);
    targetConfigBefore = readFileSync(join(target.dir, 'wp-config-site.php'), 'utf8');
  }, 120_000);

  afterAll(async () => {
    await source?.stop();
    await target?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('discovers both installations from their config, with the licence and sizes', async () => {
    const info = await adapter.discover(host, location(source));
    expect(info).toMatchObject({ platform: 'wordpress', url: source.url, serverRole: 'standalone', inMaintenance: false, uploadsDir: join(source.dir, 'content', 'uploads') });
    expect(info.version).toMatch(/^6\.\d/);
    expect(info.database).toMatchObject({ engine: 'mariadb', name: source.database.name, user: source.database.user, tablePrefix: 'wp_', location: `localhost:${source.database.socket}` });
    expect(info.database.sizeBytes).toBeGreaterThan(100_000);
    expect(info.uploadsBytes).toBeGreaterThan(6 * 1024 * 1024);
    expect(Object.keys(info.secrets).sort()).toEqual(['AUTH_KEY', 'AUTH_SALT', 'LOGGED_IN_KEY', 'LOGGED_IN_SALT', 'NONCE_KEY', 'NONCE_SALT', 'SECURE_AUTH_KEY', 'SECURE_AUTH_SALT']);
    expect(info.extraDirs).toEqual([join(source.dir, 'content', 'plugins'), join(source.dir, 'content', 'themes')]);

    // Drop-ins: none on a stock install, so the URL rewrite (SHORTINIT: no plugins) runs beside the file copy;
    // with one on the target (this db.php changes nothing), it waits for the copy.
    const rewrite = adapter.operations(options).find((op) => op.name === 'rewrite-urls')!;
    const besideOk = rewrite.besideOk as (sides: { source: InstallationInfo; target: InstallationInfo }) => boolean;
    const stockTarget = await adapter.discover(host, location(target));
    expect(besideOk({ source: info, target: stockTarget })).toBe(true);
    // The settings written after it follow the same rule.
    expect(adapter.operations(options).find((op) => op.name === 'update-config')!.besideOk).toBe(rewrite.besideOk);
    writeFileSync(join(target.dir, 'content', 'db.php'), '<?php\n// a drop-in that leaves $wpdb to WordPress\n');
    try {
      const withDropIn = await adapter.discover(host, location(target));
      expect((withDropIn as InstallationInfo & { wordpress: { dropIns: string[] } }).wordpress.dropIns).toEqual(['db.php']);
      expect(besideOk({ source: info, target: withDropIn })).toBe(false);
    } finally {
      rmSync(join(target.dir, 'content', 'db.php'));
    }

    // A classic install (its own tree with wp-config.php): WordPress's top-level files copied, its big folders linked.
    const classic = join(root, 'classic');
    mkdirSync(classic);
    for (const name of readdirSync('/usr/share/wordpress')) {
      const from = join('/usr/share/wordpress', name);
      if (name === 'wp-config.php' || name.startsWith('.')) continue;
      if (lstatSync(from).isDirectory()) symlinkSync(from, join(classic, name));
      else copyFileSync(from, join(classic, name));
    }
    writeFileSync(join(classic, 'wp-config.php'), `<?php
define( 'DB_NAME', '${source.database.name}' );
define( 'DB_USER', '${source.database.user}' );
define( 'DB_PASSWORD', '${source.database.password}' );
define( 'DB_HOST', 'localhost:${source.database.socket}' );
$table_prefix = 'wp_';
define( 'AUTH_KEY', 'classic-auth-key' );
define( 'WP_CONTENT_DIR', '${join(source.dir, 'content')}' );
define( 'WP_HOME', '${source.url}' );
define( 'WP_SITEURL', '${source.url}' );
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
`);
    const classicInfo = await adapter.discover(host, { configFile: join(classic, 'wp-config.php') });
    expect(classicInfo).toMatchObject({ url: source.url, uploadsDir: join(source.dir, 'content', 'uploads'), version: info.version, secrets: { AUTH_KEY: 'classic-auth-key' } });
    expect(classicInfo.database).toMatchObject({ name: source.database.name, location: `localhost:${source.database.socket}`, sizeBytes: info.database.sizeBytes });
  }, 60_000);

  it('refuses bad input before anything is written: an older target, a full disk, a wrong config', async () => {
    const src = await adapter.discover(host, location(source));
    const older = await adapter.discover(host, location(target, { [FAKE_VERSION_ENV]: '5.9.3' }));
    const findings = await precheck(src, older, options, workDir);
    expect(findings.filter((f) => f.level === 'error').map((f) => f.message)).toEqual([expect.stringMatching(/target runs WordPress 5\.9\.3, older than the source's 6\.\d.*Upgrade WordPress on the target/)]);

    const tgt = await adapter.discover(host, location(target));
    const full = smallDisk(host, 5 * 1024 * 1024);
    const disk = await precheck(src, tgt, options, workDir, full);
    expect(disk.filter((f) => f.level === 'error').map((f) => f.message)).toEqual([expect.stringMatching(/not enough disk space on the target .*MB needed .* 5 MB free/)]);

    const same = await precheck(src, src, options, workDir);
    expect(same.map((f) => f.message).join('\n')).toMatch(/source and target use the same database/);

    const wrong = await adapter.discover(host, { configFile: '/etc/wordpress/config-ferry-harness.php', env: { FERRY_WP_SITE_CONFIG: join(root, 'missing.php') } }).catch((error: unknown) => error);
    expect(wrong).toBeInstanceOf(ConnectorError);
    expect((wrong as ConnectorError).kind).toBe('config');
    expect((wrong as ConnectorError).message).not.toContain(source.database.password);

    // Wrong database password in the target's config: a clear message, without the password.
    const config = join(target.dir, 'wp-config-site.php');
    writeFileSync(config, targetConfigBefore.replace(target.database.password, 'WrongPassword123'));
    try {
      const refused = await adapter.discover(host, location(target)).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ConnectorError);
      expect((refused as ConnectorError).message).toMatch(/database connection/i);
      expect((refused as ConnectorError).hint).toMatch(/DB_HOST, DB_USER and DB_PASSWORD/);
      expect((refused as ConnectorError).message).not.toContain('WrongPassword123');
    } finally {
      writeFileSync(config, targetConfigBefore);
    }

    // Nothing written: no work folder, the target's database and files as they were.
    expect(() => lstatSync(workDir)).toThrow();
    expect(dumpDatabase(target)).toBe(targetDumpBefore);
    expect(filesOf(target)).toEqual(targetFilesBefore);
  }, 120_000);

  it('copies the installation, continuing after a kill inside the database copy and inside a file', async () => {
    const src = await adapter.discover(host, location(source));
    const tgt = await adapter.discover(host, location(target));
    const findings = await precheck(src, tgt, options, workDir);
    expect(findings.filter((f) => f.level === 'error')).toEqual([]);
    run = harness({ host, info: src }, { host, info: tgt }, options, workDir);
    const names = run.operations.map((op) => op.name);
    expect(names).toEqual(['copy-settings', 'source-maintenance', 'snapshot-target', 'copy-files', 'copy-database', 'rewrite-urls', 'update-config', 'upgrade-database', 'source-after', 'final-checks']);
    const op = (name: string): SystemOperation => run.operations.find((o) => o.name === name)!;

    await run.run(op('copy-settings'));
    await run.run(op('source-maintenance'));
    const down = await fetch(`${source.url}/`);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('600');
    expect(await pageStatus(target.url)).toBe(200);
    await run.run(op('snapshot-target'));

    // Database: killed (its signal) once about half the bytes are through, then run again from the checkpoint.
    const killedDb = await run.run(op('copy-database'), (done, total) => total !== undefined && done > total / 2).catch((error: unknown) => error);
    expect((killedDb as Error).name).toBe('AbortError');
    const doneBefore = (JSON.parse(run.rec.checkpoints.get('copy-database') ?? '{"done":[]}') as { done: string[] }).done;
    expect(doneBefore.length).toBeGreaterThan(0);
    const copiedBefore = run.rec.infos.filter((i) => i.op === 'copy-database' && i.message.startsWith('copied table')).length;
    expect(copiedBefore).toBe(doneBefore.length);
    await run.run(op('copy-database'));
    const copiedAfter = run.rec.infos.filter((i) => i.op === 'copy-database' && i.message.startsWith('copied table')).slice(copiedBefore).map((i) => i.message.replace('copied table ', ''));
    expect(copiedAfter.some((table) => doneBefore.includes(table)), 'tables copied before the kill are not copied again').toBe(false);
    expect(copiedAfter.length).toBeGreaterThan(0);

    // Files: killed inside the big file, then continued by appending to its part file.
    const resumed: Array<{ path: string; from: number }> = [];
    fileCopyHooks.resumedFile = (path, from) => resumed.push({ path, from });
    // Streamed with a short wait per 64 KiB (faults.ts), so the kill lands inside the big file (the kernel copy takes milliseconds).
    process.env.FERRY_SYSTEM_SLOW = 'copy-files:5';
    try {
      const bigPart = join(target.dir, 'content', `${BIG_FILE}.ferry-part`);
      const killedFiles = await run.run(op('copy-files'), () => {
        try {
          return statSync(bigPart).size > 2 * 1024 * 1024;
        } catch {
          return false;
        }
      }).catch((error: unknown) => error);
      expect((killedFiles as Error).name).toBe('AbortError');
      expect(lstatSync(join(target.dir, 'content', `${BIG_FILE}.ferry-part`)).size).toBeGreaterThan(1024 * 1024);
      await run.run(op('copy-files'));
    } finally {
      delete fileCopyHooks.resumedFile;
      delete process.env.FERRY_SYSTEM_SLOW;
    }
    // Files are copied four at a time: a small one may have been cut too; the big one surely was.
    const big = resumed.find((r) => r.path === BIG_FILE.replace('uploads/', ''));
    expect(big?.from).toBeGreaterThan(1024 * 1024);

    await run.run(op('rewrite-urls'));
    // Another attempt (a kill between its commit and its checkpoint) changes nothing.
    await run.run(op('rewrite-urls'));
    expect(run.rec.infos.filter((i) => i.op === 'rewrite-urls').map((i) => i.message)).toEqual([
      expect.stringMatching(new RegExp(`^${source.url} → ${target.url}: [1-9]\\d* replacements in [1-9]\\d* rows$`)),
      `${source.url} → ${target.url}: already done by an earlier attempt`,
    ]);
    await run.run(op('update-config'));
    // A schema one version behind the code (a target whose WordPress is newer): upgrade-database runs wp_upgrade();
    // at the code's version it answers from a SHORTINIT load alone.
    const schema = Number(await target.php(`global $wp_db_version; echo $wp_db_version;`));
    await target.php(`update_option( 'db_version', ${schema - 1} ); echo 'ok';`);
    await run.run(op('upgrade-database'));
    await run.run(op('upgrade-database'));
    expect(run.rec.infos.filter((i) => i.op === 'upgrade-database').map((i) => i.message)).toEqual([
      `database upgraded from schema ${schema - 1} to ${schema} (WordPress ${src.version} → ${tgt.version})`,
      `database schema ${schema} is current (same WordPress version on both sides)`,
    ]);
    for (const name of names.slice(8)) await run.run(op(name));
    expect(run.rec.warnings).toEqual([]);
    expect(run.rec.actions.map((a) => a.code)).toContain('login');
    // Progress went up to the totals for the sized operations.
    const last = (name: string) => run.rec.progress.filter((p) => p.op === name).at(-1);
    expect(last('copy-database')!.done).toBe(last('copy-database')!.total);
    expect(last('copy-files')!.done).toBe(last('copy-files')!.total);
  }, 180_000);

  it('leaves a target equal to the source, serving its pages and files at its own URL', async () => {
    expect(await counts(target)).toEqual(sourceCounts);
    // The source's users and their application passwords came with the database.
    const after = await snapshotSite({ url: target.url, user: source.adminUser, password: source.appPassword });
    // The snapshots already write each site's own URL in content as {site}; other fields (a user's website) hold it as is.
    const plain = (value: unknown, url: string): unknown => JSON.parse(JSON.stringify(value instanceof Map ? [...value].sort(([a], [b]) => String(a).localeCompare(String(b))) : value).split(url).join('{site}'));
    for (const map of ['users', 'categories', 'tags', 'media', 'posts', 'comments', 'menus', 'menuItems'] as const) {
      expect(sourceSnapshot[map].size, map).toBe(after[map].size);
      expect(plain(after[map], target.url), map).toEqual(plain(sourceSnapshot[map], source.url));
    }
    expect(plain(after.settings, target.url)).toEqual(plain(sourceSnapshot.settings, source.url));
    expect(after.texts.filter((t) => t.includes(source.url))).toEqual([]);
    expect(filesOf(target, ['uploads'])).toEqual(filesOf(source, ['uploads']));

    // Serialized values: intact (they unserialize) and rewritten.
    const links = JSON.parse(await target.php(`echo json_encode( [ get_option( 'ferry_links' ), get_option( 'widget_text' ), get_option( 'home' ), get_option( 'admin_email' ), get_option( 'ferry_system_url_rewrite' ) ] );`)) as unknown[];
    expect(links).toEqual([
      { home: `${target.url}/`, nested: { logo: `${target.url}/wp-content/uploads/logo.png`, n: 3 }, object: { feed: `${target.url}/feed/` } },
      { 2: { title: 'Links', text: `<a href="${target.url}/about/">About</a>` }, _multiwidget: 1 },
      target.url,
      'admin@example.org',
      false,
    ]);
    // Licence carried: the target's config now holds the source's keys.
    expect(readFileSync(join(target.dir, 'wp-config-site.php'), 'utf8')).toContain(JSON.parse(await source.php(`echo json_encode( AUTH_KEY );`)) as string);

    // Pages and files over HTTP at the new URL.
    const media = (await (await fetch(`${target.url}/wp-json/wp/v2/media?per_page=5`)).json()) as Array<{ source_url: string; media_details: { file: string } }>;
    expect(media.length).toBeGreaterThan(0);
    for (const item of media) {
      expect(item.source_url.startsWith(`${target.url}/wp-content/uploads/`)).toBe(true);
      const body = Buffer.from(await (await fetch(item.source_url)).arrayBuffer());
      expect(body.equals(readFileSync(join(source.dir, 'content', 'uploads', item.media_details.file)))).toBe(true);
    }
    const posts = (await (await fetch(`${target.url}/wp-json/wp/v2/posts?per_page=1`)).json()) as Array<{ link: string }>;
    const page = await fetch(posts[0]!.link);
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain(source.url);
    // The source stays in maintenance (the option), for visitors only.
    expect(await pageStatus(`${source.url}/`)).toBe(503);
    expect((await adapter.discover(host, location(source))).inMaintenance).toBe(true);
  }, 120_000);

  it('undo restores the target exactly and takes the source out of maintenance', async () => {
    await run.undoAll();
    expect(dumpDatabase(target)).toBe(targetDumpBefore);
    expect(filesOf(target)).toEqual(targetFilesBefore);
    expect(readFileSync(join(target.dir, 'wp-config-site.php'), 'utf8')).toBe(targetConfigBefore);
    expect(await pageStatus(`${source.url}/`)).toBe(200);
    expect((await adapter.discover(host, location(source))).inMaintenance).toBe(false);
    expect(await pageStatus(`${target.url}/`)).toBe(200);
  }, 120_000);
  it('continues after kill -9 of the process copying the database, then the files: same result', async () => {
    // The target is back to its own state (undo): copy onto it again, from a process that is killed.
    const src = await adapter.discover(host, location(source));
    const tgt = await adapter.discover(host, location(target));
    const infoFile = join(root, 'kill-info.json');
    writeFileSync(infoFile, JSON.stringify({ source: src, target: tgt, options, workDir: join(root, 'work-kill') }));
    const dbCheckpoint = join(root, 'kill-db.checkpoint');
    expect(await runAndKill(root, infoFile, dbCheckpoint, 'copy-database', (done, total) => total > 0 && done > total / 2)).toBe('killed');
    const confirmed = (JSON.parse(readFileSync(dbCheckpoint, 'utf8')) as { done: string[] }).done;
    expect(confirmed.length).toBeGreaterThan(0);
    expect(await runAndKill(root, infoFile, dbCheckpoint, 'copy-database', () => false)).toBe('finished');
    expect((JSON.parse(readFileSync(dbCheckpoint, 'utf8')) as { done: string[] }).done.length).toBeGreaterThan(confirmed.length);

    const filesCheckpoint = join(root, 'kill-files.checkpoint');
    const bigPart = join(target.dir, 'content', `${BIG_FILE}.ferry-part`);
    const partSize = (): number => {
      try {
        return statSync(bigPart).size;
      } catch {
        return 0;
      }
    };
    expect(await runAndKill(root, infoFile, filesCheckpoint, 'copy-files', () => partSize() > 2 * 1024 * 1024)).toBe('killed');
    expect(partSize()).toBeGreaterThan(1024 * 1024);
    expect(await runAndKill(root, infoFile, filesCheckpoint, 'copy-files', () => false)).toBe('finished');

    // Same result: the database rows and the uploads of the source, byte for byte.
    const table = (site: SiteInstance, name: string): string => execFileSync('mariadb-dump', ['--user=root', `--socket=${site.database.socket}`, '--skip-dump-date', '--order-by-primary', '--skip-extended-insert', '--no-create-info', site.database.name, name], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    for (const name of ['wp_posts', 'wp_postmeta', 'wp_comments', 'wp_users', 'wp_usermeta', 'wp_terms', 'wp_term_relationships']) {
      expect(table(target, name) === table(source, name), name).toBe(true);
    }
    expect(filesOf(target, ['uploads'])).toEqual(filesOf(source, ['uploads']));
  }, 150_000);

  it('swaps the host settings, keeps the target keys, copies the logs, leaves the source read-only, and undoes it all', async () => {
    await target.php(`update_option( 'admin_email', 'ops@target.example' ); update_option( 'mailserver_url', 'mail.target.example' ); echo 'ok';`);
    writeFileSync(join(source.dir, 'content', 'debug.log'), 'PHP Notice: a line of the source log\n');
    const src = await adapter.discover(host, location(source));
    const tgt = await adapter.discover(host, location(target));
    expect(src.logFiles).toEqual([join(source.dir, 'content', 'debug.log')]);
    const swap: SystemOptions = { settings: 'swap', secretKeys: false, logs: true, sourceAfter: 'read-only', restartCommand: ['true'] };
    const work = join(root, 'work-swap');
    expect((await precheck(src, tgt, swap, work)).filter((f) => f.level === 'error')).toEqual([]);
    const second = harness({ host, info: src }, { host, info: tgt }, swap, work);
    expect(second.operations.map((op) => op.name)).toEqual(['copy-settings', 'source-maintenance', 'snapshot-target', 'copy-files', 'copy-database', 'rewrite-urls', 'update-config', 'upgrade-database', 'restart', 'copy-logs', 'source-after', 'final-checks']);
    for (const op of second.operations) await second.run(op);
    expect(second.rec.warnings).toEqual([]);

    const options_ = (site: SiteInstance) => site.php(`echo json_encode( [ get_option( 'admin_email' ), get_option( 'mailserver_url' ) ] );`).then((out) => JSON.parse(out) as string[]);
    expect(await options_(target)).toEqual(['admin@example.org', 'mail.example.com']);
    expect(await options_(source)).toEqual(['ops@target.example', 'mail.target.example']);
    // No licence: the target keeps its own keys.
    expect(readFileSync(join(target.dir, 'wp-config-site.php'), 'utf8')).toBe(targetConfigBefore);
    expect(readFileSync(join(work, 'source-logs', '0-debug.log'), 'utf8')).toBe('PHP Notice: a line of the source log\n');
    expect(second.rec.infos.map((i) => i.message)).toContain(`ran true on ${host.label}`);
    // Read-only: pages are served, writes refused.
    expect(await pageStatus(`${source.url}/`)).toBe(200);
    const auth = `Basic ${Buffer.from(`${source.adminUser}:${source.appPassword}`).toString('base64')}`;
    const write = await fetch(`${source.url}/wp-json/wp/v2/posts`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'during the move' }) });
    expect(write.status).toBe(503);
    expect((await adapter.discover(host, location(source))).inMaintenance).toBe(true);

    await second.undoAll();
    expect(await options_(source)).toEqual(['admin@example.org', 'mail.example.com']);
    expect(await options_(target)).toEqual(['ops@target.example', 'mail.target.example']);
    expect((await adapter.discover(host, location(source))).inMaintenance).toBe(false);
    expect(() => lstatSync(join(work, 'source-logs'))).toThrow();
  }, 150_000);
});
