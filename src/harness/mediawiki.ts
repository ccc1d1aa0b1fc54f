import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync, appendFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { findFreePort } from './ports.js';
import { PortInUseError, startPhpServer, type PhpServer } from './php-server.js';
import { runCommand } from './run-command.js';
import {
  BOT_APP_ID,
  BOT_GRANTS,
  MEDIAWIKI_ROOT,
  harnessSettingsPhp,
  localSettingsTail,
  phpFile,
  routerPhp,
} from './mediawiki-settings.js';

export { ensureMediaWikiPackages } from './mediawiki-packages.js';
export { HARNESS_CUSTOM_GROUP } from './mediawiki-settings.js';

export interface WikiOptions {
  /** Site name, e.g. 'Source Wiki'. */
  name: string;
  /**
   * Folder the wiki lives in (database, uploads, settings, logs); created if missing.
   * A folder that already holds a harness wiki (or a copy of a stopped one) is reopened.
   */
  baseDir: string;
  /** Default: a free port. */
  port?: number;
  /** Load Scribunto (Module: namespace 828). Default true. */
  scribunto?: boolean;
  /** $wgMaxUploadSize; php -S gets matching upload_max_filesize / post_max_size. Default 100 MB. */
  maxUploadBytes?: number;
  /** PHP lines added to LocalSettings.php after the harness settings. */
  extraSettings?: string;
}

export interface WikiInstance {
  name: string;
  /** http://127.0.0.1:PORT */
  url: string;
  /** url + '/api.php' */
  apiUrl: string;
  dir: string;
  port: number;
  /** The wiki's admin (sysop, bureaucrat, interface-admin). */
  adminUser: string;
  adminPassword: string;
  /** Bot password login name for the Action API, e.g. 'Admin@ferry'. */
  botUser: string;
  botPassword: string;
  /** Runs a maintenance script (relative to maintenance/, or absolute) for this wiki; returns stdout. */
  php(script: string, args?: string[], options?: { input?: string | Buffer; signal?: AbortSignal }): Promise<string>;
  /** Replaces the overrides block; restarts php -S when the upload limit changes. */
  setSettings(phpLines: string): Promise<void>;
  runJobs(): Promise<void>;
  /** Stops the php -S server this instance started and waits for it to exit. */
  stop(): Promise<void>;
}

const MAINTENANCE = `${MEDIAWIKI_ROOT}/maintenance`;
const DEFAULT_MAX_UPLOAD = 100 * 1024 * 1024;
const STATE_FILE = 'ferry-wiki.json';
const ADMIN_USER = 'Admin';

/** What a restart of the same folder needs to know; holds test-only credentials. */
interface WikiState {
  name: string;
  dbName: string;
  adminPassword: string;
  botPassword: string;
}

// MediaWiki only recognises a bot password made of [0-9a-w] (BotPassword::canonicalizeLoginData).
const SECRET_ALPHABET = '0123456789abcdefghijklmnopqrstuvw';

function secret(length: number): string {
  return [...randomBytes(length)].map((byte) => SECRET_ALPHABET[byte % SECRET_ALPHABET.length]).join('');
}

function dbNameFor(name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40);
  // The database name is also the cookie prefix: wikis on 127.0.0.1 share one
  // cookie jar in a browser, so each needs its own.
  return `${slug || 'wiki'}_${randomBytes(3).toString('hex')}`;
}

