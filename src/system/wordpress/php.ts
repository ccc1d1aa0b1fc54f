/**
 * Runs PHP with a WordPress installation loaded, on the host that has it
 * (system migration, issue 9). The installation is found from its config file,
 * the way a web request finds it — never from where the test harness puts
 * things:
 *
 * - Debian's package: one shared tree (/usr/share/wordpress) whose
 *   wp-config.php requires `/etc/wordpress/config-<name>.php`, picked by
 *   `$_SERVER['WORDPRESS_CONFIG']` (Apache's SetEnv) or by the host name. The
 *   location names that per-site file; we set what picks it, then load
 *   wp-load.php from the code folder.
 * - A classic install: its own tree with wp-config.php, which defines ABSPATH
 *   and requires wp-settings.php itself; we load wp-load.php next to it.
 *
 * The location's env (e.g. a variable the per-site config reads) is given to
 * PHP. wp_die() in CLI prints HTML and exits 0; a handler registered before
 * WordPress loads makes it fail loudly instead, also when the database cannot
 * be reached.
 */
import { ConnectorError } from '../../sdk/errors.js';
import { redact } from '../../sdk/redact.js';
import type { Host } from '../host.js';
import { endPhpSessions, phpRequest, requestLoopPhp, type PhpAnswer } from '../php-session.js';
import type { InstallationLocation } from '../types.js';
import { phpLiteral } from './search-replace-php.js';

export const JSON_MARKER = '@@FERRY-JSON@@';
export const DEBIAN_CODE_DIR = '/usr/share/wordpress';

function dirnameOf(path: string): string {
  const at = path.replace(/\/+$/, '').lastIndexOf('/');
  return at <= 0 ? '/' : path.slice(0, at);
}

/**
 * How PHP loads this installation, then `body` runs with WordPress loaded (top-level scope). `shortInit`:
 * WordPress's own SHORTINIT load, which stops after the config, the database ($wpdb), the object cache and
 * the drop-ins that come with them (db.php, object-cache.php...): no plugin, no theme.
 */
export function loaderPhp(location: InstallationLocation, body: string, shortInit = false): string {
  const debian = /^\/etc\/wordpress\/config-(.+)\.php$/.exec(location.configFile);
  const codeDir = location.codeDir ?? (debian ? DEBIAN_CODE_DIR : dirnameOf(location.configFile));
  let pick = '';
  if (debian) {
    const name = debian[1] ?? '';
    pick = /^[a-zA-Z0-9-]+$/.test(name)
      ? `$_SERVER['WORDPRESS_CONFIG'] = ${phpLiteral(name)};`
      : `$_SERVER['HTTP_HOST'] = ${phpLiteral(name)}; $_SERVER['SERVER_NAME'] = ${phpLiteral(name)};`;
  } else if (!/\/wp-config\.php$/.test(location.configFile)) {
    throw new ConnectorError(`${location.configFile} is neither a wp-config.php nor a Debian per-site config (/etc/wordpress/config-<site>.php)`, {
      kind: 'config',
      hint: 'give the wp-config.php of a classic install, or /etc/wordpress/config-<site>.php with codeDir /usr/share/wordpress for a Debian one',
    });
  }
  const load = debian ? `${codeDir}/wp-load.php` : `${dirnameOf(location.configFile)}/wp-load.php`;
  return `<?php
$_SERVER['HTTP_HOST'] = 'localhost';
$_SERVER['SERVER_NAME'] = 'localhost';
$_SERVER['SERVER_PORT'] = '80';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
// Ferry's own loads do not start the site's cron (an HTTP request to wp-cron.php that writes to the database while it is copied).
if ( ! defined( 'DISABLE_WP_CRON' ) ) {
	define( 'DISABLE_WP_CRON', true );
}
${pick}
function ferry_cli_die( $message, $title = '', $args = [] ) {
	if ( function_exists( 'is_wp_error' ) && is_wp_error( $message ) ) {
		$message = $message->get_error_message();
	}
	file_put_contents( 'php://stderr', 'wp_die: ' . trim( strip_tags( is_scalar( $message ) ? (string) $message : print_r( $message, true ) ) ) . "\\n" );
	exit( 3 );
}
$GLOBALS['wp_filter']['wp_die_handler'][10][] = [ 'function' => static function () { return 'ferry_cli_die'; }, 'accepted_args' => 1 ];
if ( ! is_file( ${phpLiteral(load)} ) ) {
	file_put_contents( 'php://stderr', 'ferry: no WordPress at ' . ${phpLiteral(load)} . "\\n" );
	exit( 4 );
}
${shortInit ? "define( 'SHORTINIT', true );\n" : ''}require_once ${phpLiteral(load)};
if ( ! defined( 'WPINC' ) || ! isset( $GLOBALS['wpdb'] ) ) {
	file_put_contents( 'php://stderr', "ferry: the config did not load WordPress\\n" );
	exit( 4 );
}
${body}
`;
}

