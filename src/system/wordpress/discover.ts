/**
 * Discovery of a WordPress installation on a host: PHP loads it from its
 * config (see php.ts) and prints what the config and the database say.
 */
import { ConnectorError } from '../../sdk/errors.js';
import type { Host } from '../host.js';
import type { InstallationInfo, InstallationLocation } from '../types.js';
import { query } from './db.js';
import { endWordPressPhp, runWordPressPhp } from './php.js';

export const SALT_NAMES = ['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT'] as const;

/** Per-site maintenance switch (see operations.ts: why not ABSPATH/.maintenance). */
export const MAINTENANCE_PLUGIN = 'ferry-maintenance.php';

/**
 * Fault injection for tests: a location env with this variable makes the
 * installation report that WordPress version (e.g. a target "older" than
 * its source) without installing another one.
 */
export const FAKE_VERSION_ENV = 'FERRY_FAULT_WP_VERSION';

/** What the PHP side reports; paths are on the installation's host. */
export interface WordPressFacts {
  db: { name: string; user: string; password: string; host: string };
  prefix: string;
  home: string;
  siteurl: string;
  /** The raw option values (a config may override them with WP_HOME / WP_SITEURL). */
  homeOption: string;
  version: string;
  dbVersion: string;
  abspath: string;
  contentDir: string;
  uploadsDir: string;
  pluginsDir: string;
  themesDir: string;
  muPluginsDir: string;
  secrets: Record<string, string>;
  /** Files the config was read from (the ones defining DB_NAME or the salts), in load order. */
  configFiles: string[];
  /** The file that defines AUTH_KEY..., where the licence option writes the source's keys. */
  saltsFile: string | null;
  maintenance: 'maintenance' | 'read-only' | 'core' | null;
  debugLog: string | null;
  blogname: string;
  /** Drop-ins in wp-content that WordPress loads before any plugin, even with SHORTINIT (db.php...). */
  dropIns: string[];
}

/** What a WordPress installation's description holds beyond InstallationInfo. */
export interface WordPressDetails {
  /** WordPressFacts.dropIns: code that a SHORTINIT load runs too, and which may include a plugin's files. */
  dropIns: string[];
  /** WordPressFacts.saltsFile: where the licence option writes the source's keys (the copy does not move it). */
  saltsFile: string | null;
}

/** The WordPress details of an installation's description (discoverWordPress always adds them). */
export function wordpressOf(info: InstallationInfo): WordPressDetails {
  return (info as Partial<{ wordpress: WordPressDetails }>).wordpress ?? { dropIns: [], saltsFile: null };
}

const FACTS_PHP = `
global $wpdb, $table_prefix, $wp_version, $wp_db_version;
$ferry_config_files = [];
$ferry_salts_file = null;
foreach ( get_included_files() as $ferry_file ) {
	if ( strpos( $ferry_file, ABSPATH . 'wp-includes/' ) === 0 || strpos( $ferry_file, ABSPATH . 'wp-admin/' ) === 0 || strpos( $ferry_file, WP_CONTENT_DIR . '/' ) === 0 ) {
		continue;
	}
	$ferry_text = @file_get_contents( $ferry_file );
	if ( ! is_string( $ferry_text ) ) {
		continue;
	}
	$ferry_defines_db = preg_match( '/define\\s*\\(\\s*[\\'"]DB_NAME[\\'"]/', $ferry_text );
	$ferry_defines_salts = preg_match( '/define\\s*\\(\\s*[\\'"]AUTH_KEY[\\'"]/', $ferry_text );
	if ( $ferry_defines_db || $ferry_defines_salts ) {
		$ferry_config_files[] = $ferry_file;
	}
	if ( $ferry_defines_salts ) {
		$ferry_salts_file = $ferry_file;
	}
}
$ferry_secrets = [];
foreach ( ${JSON.stringify(SALT_NAMES).replace(/"/g, "'")} as $ferry_name ) {
	if ( defined( $ferry_name ) ) {
		$ferry_secrets[ $ferry_name ] = constant( $ferry_name );
	}
}
$ferry_mode = null;
$ferry_switch = WPMU_PLUGIN_DIR . '/${MAINTENANCE_PLUGIN}';
if ( is_file( $ferry_switch ) ) {
	$ferry_mode = strpos( (string) file_get_contents( $ferry_switch ), 'FERRY_MODE: read-only' ) !== false ? 'read-only' : 'maintenance';
} elseif ( is_file( ABSPATH . '.maintenance' ) ) {
	$ferry_mode = 'core';
}
$ferry_uploads = wp_upload_dir( null, false );
$ferry_fake = getenv( '${FAKE_VERSION_ENV}' );
$ferry_debug = null;
if ( defined( 'WP_DEBUG_LOG' ) && WP_DEBUG_LOG ) {
	$ferry_debug = is_string( WP_DEBUG_LOG ) ? WP_DEBUG_LOG : WP_CONTENT_DIR . '/debug.log';
} elseif ( is_file( WP_CONTENT_DIR . '/debug.log' ) ) {
	$ferry_debug = WP_CONTENT_DIR . '/debug.log';
}
echo "\\n@@FERRY-JSON@@" . json_encode( [
	'db' => [ 'name' => DB_NAME, 'user' => DB_USER, 'password' => DB_PASSWORD, 'host' => DB_HOST ],
	'prefix' => $table_prefix,
	'home' => get_option( 'home' ),
	'siteurl' => get_option( 'siteurl' ),
	'homeOption' => (string) $wpdb->get_var( "SELECT option_value FROM {$wpdb->options} WHERE option_name = 'home'" ),
	'version' => is_string( $ferry_fake ) && $ferry_fake !== '' ? $ferry_fake : $wp_version,
	'dbVersion' => (string) $wp_db_version,
	'abspath' => ABSPATH,
	'contentDir' => WP_CONTENT_DIR,
	'uploadsDir' => $ferry_uploads['basedir'],
	'pluginsDir' => WP_PLUGIN_DIR,
	'themesDir' => get_theme_root(),
	'muPluginsDir' => WPMU_PLUGIN_DIR,
	'secrets' => $ferry_secrets,
	'configFiles' => $ferry_config_files,
	'saltsFile' => $ferry_salts_file,
	'maintenance' => $ferry_mode,
	'debugLog' => $ferry_debug,
	'blogname' => get_option( 'blogname' ),
	'dropIns' => array_values( array_filter( [ 'db.php', 'object-cache.php', 'advanced-cache.php', 'sunrise.php' ], static function ( $ferry_name ) {
		return is_file( WP_CONTENT_DIR . '/' . $ferry_name );
	} ) ),
] ) . "\\n";
`;

