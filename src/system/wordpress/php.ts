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
import type { Host, HostProcess } from '../host.js';
import type { InstallationLocation } from '../types.js';
import { phpLiteral } from './search-replace-php.js';

export const JSON_MARKER = '@@FERRY-JSON@@';
export const DEBIAN_CODE_DIR = '/usr/share/wordpress';

function dirnameOf(path: string): string {
  const at = path.replace(/\/+$/, '').lastIndexOf('/');
  return at <= 0 ? '/' : path.slice(0, at);
}

/** How PHP loads this installation, then `body` runs with WordPress loaded (top-level scope). */
export function loaderPhp(location: InstallationLocation, body: string): string {
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
require_once ${phpLiteral(load)};
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
}

const PHP_FLAGS = ['-d', 'display_errors=stderr', '-d', 'memory_limit=1024M', '-d', 'error_reporting=E_ALL & ~E_DEPRECATED & ~E_NOTICE & ~E_WARNING'];
const END_MARKER = '@@FERRY-END@@';

/**
 * The body of a long-lived PHP process: WordPress is loaded once (the
 * loader), then each line on stdin is a request {id, code}; the code runs at
 * the top level (as a one-shot script's body would) with the object cache
 * emptied first, so it reads what the database holds now; an end line with
 * the request's id and status follows its output. An exception ends the
 * request, not the process; exit() (wp_die) or a fatal error ends the process,
 * and its exit code and stderr answer the request, as a one-shot run's would.
 */
const LOOP_PHP = `
while ( ( $ferry_request_line = fgets( STDIN ) ) !== false ) {
	$ferry_request = json_decode( $ferry_request_line, true );
	if ( ! is_array( $ferry_request ) ) {
		continue;
	}
	wp_cache_flush();
	$ferry_status = 0;
	$ferry_error_text = '';
	try {
		eval( $ferry_request['code'] );
	} catch ( Throwable $ferry_error ) {
		$ferry_status = 1;
		$ferry_error_text = get_class( $ferry_error ) . ': ' . $ferry_error->getMessage();
	}
	echo "\n${END_MARKER} " . $ferry_request['id'] . ' ' . $ferry_status . ' ' . base64_encode( $ferry_error_text ) . "\n";
}
`;

interface PhpAnswer {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * One PHP process with a WordPress installation loaded, answering requests
 * one at a time: starting PHP with WordPress loaded costs 0.1-1 s, and a
 * system migration asks each side about ten times. Ends when its host closes.
 */
class WordPressPhpSession {
  private readonly process_: HostProcess;
  private buffer = '';
  private ended: { code: number; stderr: string } | undefined;
  private waiting: { id: number; resolve: (answer: PhpAnswer) => void } | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 0;

  constructor(host: Host, location: InstallationLocation) {
    const code = loaderPhp(location, LOOP_PHP).replace(/^<\?php\n/, '');
    this.process_ = host.spawn(['php', ...PHP_FLAGS, '-r', code], location.env ? { env: location.env } : {});
    this.process_.stdin.on('error', () => undefined);
    this.process_.stdout.setEncoding('utf8');
    this.process_.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.answer();
    });
    this.process_.done.then(
      (result) => this.end(result),
      (error: unknown) => this.end({ code: 127, stderr: (error as Error).message }),
    );
  }

  get alive(): boolean {
    return this.ended === undefined;
  }

  private end(result: { code: number; stderr: string }): void {
    this.ended ??= result;
    const waiting = this.waiting;
    this.waiting = undefined;
    // What it printed before it ended is the request's output, with its exit code: what a one-shot run would answer
    // (WordPress not installed: it redirects to its installer and exits 0 while loading, printing nothing).
    waiting?.resolve({ code: result.code, stdout: this.buffer, stderr: result.stderr });
    this.buffer = '';
  }

  private answer(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    const match = new RegExp(`\\n${END_MARKER} ${waiting.id} (\\d+) ([A-Za-z0-9+/=]*)\\n`).exec(this.buffer);
    if (!match) return;
    const stdout = this.buffer.slice(0, match.index);
    this.buffer = this.buffer.slice(match.index + match[0].length);
    this.waiting = undefined;
    const status = Number(match[1]);
    waiting.resolve({ code: status, stdout, stderr: status === 0 ? '' : Buffer.from(match[2] ?? '', 'base64').toString('utf8') });
  }

  request(code: string): Promise<PhpAnswer> {
    const result = this.queue.then(() => new Promise<PhpAnswer>((resolve) => {
      if (this.ended) return resolve({ code: this.ended.code, stdout: '', stderr: this.ended.stderr });
      const id = ++this.nextId;
      this.waiting = { id, resolve };
      this.process_.stdin.write(`${JSON.stringify({ id, code })}\n`);
      this.answer();
    }));
    this.queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    if (this.ended) return;
    // End of input ends the loop, and PHP with it.
    this.process_.stdin.end();
    const timer = new Promise<void>((resolve) => setTimeout(resolve, 2000).unref());
    await Promise.race([this.process_.done.then(() => undefined, () => undefined), timer]);
    if (!this.ended) this.process_.kill();
  }
}

/** Sessions by host, then by installation (config file, code folder and environment). */
const sessions = new WeakMap<Host, Map<string, WordPressPhpSession>>();

function sessionKey(location: InstallationLocation): string {
  return JSON.stringify([location.configFile, location.codeDir ?? null, Object.entries(location.env ?? {}).sort()]);
}

function sessionFor(host: Host, location: InstallationLocation): WordPressPhpSession | undefined {
  // A host that cannot end it when it closes gets a PHP process per request (a long-lived one would outlive it).
  if (!host.onClose) return undefined;
  let byLocation = sessions.get(host);
  if (!byLocation) {
    const created = new Map<string, WordPressPhpSession>();
    sessions.set(host, created);
    host.onClose(() => endWordPressPhp(host));
    byLocation = created;
  }
  const key = sessionKey(location);
  let session = byLocation.get(key);
  if (!session?.alive) {
    session = new WordPressPhpSession(host, location);
    byLocation.set(key, session);
  }
  return session;
}

/**
 * Ends the PHP processes kept for a host's WordPress installations; the next
 * request starts a fresh one. After the database was replaced from outside
 * PHP (the copy, a snapshot restore), a loaded WordPress holds settings read
 * from the old one (permalinks, active plugins): it must load again.
 */
export async function endWordPressPhp(host: Host, location?: InstallationLocation): Promise<void> {
  const byLocation = sessions.get(host);
  if (!byLocation) return;
  const keys = location ? [sessionKey(location)] : [...byLocation.keys()];
  const all = keys.flatMap((key) => byLocation.get(key) ?? []);
  for (const key of keys) byLocation.delete(key);
  await Promise.all(all.map((session) => session.close()));
}

/** Runs `body` with the installation loaded; returns the JSON the body printed after JSON_MARKER. */
export async function runWordPressPhp<T>(host: Host, location: InstallationLocation, body: string, run: PhpRun): Promise<T> {
  const session = sessionFor(host, location);
  const result: PhpAnswer = session
    ? await session.request(body)
    : await host.exec(['php', ...PHP_FLAGS], {
        input: loaderPhp(location, body),
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