export interface PhpRun {
  /** Secrets to keep out of any message (the database password...). */
  secrets?: readonly string[];
  /** What the snippet does, for the message when it fails. */
  what: string;
  /** WordPress loaded as far as its database only (loaderPhp's shortInit), in a PHP process of its own. */
  shortInit?: boolean;
}

const PHP_FLAGS = ['-d', 'display_errors=stderr', '-d', 'memory_limit=1024M', '-d', 'error_reporting=E_ALL & ~E_DEPRECATED & ~E_NOTICE & ~E_WARNING'];

function sessionKey(location: InstallationLocation): string {
  return `wordpress:${JSON.stringify([location.configFile, location.codeDir ?? null, Object.entries(location.env ?? {}).sort()])}`;
}

/**
 * Ends the PHP process kept for a WordPress installation of a host (or for
 * all of them); the next request loads WordPress again. After the database
 * was replaced from outside PHP (the copy, a snapshot restore), a loaded
 * WordPress holds settings read from the old one (permalinks, active plugins).
 */
export async function endWordPressPhp(host: Host, location?: InstallationLocation): Promise<void> {
  await endPhpSessions(host, location ? sessionKey(location) : 'wordpress:');
}

/** Runs `body` with the installation loaded; returns the JSON the body printed after JSON_MARKER. */
export async function runWordPressPhp<T>(host: Host, location: InstallationLocation, body: string, run: PhpRun): Promise<T> {
  // One PHP process per installation for the run (php-session.ts), WordPress loaded once, the object cache emptied before each request.
  const shortInit = run.shortInit ?? false;
  // A SHORTINIT process has a key of its own that starts with the full one's: endWordPressPhp ends both.
  const key = `${sessionKey(location)}${shortInit ? ' shortinit' : ''}`;
  const kept = await phpRequest(host, key, () => ({ argv: ['php', ...PHP_FLAGS, '-r', loaderPhp(location, requestLoopPhp('wp_cache_flush();'), shortInit).replace(/^<\?php\n/, '')], ...(location.env ? { env: location.env } : {}) }), body);
  const result: PhpAnswer = kept
    ?? await host.exec(['php', ...PHP_FLAGS], {
        input: loaderPhp(location, body, shortInit),
        ...(location.env ? { env: location.env } : {}),
        secrets: run.secrets ?? [],
        allowFailure: true,
      });
  const at = result.stdout.lastIndexOf(JSON_MARKER);
  if (result.code !== 0 || at < 0) {
    const detail = redact((result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' ').slice(0, 600), run.secrets ?? []);
    if (result.code === 0 && detail === '') {
      // wp-settings.php redirects to wp-admin/install.php and dies quietly when the database has no WordPress tables.
      throw new ConnectorError(`${run.what} on ${host.label} failed: WordPress at ${location.configFile} is not installed (its database has no WordPress tables)`, {
        kind: 'config',
        hint: 'finish the WordPress installation on that side first (its web installer), then run again; the copy replaces its content',
      });
    }
    const dbDown = /Error establishing a database connection|database connection/i.test(detail);
    throw new ConnectorError(`${run.what} on ${host.label} failed (WordPress at ${location.configFile}): ${detail || `php exited with ${result.code}`}`, {
      kind: dbDown ? 'transient' : 'config',
      hint: dbDown
        ? 'start the database server of this installation and check DB_HOST, DB_USER and DB_PASSWORD in its config'
        : 'check that the config file is the one this WordPress site uses (and the location env it needs), and that php is installed on that host',
    });
  }
  const line = result.stdout.slice(at + JSON_MARKER.length).split('\n')[0] ?? '';
  return JSON.parse(line) as T;
}
