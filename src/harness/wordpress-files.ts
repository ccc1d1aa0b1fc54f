/** The files of a harness WordPress site: folder layout, saved state, config, router, mu-plugin. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { WORDPRESS_ROOT } from './wordpress-packages.js';
import {
  GENERIC_CONFIG_PATH,
  SALT_NAMES,
  cliPreludePhp,
  genericConfigPhp,
  isHarnessGenericConfig,
  muPluginPhp,
  routerPhp,
  siteConfigPhp,
} from './wordpress-settings.js';

const STATE_FILE = 'ferry-site.json';
const THEME = 'twentytwentythree';
const DEBIAN_CONTENT = `${WORDPRESS_ROOT}/wp-content`;

/** What a restart of the same folder needs to know; holds test-only credentials. */
export interface SiteState {
  name: string;
  /** The URL the content in the database was written for. */
  url: string;
  adminPassword: string;
  appPassword: string;
  db: { name: string; user: string; password: string };
  salts: Record<string, string>;
}

export interface Layout {
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

export function layoutOf(dir: string): Layout {
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
export const secret = (length: number): string => randomBytes(length * 2).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, length);

export function newState(name: string, url: string): SiteState {
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

export function readState(dir: string): SiteState | undefined {
  const file = join(dir, STATE_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SiteState) : undefined;
}

export const writeState = (dir: string, state: SiteState): void => writeAtomic(join(dir, STATE_FILE), JSON.stringify(state, null, 2), 0o600);

/** The one file under /etc: shared by every harness site, the same text each time. */
export function ensureGenericConfig(): void {
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
export function prepareContent(layout: Layout, plugins: readonly string[]): void {
  for (const sub of ['themes', 'plugins', 'mu-plugins', 'uploads']) mkdirSync(join(layout.contentDir, sub), { recursive: true });
  const links = [['themes', THEME], ...plugins.map((plugin) => ['plugins', plugin])] as const;
  for (const [kind, folder] of links) {
    const link = join(layout.contentDir, kind, folder);
    const source = join(DEBIAN_CONTENT, kind, folder);
    if (!existsSync(link) && existsSync(source)) symlinkSync(source, link);
  }
}

export function writeSiteFiles(layout: Layout, state: SiteState, port: number, socket: string): void {
  const url = `http://127.0.0.1:${port}`;
  const db = { ...state.db, socket };
  writeAtomic(layout.siteConfig, siteConfigPhp({ url, contentDir: layout.contentDir, db, salts: state.salts }), 0o600);
  writeAtomic(layout.cliPrelude, cliPreludePhp({ port, siteConfig: layout.siteConfig }));
  writeAtomic(layout.router, routerPhp(layout.contentDir));
  writeAtomic(layout.muPlugin, muPluginPhp());
}