/** Writes through a temporary file so a request never reads half a settings file. */
function writeAtomic(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

function stripPhpOpenTag(lines: string): string {
  return lines.replace(/^\s*<\?php\b/, '');
}

function uploadIni(maxUploadBytes: number): Record<string, string> {
  // Multipart framing and the other form fields need room beside the file itself.
  const bytes = Math.max(1, Math.floor(maxUploadBytes));
  return { upload_max_filesize: String(bytes), post_max_size: String(bytes + 1024 * 1024) };
}

interface Layout {
  dir: string;
  localSettings: string;
  harness: string;
  extra: string;
  overrides: string;
  router: string;
  opcacheBlacklist: string;
  serverLog: string;
}

function layoutOf(dir: string): Layout {
  return {
    dir,
    localSettings: join(dir, 'LocalSettings.php'),
    harness: join(dir, 'ferry-harness.php'),
    extra: join(dir, 'ferry-extra.php'),
    overrides: join(dir, 'ferry-overrides.php'),
    router: join(dir, 'router.php'),
    opcacheBlacklist: join(dir, 'opcache-blacklist.txt'),
    serverLog: join(dir, 'logs', 'php-server.log'),
  };
}

function phpEnv(layout: Layout): NodeJS.ProcessEnv {
  return { ...process.env, MW_CONFIG_FILE: layout.localSettings };
}

async function installWiki(layout: Layout, name: string, port: number): Promise<WikiState> {
  const state: WikiState = { name, dbName: dbNameFor(name), adminPassword: secret(24), botPassword: secret(32) };
  const args = [
    `${MAINTENANCE}/install.php`,
    '--dbtype', 'sqlite',
    '--dbpath', join(layout.dir, 'db'),
    '--dbname', state.dbName,
    '--confpath', layout.dir,
    '--server', `http://127.0.0.1:${port}`,
    '--scriptpath', '',
    '--lang', 'en',
    '--pass', state.adminPassword,
    name,
    ADMIN_USER,
  ];
  const env = { ...process.env };
  delete env.MW_CONFIG_FILE;
  await runCommand('php', args, { cwd: layout.dir, env, secrets: [state.adminPassword] });
  appendFileSync(layout.localSettings, localSettingsTail());
  writeAtomic(layout.overrides, phpFile('Overrides from WikiInstance.setSettings().', ''));
  return state;
}

async function createBotPassword(layout: Layout, state: WikiState): Promise<void> {
  const args = [
    `${MAINTENANCE}/createBotPassword.php`,
    '--appid', BOT_APP_ID,
    '--grants', BOT_GRANTS.join(','),
    ADMIN_USER,
    state.botPassword,
  ];
  await runCommand('php', args, { cwd: layout.dir, env: phpEnv(layout), secrets: [state.botPassword] });
}

function readState(layout: Layout): WikiState | undefined {
  const file = join(layout.dir, STATE_FILE);
  if (!existsSync(file) || !existsSync(layout.localSettings)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as WikiState;
}

/** Reads the effective $wgMaxUploadSize (a number, or an array per upload kind). */
async function effectiveMaxUpload(layout: Layout): Promise<number> {
  const { stdout } = await runCommand(
    'php',
    [`${MAINTENANCE}/getConfiguration.php`, '--settings', 'wgMaxUploadSize', '--format', 'json'],
    { cwd: layout.dir, env: phpEnv(layout) },
  );
  const value: unknown = (JSON.parse(stdout) as Record<string, unknown>).wgMaxUploadSize;
  if (typeof value === 'number') return value;
  if (value !== null && typeof value === 'object') {
    const sizes = Object.values(value).filter((v): v is number => typeof v === 'number');
    if (sizes.length > 0) return Math.max(...sizes);
  }
  return DEFAULT_MAX_UPLOAD;
}

interface ServerSpec {
  layout: Layout;
  port: number;
  maxUploadBytes: number;
}

async function launch(spec: ServerSpec): Promise<PhpServer> {
  const { layout, port } = spec;
  return startPhpServer({
    port,
    docRoot: MEDIAWIKI_ROOT,
    router: layout.router,
    env: { MW_CONFIG_FILE: layout.localSettings },
    workers: 2,
    ini: {
      // Without opcache every request compiles MediaWiki again (about 10x slower).
      'opcache.enable_cli': '1',
      // Settings files change while the server runs and must apply on the next request.
      'opcache.blacklist_filename': layout.opcacheBlacklist,
      ...uploadIni(spec.maxUploadBytes),
    },
    logFile: layout.serverLog,
    readyUrl: `http://127.0.0.1:${port}/api.php?action=query&meta=siteinfo&format=json`,
    readyTimeoutMs: 30_000,
  });
}

function writeHarnessFiles(layout: Layout, options: WikiOptions, port: number, maxUploadBytes: number): void {
  writeAtomic(
    layout.harness,
    harnessSettingsPhp({ name: options.name, dir: layout.dir, port, maxUploadBytes, scribunto: options.scribunto ?? true }),
  );
  writeAtomic(layout.extra, phpFile('WikiOptions.extraSettings', stripPhpOpenTag(options.extraSettings ?? '')));
  writeAtomic(layout.router, routerPhp(join(layout.dir, 'images')));
  writeAtomic(layout.opcacheBlacklist, `${layout.dir}/\n`);
}

/**
 * Installs (or reopens) a MediaWiki in `baseDir` and serves it with `php -S` on 127.0.0.1.
 *
 * @example
 * const wiki = await startWiki({ name: 'Source Wiki', baseDir: await mkdtemp(join(tmpdir(), 'mw-')) });
 * try { await fetch(`${wiki.apiUrl}?action=query&meta=siteinfo&format=json`); } finally { await wiki.stop(); }
 */
export async function startWiki(options: WikiOptions): Promise<WikiInstance> {
  mkdirSync(options.baseDir, { recursive: true });
  const dir = realpathSync(resolve(options.baseDir));
  const layout = layoutOf(dir);
  for (const sub of ['db', 'images', 'cache', 'logs', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });

  let port = options.port ?? (await findFreePort());
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD;
  let state = readState(layout);
  writeHarnessFiles(layout, options, port, maxUploadBytes);
  if (state === undefined) {
    state = await installWiki(layout, options.name, port);
    await createBotPassword(layout, state);
    writeFileSync(join(dir, STATE_FILE), JSON.stringify(state, null, 2), { mode: 0o600 });
  }

  const serverUpload = await effectiveMaxUpload(layout);
  let server: PhpServer | undefined;
  for (let attempt = 0; server === undefined; attempt++) {
    try {
      server = await launch({ layout, port, maxUploadBytes: serverUpload });
    } catch (error) {
      // Another process took the free port between probe and bind: pick again.
      if (!(error instanceof PortInUseError) || options.port !== undefined || attempt >= 4) throw error;
      port = await findFreePort();
      writeHarnessFiles(layout, options, port, maxUploadBytes);
    }
  }
  return makeInstance({ name: options.name, layout, state, server, port, serverUpload });
}

interface InstanceParts {
  name: string;
  layout: Layout;
  state: WikiState;
  server: PhpServer;
  port: number;
  /** The upload limit php -S was started with. */
  serverUpload: number;
}

function makeInstance(parts: InstanceParts): WikiInstance {
  const { layout, state, port } = parts;
  let server: PhpServer | undefined = parts.server;
  let serverUpload = parts.serverUpload;
  const url = `http://127.0.0.1:${port}`;

  const php: WikiInstance['php'] = async (script, args = [], runOptions = {}) => {
    const path = isAbsolute(script) ? script : join(MAINTENANCE, script);
    const { stdout } = await runCommand('php', [path, ...args], {
      cwd: layout.dir,
      env: phpEnv(layout),
      input: runOptions.input,
      signal: runOptions.signal,
      secrets: [state.adminPassword, state.botPassword],
    });
    return stdout;
  };

  const setSettings = async (phpLines: string): Promise<void> => {
    writeAtomic(layout.overrides, phpFile('Overrides from WikiInstance.setSettings().', stripPhpOpenTag(phpLines)));
    if (server === undefined) return;
    const wanted = await effectiveMaxUpload(layout);
    if (wanted === serverUpload) return;
    // php.ini upload limits are fixed when php -S starts.
    await server.stop();
    server = undefined;
    server = await launch({ layout, port, maxUploadBytes: wanted });
    serverUpload = wanted;
  };

  return {
    name: parts.name,
    url,
    apiUrl: `${url}/api.php`,
    dir: layout.dir,
    port,
    adminUser: ADMIN_USER,
    adminPassword: state.adminPassword,
    botUser: `${ADMIN_USER}@${BOT_APP_ID}`,
    botPassword: state.botPassword,
    php,
    setSettings,
    runJobs: async () => {
      await php('runJobs.php', ['--nothrottle']);
    },
    stop: async () => {
      const running = server;
      server = undefined;
      await running?.stop();
    },
  };
}
