/**
 * PHP text the harness writes for each WordPress site: its config, the router
 * for `php -S`, a must-use plugin and the prelude of CLI snippets. Kept apart
 * from the process handling so the settings can be read in one place.
 */
import { phpString } from './mediawiki-settings.js';
import { WORDPRESS_ROOT } from './wordpress-packages.js';

export { phpString };

/**
 * Debian's wp-config.php loads `/etc/wordpress/config-<WORDPRESS_CONFIG>.php`
 * when `$_SERVER['WORDPRESS_CONFIG']` is set, else a file named after the
 * host; every harness site is on 127.0.0.1, so the host cannot tell them
 * apart. The router and the CLI prelude set WORDPRESS_CONFIG to this name, and
 * that one generic file (the only one the harness writes under /etc) requires
 * the site's own config, named by {@link SITE_CONFIG_ENV}.
 */
export const CONFIG_NAME = 'ferry-harness';
export const GENERIC_CONFIG_PATH = `/etc/wordpress/config-${CONFIG_NAME}.php`;
/** Environment variable (given to php -S and to CLI php) naming the site's config file. */
export const SITE_CONFIG_ENV = 'FERRY_WP_SITE_CONFIG';

/**
 * Post meta keys the generator writes. Nothing registers them (a stock site
 * has no plugin that would), so the REST API does not show them: they are
 * the "meta not exposed" a real site's plugins leave behind.
 */
export const GENERATED_POST_META = {
  subtitle: 'ferry_subtitle',
  rating: 'ferry_rating',
} as const;

/** Marks the generic file as ours, so one written by someone else is never replaced. */
const GENERIC_MARKER = 'Ferry test harness: generic config';

export function isHarnessGenericConfig(text: string): boolean {
  return text.includes(GENERIC_MARKER);
}

export function genericConfigPhp(): string {
  return `<?php
// ${GENERIC_MARKER}.
// Each harness site names its own config file in the environment variable
// ${SITE_CONFIG_ENV}; its router (php -S) and CLI prelude select this file
// through $_SERVER['WORDPRESS_CONFIG']. Safe to delete when no harness site runs.
$ferry_site_config = getenv( ${phpString(SITE_CONFIG_ENV)} );
if ( ! is_string( $ferry_site_config ) || $ferry_site_config === '' || ! is_file( $ferry_site_config ) ) {
\theader( 'HTTP/1.0 500 Internal Server Error' );
\techo "Ferry harness: ${SITE_CONFIG_ENV} does not name a readable site config.\\n";
\texit( 1 );
}
require $ferry_site_config;
`;
}

export interface SiteConfigInput {
  url: string;
  contentDir: string;
  db: { name: string; user: string; password: string; socket: string };
  /** The eight AUTH_KEY ... NONCE_SALT values. */
  salts: Readonly<Record<string, string>>;
}

export const SALT_NAMES = [
  'AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY',
  'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT',
] as const;

const define = (name: string, value: string | boolean): string =>
  `define( ${phpString(name)}, ${typeof value === 'boolean' ? String(value) : phpString(value)} );`;

