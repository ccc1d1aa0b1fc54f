import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';

export interface PhpServerOptions {
  port: number;
  /** Folder given to `php -S -t`. */
  docRoot: string;
  /** Router script given to `php -S`. */
  router: string;
  /** Extra environment for the server (the process environment is inherited). */
  env?: Record<string, string>;
  /** `-d name=value` flags. */
  ini?: Record<string, string>;
  /** PHP_CLI_SERVER_WORKERS; 1 means the classic single process. */
  workers?: number;
  /** stdout and stderr of the server (one access-log line per request) go here. */
  logFile: string;
  /** Polled until it answers 200. */
  readyUrl: string;
  readyTimeoutMs?: number;
}

export interface PhpServer {
  readonly pid: number;
  readonly port: number;
  /** Stops the server and its workers (its own process group) and waits for them. */
  stop(): Promise<void>;
}

/** The server could not bind its port; the caller may pick another one. */
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`port ${port} on 127.0.0.1 is already in use`);
    this.name = 'PortInUseError';
  }
}

// Group leaders of servers still running, so a test process that ends without
// calling stop() does not leave servers (and their ports) behind.
const running = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pid of running) signalGroup(pid, 'SIGKILL');
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the whole group is already gone.
  }
}

/** Alive means running: a zombie nobody reaps (PID 1 in some containers) does not count. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** PHP_CLI_SERVER_WORKERS forks workers that survive their parent's SIGTERM; find them. */
function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === parent) children.push(Number(entry));
    } catch {
      // The process ended while we were looking.
    }
  }
  return children;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(25);
  }
  return condition();
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The end of what this run wrote to the log (the log is shared by restarts). */
function readTail(file: string, from: number, bytes = 3000): string {
  try {
    const text = readFileSync(file).subarray(from).toString('utf8');
    return text.slice(-bytes);
  } catch {
    return '';
  }
}

async function stopProcess(child: ChildProcess, pid: number): Promise<void> {
  const workers = childrenOf(pid);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  signalGroup(pid, 'SIGTERM');
  const all = [pid, ...workers];
  const gone = await waitUntil(() => all.every((p) => !isAlive(p)), 5000);
  if (!gone) signalGroup(pid, 'SIGKILL');
  await exited;
  await waitUntil(() => all.every((p) => !isAlive(p)), 5000);
  running.delete(pid);
}

async function waitForReady(
  child: ChildProcess,
  options: PhpServerOptions,
): Promise<'ready' | 'exited' | 'timeout'> {
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return 'exited';
    try {
      const response = await fetch(options.readyUrl, { signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer();
      if (response.status === 200) return 'ready';
    } catch {
      // Not listening yet.
    }
    await sleep(50);
  }
  return 'timeout';
}

/**
 * Starts `php -S` in its own process group and waits until `readyUrl` answers.
 *
 * @example
 * const server = await startPhpServer({ port, docRoot: '/usr/share/mediawiki',
 *   router: '/tmp/w/router.php', logFile: '/tmp/w/server.log', readyUrl: `http://127.0.0.1:${port}/api.php` });
 * await server.stop();
 */
export async function startPhpServer(options: PhpServerOptions): Promise<PhpServer> {
  const args: string[] = [];
  for (const [name, value] of Object.entries(options.ini ?? {})) args.push('-d', `${name}=${value}`);
  args.push('-S', `127.0.0.1:${options.port}`, '-t', options.docRoot, options.router);
  const logStart = fileSize(options.logFile);
  const logFd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn('php', args, {
      cwd: options.docRoot,
      env: { ...process.env, ...options.env, PHP_CLI_SERVER_WORKERS: String(options.workers ?? 2) },
      stdio: ['ignore', logFd, logFd],
      detached: true,
    });
  } finally {
    closeSync(logFd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`php -S could not start: ${readTail(options.logFile, logStart)}`);
  installExitHook();
  running.add(pid);
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const outcome = await Promise.race([waitForReady(child, options), spawnError]);
  if (outcome === 'ready') {
    return { pid, port: options.port, stop: () => stopProcess(child, pid) };
  }
  await stopProcess(child, pid);
  const log = readTail(options.logFile, logStart);
  if (/Address already in use/i.test(log)) throw new PortInUseError(options.port);
  const reason = outcome instanceof Error ? outcome.message : outcome === 'exited' ? 'exited early' : 'not ready in time';
  throw new Error(`php -S on port ${options.port} ${reason}: ${log}`);
}
