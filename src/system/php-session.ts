/**
 * A long-lived PHP process on a host with a platform loaded (system
 * migration, issue 9): starting PHP with MediaWiki or WordPress loaded costs
 * 0.1-1 s, and a run asks each side several times. The platform's loader
 * runs once, then LOOP_PHP answers requests: each line on stdin is
 * {id, code}; the code runs at the top level (as a one-shot script's body
 * would), then an end line with the request's id, a status and an error text
 * follows its output. An exception ends the request, not the process; exit()
 * or a fatal error ends the process, and its exit code and stderr answer the
 * request, as a one-shot run's would.
 *
 * Sessions belong to their host: they end when it closes (Host.onClose), and
 * `endPhpSessions` ends them sooner (the installation changed under them).
 */
import type { Host, HostProcess } from './host.js';

const END_MARKER = '@@FERRY-END@@';

/** The loop, for the top level of a PHP script (no opening tag). `before` runs before each request. */
export function requestLoopPhp(before = ''): string {
  return `
while ( ( $ferry_request_line = fgets( STDIN ) ) !== false ) {
	$ferry_request = json_decode( $ferry_request_line, true );
	if ( ! is_array( $ferry_request ) ) {
		continue;
	}
	${before}
	$ferry_status = 0;
	$ferry_error_text = '';
	try {
		eval( $ferry_request['code'] );
	} catch ( Throwable $ferry_error ) {
		$ferry_status = 1;
		$ferry_error_text = get_class( $ferry_error ) . ': ' . $ferry_error->getMessage();
	}
	echo "\\n${END_MARKER} " . $ferry_request['id'] . ' ' . $ferry_status . ' ' . base64_encode( $ferry_error_text ) . "\\n";
}
exit( 0 );
`;
}

export interface PhpAnswer {
  code: number;
  stdout: string;
  stderr: string;
}

export interface PhpSessionStart {
  /** The command that loads the platform and then runs requestLoopPhp(). */
  argv: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Written to stdin first (a line that starts the loop inside a REPL such as MediaWiki's eval.php). */
  prelude?: string;
}

class PhpSession {
  private readonly process_: HostProcess;
  private buffer = '';
  private ended: { code: number; stderr: string } | undefined;
  private waiting: { id: number; resolve: (answer: PhpAnswer) => void } | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 0;

  constructor(host: Host, start: PhpSessionStart) {
    this.process_ = host.spawn(start.argv, { ...(start.env ? { env: start.env } : {}), ...(start.cwd ? { cwd: start.cwd } : {}) });
    this.process_.stdin.on('error', () => undefined);
    if (start.prelude) this.process_.stdin.write(start.prelude);
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
    // What it printed before it ended is the request's output, with its exit code: what a one-shot run would answer.
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

/** Sessions by host, then by key (the installation). */
const sessions = new WeakMap<Host, Map<string, PhpSession>>();

/**
 * Runs `code` in the host's session for `key`, started with `start` when
 * there is none (or it ended). undefined when the host cannot end a session
 * when it closes: the caller then runs PHP once for the request.
 */
export async function phpRequest(host: Host, key: string, start: () => PhpSessionStart, code: string): Promise<PhpAnswer | undefined> {
  if (!host.onClose) return undefined;
  let byKey = sessions.get(host);
  if (!byKey) {
    const created = new Map<string, PhpSession>();
    sessions.set(host, created);
    host.onClose(() => endPhpSessions(host));
    byKey = created;
  }
  let session = byKey.get(key);
  if (!session?.alive) {
    session = new PhpSession(host, start());
    byKey.set(key, session);
  }
  return session.request(code);
}

/** Files a host's session under another key (a session started before what it serves was known); one already there ends. */
export async function renamePhpSession(host: Host, from: string, to: string): Promise<void> {
  const byKey = sessions.get(host);
  const session = byKey?.get(from);
  if (!byKey || !session) return;
  byKey.delete(from);
  const replaced = byKey.get(to);
  byKey.set(to, session);
  if (replaced && replaced !== session) await replaced.close();
}

/** Ends a host's sessions (those whose key starts with `prefix`, or all); the next request starts a fresh one. */
export async function endPhpSessions(host: Host, prefix = ''): Promise<void> {
  const byKey = sessions.get(host);
  if (!byKey) return;
  const ending = [...byKey.entries()].filter(([key]) => key.startsWith(prefix));
  for (const [key] of ending) byKey.delete(key);
  await Promise.all(ending.map(([, session]) => session.close()));
}
