import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { userInfo, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PortInUseError } from './php-server.js';
import { runCommand } from './run-command.js';

export interface MariaDbOptions {
  /** The server's data folder; `mariadb-install-db` fills it when it holds no `mysql/` yet. */
  dataDir: string;
  /** Unix socket path; keep it under ~100 bytes (see {@link socketPathFor}). */
  socket: string;
  /** TCP port on 127.0.0.1. */
  port: number;
  /** stdout and stderr of mariadbd (its error log) go here. */
  logFile: string;
  /** Folder for temporary tables and files. */
  tmpDir: string;
  readyTimeoutMs?: number;
}

export interface MariaDbServer {
  readonly pid: number;
  readonly port: number;
  readonly socket: string;
  /** Runs SQL as root through the socket (the mariadb client, batch mode); returns its output. */
  sql(statements: string): Promise<string>;
  /** Shuts the server down cleanly and waits for it to exit. */
  stop(): Promise<void>;
}

// Tests need no durability: no fsync at commit, no doublewrite buffer, a small
// redo log (the default 96 MB file would make every site folder 100 MB larger).
// --no-defaults keeps the system's /etc/mysql settings out of it.
const SERVER_FLAGS = [
  '--no-defaults',
  '--bind-address=127.0.0.1',
  '--skip-log-bin',
  '--skip-name-resolve',
  '--innodb-log-file-size=16M',
  '--innodb-flush-log-at-trx-commit=0',
  '--innodb-doublewrite=0',
  '--innodb-buffer-pool-size=64M',
  '--performance-schema=OFF',
  '--character-set-server=utf8mb4',
  '--collation-server=utf8mb4_unicode_ci',
  '--max-allowed-packet=64M',
];

/** mariadbd refuses to run as root unless told so; any other user runs as itself. */
const serverUser = (): string => userInfo().username;

// Servers still running, so a test process that ends without stop() leaves none behind.
const running = new Map<number, ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pid of running.keys()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
}

/**
 * A socket path for a data folder: inside it when short enough, else in the
 * temporary folder (Unix socket paths are limited to 107 bytes).
 */
export function socketPathFor(dir: string): string {
  const inside = join(dir, 'mysql.sock');
  if (Buffer.byteLength(inside) <= 100) return inside;
  return join(tmpdir(), `ferry-mysql-${createHash('sha256').update(dir).digest('hex').slice(0, 16)}.sock`);
}

/** Creates the system tables in `dataDir` unless they are there already (about 0.8 s). */
export async function initMariaDbDataDir(dataDir: string, tmpDir: string): Promise<void> {
  if (existsSync(join(dataDir, 'mysql'))) return;
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(tmpDir, { recursive: true });
  await runCommand('mariadb-install-db', [
    '--no-defaults',
    `--datadir=${dataDir}`,
    `--user=${serverUser()}`,
    // root@localhost without a password: the server only listens on loopback and its own socket.
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
    '--skip-name-resolve',
    '--innodb-log-file-size=16M',
    // Two bootstraps at once in the shared /tmp trip over each other's temporary tables.
    `--tmpdir=${tmpDir}`,
  ]).catch((error: unknown) => {
    // A half-made folder would be taken for a finished one next time.
    rmSync(join(dataDir, 'mysql'), { recursive: true, force: true });
    throw error;
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function logSince(file: string, from: number): string {
  try {
    return readFileSync(file).subarray(from).toString('utf8');
  } catch {
    return '';
  }
}

const hasExited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

async function stopChild(child: ChildProcess, pid: number): Promise<void> {
  if (!hasExited(child)) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // SIGTERM is a clean shutdown: InnoDB flushes, and the folder can be copied afterwards.
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), 30_000);
    });
    const timedOut = await Promise.race([exited.then(() => false), timeout]);
    clearTimeout(timer);
    if (timedOut) {
      child.kill('SIGKILL');
      await exited;
    }
  }
  running.delete(pid);
}

async function waitForReady(child: ChildProcess, options: MariaDbOptions, logStart: number): Promise<'ready' | 'exited' | 'timeout'> {
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (hasExited(child)) return 'exited';
    if (/ready for connections/.test(logSince(options.logFile, logStart)) && existsSync(options.socket)) return 'ready';
    await sleep(50);
  }
  return 'timeout';
}

/**
 * Starts a private mariadbd (its own data folder, socket and loopback port),
 * initialising the data folder first when needed, and waits until it accepts
 * connections. Throws {@link PortInUseError} when the port is taken.
 *
 * @example
 * const db = await startMariaDb({ dataDir: '/tmp/s/db', socket: '/tmp/s/mysql.sock', port,
 *   logFile: '/tmp/s/logs/mariadb.log', tmpDir: '/tmp/s/tmp' });
 * await db.sql('CREATE DATABASE IF NOT EXISTS app');
 * await db.stop();
 */
export async function startMariaDb(options: MariaDbOptions): Promise<MariaDbServer> {
  await initMariaDbDataDir(options.dataDir, options.tmpDir);
  // A socket left by a killed server would make the ready check pass too early.
  rmSync(options.socket, { force: true });
  const args = [
    ...SERVER_FLAGS,
    `--datadir=${options.dataDir}`,
    `--socket=${options.socket}`,
    `--port=${options.port}`,
    `--user=${serverUser()}`,
    `--tmpdir=${options.tmpDir}`,
    `--pid-file=${join(options.dataDir, 'mariadbd.pid')}`,
  ];
  const logStart = fileSize(options.logFile);
  const logFd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn('mariadbd', args, { stdio: ['ignore', logFd, logFd], detached: true });
  } finally {
    closeSync(logFd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`mariadbd could not start: ${logSince(options.logFile, logStart).slice(-3000)}`);
  installExitHook();
  running.set(pid, child);
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const outcome = await Promise.race([waitForReady(child, options, logStart), spawnError]);
  if (outcome !== 'ready') {
    await stopChild(child, pid);
    const log = logSince(options.logFile, logStart).slice(-3000);
    if (/Address already in use|Do you already have another server running on port/i.test(log)) {
      throw new PortInUseError(options.port);
    }
    const reason = outcome instanceof Error ? outcome.message : outcome === 'exited' ? 'exited early' : 'not ready in time';
    throw new Error(`mariadbd on port ${options.port} ${reason}: ${log}`);
  }

  const sql = async (statements: string): Promise<string> => {
    const { stdout } = await runCommand(
      'mariadb',
      ['--no-defaults', `--socket=${options.socket}`, '--user=root', '--batch', '--skip-column-names'],
      { input: statements },
    );
    return stdout;
  };
  return { pid, port: options.port, socket: options.socket, sql, stop: () => stopChild(child, pid) };
}