/** The site's wp-config part: database, URLs, its own content folder, quiet local defaults. */
export function siteConfigPhp(input: SiteConfigInput): string {
  const lines = [
    '<?php',
    '// Written by the Ferry test harness on every start; edits are lost.',
    '',
    '// The private mariadbd of this site, through its socket.',
    define('DB_NAME', input.db.name),
    define('DB_USER', input.db.user),
    define('DB_PASSWORD', input.db.password),
    define('DB_HOST', `localhost:${input.db.socket}`),
    define('DB_CHARSET', 'utf8mb4'),
    define('DB_COLLATE', ''),
    "$table_prefix = 'wp_';",
    '',
    ...SALT_NAMES.map((name) => define(name, input.salts[name] ?? '')),
    '',
    '// The port is chosen at start; the options in the database follow these constants.',
    define('WP_HOME', input.url),
    define('WP_SITEURL', input.url),
    "// Debian's default content folder (/var/lib/wordpress/wp-content) is shared by all sites.",
    define('WP_CONTENT_DIR', input.contentDir),
    define('WP_CONTENT_URL', `${input.url}/wp-content`),
    define('WP_DEFAULT_THEME', 'twentytwentythree'),
    '',
    '// Application Passwords need HTTPS unless the environment is local.',
    define('WP_ENVIRONMENT_TYPE', 'local'),
    '// WP-Cron would call back into php -S on every page view and run at random times.',
    define('DISABLE_WP_CRON', true),
    '// No network but loopback: updates, pings, oEmbed and feeds must not try.',
    define('WP_HTTP_BLOCK_EXTERNAL', true),
    define('AUTOMATIC_UPDATER_DISABLED', true),
    define('WP_ALLOW_MULTISITE', false),
    define('FS_METHOD', 'direct'),
    define('WP_MEMORY_LIMIT', '256M'),
    define('WP_MAX_MEMORY_LIMIT', '512M'),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * A must-use plugin: loaded before any theme or plugin on every request and
 * CLI snippet. It holds the one thing a stock install lacks on purpose: no
 * menu locations, no REST-visible meta, nothing that would hide what a real
 * site looks like (Twenty Twenty-Three, a block theme, has no classic menu
 * locations and `wp/v2/menu-locations` answers `[]`).
 */
export function muPluginPhp(): string {
  return `<?php
/**
 * Plugin Name: Ferry test harness
 * Description: Written by the Ferry test harness on every start; edits are lost.
 */

// Kept on purpose although a stock install lacks it: there is no mail transport
// on a test machine, and PHPMailer would try sendmail for every new comment
// awaiting moderation and every user notification. Ferry never reads mail.
add_filter( 'pre_wp_mail', '__return_false' );
`;
}

const STATIC_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png', gif: 'image/gif', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', svg: 'image/svg+xml',
  ico: 'image/x-icon', pdf: 'application/pdf', css: 'text/css', js: 'text/javascript', json: 'application/json',
  txt: 'text/plain', woff: 'font/woff', woff2: 'font/woff2', ttf: 'font/ttf', mp3: 'audio/mpeg', mp4: 'video/mp4',
};

/**
 * Router for `php -S`: selects the harness config, refuses bodies over
 * post_max_size with 413, serves /wp-content/* from the
 * site's own content folder (following the theme symlink), lets php -S serve
 * WordPress's own files and scripts, and sends everything else (pretty
 * permalinks, /wp-json/...) to index.php as Apache's rewrite rules would.
 */
export function routerPhp(contentDir: string): string {
  const types = Object.entries(STATIC_TYPES).map(([ext, type]) => `${phpString(ext)} => ${phpString(type)}`).join(', ');
  return `<?php
// Written by the Ferry test harness on every start; edits are lost.
$_SERVER['WORDPRESS_CONFIG'] = ${phpString(CONFIG_NAME)};
$ferry_path = rawurldecode( parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH ) ?? '/' );
if ( strpos( $ferry_path, "\\0" ) !== false || preg_match( '#(^|/)\\.\\.(/|$)#', $ferry_path ) ) {
\thttp_response_code( 400 );
\treturn true;
}
// PHP only empties $_POST and $_FILES when a body is over post_max_size: WordPress's
// raw-body REST upload (POST /wp/v2/media with Content-Disposition) reads
// php://input and would accept any size. A real site's web server refuses such
// a request (nginx client_max_body_size, Apache LimitRequestBody); so does this router.
$ferry_limit = ini_get( 'post_max_size' );
$ferry_limit = (int) $ferry_limit * ( [ 'k' => 1024, 'm' => 1048576, 'g' => 1073741824 ][ strtolower( substr( $ferry_limit, -1 ) ) ] ?? 1 );
if ( $ferry_limit > 0 && (int) ( $_SERVER['CONTENT_LENGTH'] ?? 0 ) > $ferry_limit ) {
	http_response_code( 413 );
	header( 'Content-Type: application/json; charset=UTF-8' );
	echo json_encode( [ 'code' => 'request_too_large', 'message' => "Request body over the server's limit of $ferry_limit bytes.", 'data' => [ 'status' => 413 ] ] );
	return true;
}
if ( strncmp( $ferry_path, '/wp-content/', 12 ) === 0 ) {
\t$ferry_file = ${phpString(contentDir)} . substr( $ferry_path, 11 );
\t$ferry_ext = strtolower( pathinfo( $ferry_file, PATHINFO_EXTENSION ) );
\tif ( ! is_file( $ferry_file ) || $ferry_ext === 'php' ) {
\t\thttp_response_code( 404 );
\t\theader( 'Content-Type: text/plain' );
\t\techo "Not found\\n";
\t\treturn true;
\t}
\t$ferry_types = [ ${types} ];
\theader( 'Content-Type: ' . ( $ferry_types[ $ferry_ext ] ?? 'application/octet-stream' ) );
\theader( 'Content-Length: ' . filesize( $ferry_file ) );
\tif ( $_SERVER['REQUEST_METHOD'] !== 'HEAD' ) {
\t\treadfile( $ferry_file );
\t}
\treturn true;
}
$ferry_root = ${phpString(WORDPRESS_ROOT)};
if ( $ferry_path !== '/' && ( is_file( $ferry_root . $ferry_path ) || is_file( rtrim( $ferry_root . $ferry_path, '/' ) . '/index.php' ) ) ) {
\treturn false;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $ferry_root . '/index.php';
chdir( $ferry_root );
require $ferry_root . '/index.php';
return true;
`;
}

export interface CliPreludeInput {
  port: number;
  siteConfig: string;
}

/**
 * Prelude of every CLI snippet (SiteInstance.php()): what a web request would
 * have set, then wp-load.php. WP_INSTALLING may be defined before requiring it.
 */
export function cliPreludePhp(input: CliPreludeInput): string {
  return `<?php
// Written by the Ferry test harness on every start; edits are lost.
$_SERVER['WORDPRESS_CONFIG'] = ${phpString(CONFIG_NAME)};
putenv( ${phpString(`${SITE_CONFIG_ENV}=${input.siteConfig}`)} );
$_SERVER['HTTP_HOST'] = ${phpString(`127.0.0.1:${input.port}`)};
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['SERVER_PORT'] = ${phpString(String(input.port))};
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';

// In CLI, wp_die() prints an HTML page and exits with status 0: a failed
// snippet would look like a success. Fail loudly instead. The filter is
// registered before WordPress loads (WP_Hook's pre-initialised hooks), so it
// also covers a database that cannot be reached.
function ferry_cli_die( $message, $title = '', $args = [] ) {
\tif ( function_exists( 'is_wp_error' ) && is_wp_error( $message ) ) {
\t\t$message = $message->get_error_message();
\t}
\tfile_put_contents( 'php://stderr', 'wp_die: ' . trim( strip_tags( is_scalar( $message ) ? (string) $message : print_r( $message, true ) ) ) . "\\n" );
\texit( 1 );
}
$GLOBALS['wp_filter']['wp_die_handler'][10][] = [ 'function' => static function () { return 'ferry_cli_die'; }, 'accepted_args' => 1 ];
require_once ${phpString(`${WORDPRESS_ROOT}/wp-load.php`)};
`;
}
