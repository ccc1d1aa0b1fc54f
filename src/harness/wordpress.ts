import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { MariaDbServer } from './mariadb.js';
import { PortInUseError, startPhpServer, type PhpServer } from './php-server.js';
import { findFreePort, isPortOpen } from './ports.js';
import { runCommand } from './run-command.js';
import { createDatabase, relocate, startDatabase } from './wordpress-database.js';
import { WORDPRESS_ROOT } from './wordpress-packages.js';
import {
  activatePluginsScript,
  createUserScript,
  installScript,
} from './wordpress-scripts.js';
import {
  GENERIC_CONFIG_PATH,
  SALT_NAMES,
  SITE_CONFIG_ENV,
  cliPreludePhp,
  genericConfigPhp,
  isHarnessGenericConfig,
  muPluginPhp,
  phpString,
  routerPhp,
  siteConfigPhp,
} from './wordpress-settings.js';

export { ensureWordPressPackages } from './wordpress-packages.js';
export { HARNESS_MENU_LOCATIONS, HARNESS_POST_META } from './wordpress-settings.js';

export interface SiteOptions {
  /** Blog title, e.g. 'Source Blog'. */
  name: string;
  /**
   * Folder the site lives in (database, content, config, logs); created if missing.
   * A folder that already holds a harness site (or a copy of a stopped one) is reopened.
   */
  baseDir: string;
  /** Default: the port of the last start when free, else a free port. */
  port?: number;
  /** PHP upload_max_filesize / post_max_size for php -S. Default 64 MB. */
  maxUploadBytes?: number;
  /** Plugin folder names to activate; looked up in the site's plugins folder, then in Debian's. */
  plugins?: string[];
}

export interface SiteInstance {
  name: string;
  /** http://127.0.0.1:PORT */
  url: string;
  /** url + '/wp-json' */
  restUrl: string;
  dir: string;
  port: number;
  adminUser: string;
  adminPassword: string;
  adminEmail: string;
  /** An Application Password of the admin, for REST Basic auth as adminUser. */
  appPassword: string;
  /** The site's private MariaDB (for benchmarks and debugging). */
  database: { name: string; user: string; password: string; socket: string; port: number };
  /** Runs a PHP snippet with this site's WordPress loaded; returns stdout, throws with stderr on failure. */
  php(code: string): Promise<string>;
  /** Restarts php -S with new upload_max_filesize / post_max_size. */
  setUploadLimit(bytes: number): Promise<void>;
  /** Creates a user through wp_insert_user(); returns its id. */
  createUser(options: { login: string; email: string; role: string; password?: string }): Promise<number>;
  /** Stops php -S and this site's mariadbd, and waits for both to exit. */
  stop(): Promise<void>;
}

const DEFAULT_MAX_UPLOAD = 64 * 1024 * 1024;
const STATE_FILE = 'ferry-site.json';
const ADMIN_USER = 'admin';
const ADMIN_EMAIL = 'admin@example.org';
const THEME = 'twentytwentythree';
const DEBIAN_CONTENT = `${WORDPRESS_ROOT}/wp-content`;

/** What a restart of the same folder needs to know; holds test-only credentials. */
interface SiteState {
  name: string;
  /** The URL the content in the database was written for. */
  url: string;
  adminPassword: string;
  appPassword: string;
  db: { name: string; user: string; password: string };
  salts: Record<string, string>;
}

interface Layout {
  dir: string;
  dataDir: string;
  contentDir: string;
  siteConfig: string;
  cliPrelude: string;
  router: string;
  muPlugin: string;
  tmpDir: string;
  serverLog: string;
  dbLog: string;
}

function layoutOf(dir: string): Layout {
  return {
    dir,
    dataDir: join(dir, 'db'),
    contentDir: join(dir, 'content'),
    siteConfig: join(dir, 'wp-config-site.php'),
    cliPrelude: join(dir, 'cli-prelude.php'),
    router: join(dir, 'router.php'),
    muPlugin: join(dir, 'content', 'mu-plugins', 'ferry-harness.php'),
    tmpDir: join(dir, 'tmp'),
    serverLog: join(dir, 'logs', 'php-server.log'),
    dbLog: join(dir, 'logs', 'mariadb.log'),
  };
}

// Letters and digits only: no quoting surprises in SQL, PHP or shell.
const secret = (length: number): string => randomBytes(length * 2).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, length);

function newState(name: string, url: string): SiteState {
  return {
    name,
    url,
    adminPassword: secret(24),
    appPassword: '',
    db: { name: 'wordpress', user: 'wordpress', password: secret(24) },
    salts: Object.fromEntries(SALT_NAMES.map((salt) => [salt, secret(64)])),
  };
}