/** Reads the installation's facts (a PHP run of about half a second). */
export async function readFacts(host: Host, location: InstallationLocation): Promise<WordPressFacts> {
  return runWordPressPhp<WordPressFacts>(host, location, FACTS_PHP, { what: 'Reading the WordPress installation' });
}

/** Bytes of the regular files under a folder (0 when it is not there). */
export async function folderBytes(host: Host, dir: string): Promise<number> {
  if (!(await host.stat(dir))) return 0;
  let bytes = 0;
  for await (const entry of host.list(dir)) if (entry.kind === 'file') bytes += entry.size;
  return bytes;
}

/** Replication as the database reports it; undefined when the account may not ask (no REPLICATION CLIENT / SLAVE MONITOR right). */
async function replication(host: Host, info: InstallationInfo['database']): Promise<boolean | undefined> {
  try {
    // One client run for both: a row from either says replicated; a refusal of either, unknown.
    return (await query(host, info, 'SHOW SLAVE STATUS; SHOW SLAVE HOSTS;')).length > 0;
  } catch {
    return undefined;
  }
}

export async function discoverWordPress(host: Host, location: InstallationLocation): Promise<InstallationInfo & { wordpress: WordPressDetails }> {
  // The host's names and addresses do not depend on the installation: asked while WordPress loads.
  const hostInfo = host.info();
  hostInfo.catch(() => undefined);
  // Discovery reads the installation as its config is now: a WordPress kept loaded from before (php.ts) loads again.
  await endWordPressPhp(host, location);
  const facts = await readFacts(host, location);
  const database: InstallationInfo['database'] = {
    engine: 'mariadb',
    location: facts.db.host,
    name: facts.db.name,
    user: facts.db.user,
    password: facts.db.password,
    tablePrefix: facts.prefix,
    sizeBytes: 0,
    replicated: false,
  };
  // Independent reads of the host: at once.
  const [sizes, replicated, hostNames, uploadsBytes, debugLog] = await Promise.all([
    query(host, database, `SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.tables WHERE table_schema = DATABASE();`).catch((error: unknown) => {
      throw error instanceof ConnectorError
        ? new ConnectorError(`WordPress at ${location.configFile} loads, but its database cannot be read with the mariadb client: ${error.message}`, { kind: error.kind, ...(error.hint ? { hint: error.hint } : {}) })
        : error;
    }),
    replication(host, database),
    hostInfo,
    folderBytes(host, facts.uploadsDir),
    facts.debugLog ? host.stat(facts.debugLog) : Promise.resolve(undefined),
  ]);
  database.sizeBytes = Number(sizes[0]?.[0] ?? 0);
  database.replicated = replicated === true;
  const url = facts.home;
  let domain = '';
  try {
    domain = new URL(url).hostname;
  } catch {
    domain = '';
  }
  const logFiles: string[] = [];
  if (facts.debugLog && debugLog?.kind === 'file') logFiles.push(facts.debugLog);
  return {
    platform: 'wordpress',
    version: facts.version,
    location,
    url,
    hostName: hostNames.fqdn || hostNames.hostname,
    domain,
    addresses: hostNames.addresses,
    database,
    uploadsDir: facts.uploadsDir,
    uploadsBytes,
    extraDirs: [facts.pluginsDir, facts.themesDir],
    logFiles,
    secrets: facts.secrets,
    serverRole: database.replicated ? 'replicated' : 'standalone',
    inMaintenance: facts.maintenance !== null,
    wordpress: { dropIns: facts.dropIns ?? [], saltsFile: facts.saltsFile },
  };
}

/** Compares WordPress versions ("6.1.9" < "6.2"): negative, 0 or positive. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string): number[] => v.split(/[.-]/).map((p) => Number.parseInt(p, 10)).map((n) => (Number.isNaN(n) ? 0 : n));
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
