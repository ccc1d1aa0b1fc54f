/**
 * Real WordPress 6.1 sites (Debian's packages) on 127.0.0.1 for tests, the demo
 * and benchmarks. Each site folder holds its own mariadbd data, content folder
 * (uploads, a link to Twenty Twenty-Three, plugins, the harness mu-plugin),
 * config, router and logs; all sites share /usr/share/wordpress.
 *
 * How a site finds its config: Debian's wp-config.php picks
 * /etc/wordpress/config-<name>.php from $_SERVER['WORDPRESS_CONFIG'] (else from
 * the host, the same 127.0.0.1 for every site). The router and the CLI prelude
 * set it to one generic file, which requires the site's own config named by
 * the FERRY_WP_SITE_CONFIG environment variable (given to php -S and CLI php).
 *
 * What differs from a stock install, and why: the mu-plugin drops mail (no
 * mail transport here); the router refuses bodies over post_max_size with 413,
 * as a web server in front of PHP would (PHP itself lets raw-body REST uploads
 * through). Nothing else: no menu locations, no registered meta, the stock
 * block theme, so tests meet the site a fresh install gives.
 */
import { mkdirSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MariaDbServer } from './mariadb.js';
import { PortInUseError, startPhpServer, type PhpServer } from './php-server.js';
import { findFreePort, isPortOpen } from './ports.js';
import { runCommand } from './run-command.js';
import { createDatabase, relocate, startDatabase } from './wordpress-database.js';
import {
  ensureGenericConfig,
  layoutOf,
  newState,
  prepareContent,
  readState,
  secret,
  writeSiteFiles,
  writeState,
  type Layout,
  type SiteState,
} from './wordpress-files.js';
import { WORDPRESS_ROOT } from './wordpress-packages.js';
import { activatePluginsScript, createUserScript, installScript } from './wordpress-scripts.js';
import { SITE_CONFIG_ENV, phpString } from './wordpress-settings.js';

export { ensureWordPressPackages } from './wordpress-packages.js';
export { GENERATED_POST_META } from './wordpress-settings.js';

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
const ADMIN_USER = 'admin';
const ADMIN_EMAIL = 'admin@example.org';
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