/** Writes through a temporary file so a request never reads half a file. */
function writeAtomic(path: string, text: string, mode?: number): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, mode === undefined ? undefined : { mode });
  renameSync(temporary, path);
}

function readState(dir: string): SiteState | undefined {
  const file = join(dir, STATE_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SiteState) : undefined;
}

const writeState = (dir: string, state: SiteState): void => writeAtomic(join(dir, STATE_FILE), JSON.stringify(state, null, 2), 0o600);

/** The one file under /etc: shared by every harness site, the same text each time. */
function ensureGenericConfig(): void {
  const wanted = genericConfigPhp();
  const current = existsSync(GENERIC_CONFIG_PATH) ? readFileSync(GENERIC_CONFIG_PATH, 'utf8') : undefined;
  // Unchanged: nothing to write, so a user without root can run sites once root has set it up.
  if (current === wanted) return;
  if (current !== undefined && !isHarnessGenericConfig(current)) {
    throw new Error(`${GENERIC_CONFIG_PATH} exists and was not written by the Ferry harness; move it away`);
  }
  try {
    mkdirSync(dirname(GENERIC_CONFIG_PATH), { recursive: true });
    writeAtomic(GENERIC_CONFIG_PATH, wanted, 0o644);
  } catch (error) {
    throw new Error(`cannot write ${GENERIC_CONFIG_PATH} (start one site as root once): ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The theme (and requested plugins) are linked from Debian's tree, not copied. */
function prepareContent(layout: Layout, plugins: readonly string[]): void {
  for (const sub of ['themes', 'plugins', 'mu-plugins', 'uploads']) mkdirSync(join(layout.contentDir, sub), { recursive: true });
  const links = [['themes', THEME], ...plugins.map((plugin) => ['plugins', plugin])] as const;
  for (const [kind, folder] of links) {
    const link = join(layout.contentDir, kind, folder);
    const source = join(DEBIAN_CONTENT, kind, folder);
    if (!existsSync(link) && existsSync(source)) symlinkSync(source, link);
  }
}

function writeSiteFiles(layout: Layout, state: SiteState, port: number, socket: string): void {
  const url = `http://127.0.0.1:${port}`;
  const db = { ...state.db, socket };
  writeAtomic(layout.siteConfig, siteConfigPhp({ url, contentDir: layout.contentDir, db, salts: state.salts }), 0o600);
  writeAtomic(layout.cliPrelude, cliPreludePhp({ port, siteConfig: layout.siteConfig }));
  writeAtomic(layout.router, routerPhp(layout.contentDir));
  writeAtomic(layout.muPlugin, muPluginPhp());
}

interface PhpRun {
  installing?: boolean;
}

async function runPhp(layout: Layout, state: SiteState, code: string, run: PhpRun = {}): Promise<string> {
  const body = code.replace(/^\s*<\?php\b/, '');
  const script = `<?php ${run.installing === true ? "define( 'WP_INSTALLING', true ); " : ''}require ${phpString(layout.cliPrelude)};\n${body}`;
  // Each snippet is a new process: without a file cache, compiling WordPress is half of its start-up time.
  const ini = { display_errors: 'stderr', memory_limit: '1024M', 'opcache.enable_cli': '1', 'opcache.file_cache': join(layout.tmpDir, 'opcache'), 'opcache.file_cache_only': '1' };
  mkdirSync(ini['opcache.file_cache'], { recursive: true });
  const { stdout } = await runCommand('php', Object.entries(ini).flatMap(([name, value]) => ['-d', `${name}=${value}`]), {
    cwd: layout.dir,
    env: { ...process.env, [SITE_CONFIG_ENV]: layout.siteConfig },
    input: script,
    secrets: [state.adminPassword, state.appPassword, state.db.password],
  });
  return stdout;
}

function uploadIni(maxUploadBytes: number): Record<string, string> {
  // Multipart framing and the other form fields need a little room beside the
  // file; the router refuses any body over post_max_size (raw-body uploads too).
  const bytes = Math.max(1, Math.floor(maxUploadBytes));
  return { upload_max_filesize: String(bytes), post_max_size: String(bytes + 64 * 1024) };
}

async function launch(layout: Layout, port: number, maxUploadBytes: number): Promise<PhpServer> {
  return startPhpServer({
    port,
    docRoot: WORDPRESS_ROOT,
    router: layout.router,
    env: { [SITE_CONFIG_ENV]: layout.siteConfig },
    // REST writes: about 20/s with one process, about 45/s with four.
    workers: 4,
    ini: { 'opcache.enable_cli': '1', memory_limit: '512M', ...uploadIni(maxUploadBytes) },
    logFile: layout.serverLog,
    readyUrl: `http://127.0.0.1:${port}/wp-json/`,
    readyTimeoutMs: 30_000,
  });
}

/** The port the site had last time when it is still free: its content then needs no rewriting. */
async function choosePort(requested: number | undefined, previousUrl: string | undefined): Promise<number> {
  if (requested !== undefined) return requested;
  const previous = previousUrl === undefined ? undefined : Number(new URL(previousUrl).port);
  if (previous !== undefined && previous > 0 && !(await isPortOpen(previous))) return previous;
  return findFreePort();
}

/**
 * Installs (or reopens) a WordPress site in `baseDir`: a private mariadbd, then
 * `php -S` with four workers on 127.0.0.1. A new site has WordPress's default
 * content (Hello world!, Sample Page, a privacy policy draft, one comment).
 *
 * @example
 * const site = await startSite({ name: 'Source Blog', baseDir: await mkdtemp(join(tmpdir(), 'wp-')) });
 * try {
 *   const auth = `Basic ${Buffer.from(`${site.adminUser}:${site.appPassword}`).toString('base64')}`;
 *   await fetch(`${site.restUrl}/wp/v2/posts?status=any`, { headers: { authorization: auth } });
 * } finally { await site.stop(); }
 */
export async function startSite(options: SiteOptions): Promise<SiteInstance> {
  mkdirSync(options.baseDir, { recursive: true });
  const dir = realpathSync(resolve(options.baseDir));
  const layout = layoutOf(dir);
  for (const sub of ['logs', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  ensureGenericConfig();
  prepareContent(layout, options.plugins ?? []);

  const saved = readState(dir);
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD;
  let port = await choosePort(options.port, saved?.url);
  const state = saved ?? newState(options.name, `http://127.0.0.1:${port}`);
  const db = await startDatabase({ dir: layout.dir, dataDir: layout.dataDir, logFile: layout.dbLog, tmpDir: layout.tmpDir });
  let server: PhpServer | undefined;
  try {
    writeSiteFiles(layout, state, port, db.socket);
    if (saved === undefined) {
      await createDatabase(db, state.db);
      const out = await runPhp(layout, state, installScript({ title: options.name, user: ADMIN_USER, email: ADMIN_EMAIL, password: state.adminPassword }), { installing: true });
      state.appPassword = (JSON.parse(out) as { appPassword: string }).appPassword;
      writeState(dir, state);
    }
    if ((options.plugins ?? []).length > 0) await runPhp(layout, state, activatePluginsScript(options.plugins ?? []));
    for (let attempt = 0; server === undefined; attempt++) {
      try {
        server = await launch(layout, port, maxUploadBytes);
      } catch (error) {
        if (!(error instanceof PortInUseError) || options.port !== undefined || attempt >= 4) throw error;
        port = await findFreePort();
        writeSiteFiles(layout, state, port, db.socket);
      }
    }
    const url = `http://127.0.0.1:${port}`;
    if (state.url !== url) {
      await relocate(db, { database: state.db.name, from: state.url, to: url });
      state.url = url;
      writeState(dir, state);
    }
    return makeInstance({ name: options.name, layout, state, db, server, port, maxUploadBytes });
  } catch (error) {
    await server?.stop();
    await db.stop();
    throw error;
  }
}

interface InstanceParts {
  name: string;
  layout: Layout;
  state: SiteState;
  db: MariaDbServer;
  server: PhpServer;
  port: number;
  maxUploadBytes: number;
}

function makeInstance(parts: InstanceParts): SiteInstance {
  const { layout, state, db, port } = parts;
  let server: PhpServer | undefined = parts.server;
  const url = `http://127.0.0.1:${port}`;
  const php = (code: string): Promise<string> => runPhp(layout, state, code);

  return {
    name: parts.name,
    url,
    restUrl: `${url}/wp-json`,
    dir: layout.dir,
    port,
    adminUser: ADMIN_USER,
    adminPassword: state.adminPassword,
    adminEmail: ADMIN_EMAIL,
    appPassword: state.appPassword,
    database: { ...state.db, socket: db.socket, port: db.port },
    php,
    setUploadLimit: async (bytes) => {
      // php.ini upload limits are fixed when php -S starts.
      const running = server;
      server = undefined;
      await running?.stop();
      server = await launch(layout, port, bytes);
    },
    createUser: async (user) => {
      const out = await php(createUserScript({ ...user, password: user.password ?? secret(20) }));
      return Number(out.trim());
    },
    stop: async () => {
      const running = server;
      server = undefined;
      await running?.stop();
      await db.stop();
    },
  };
}
