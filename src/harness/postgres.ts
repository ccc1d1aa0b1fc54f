import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { aptInstall } from './apt.js';
import { findFreePort, isPortOpen } from './ports.js';

/**
 * A private PostgreSQL server for tests, the scale-out demo and the benchmark
 * (issue 10): Debian's own PostgreSQL 15 binaries, a fresh cluster made with
 * `initdb` in a folder of the caller's, listening on a free loopback port and
 * on a socket in that folder. The machine's own clusters (/etc/postgresql,
 * /var/lib/postgresql) and the postgresql service are never used or touched.
 */
export interface PrivatePostgres {
  port: number;
  /** postgres://USER:PASSWORD@127.0.0.1:PORT/DATABASE of the database made for the caller. */
  url: string;
  /** The same server's URL for another database name (not created). */
  urlFor(database: string): string;
  /** Creates another database on this server; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** PID of the postmaster. */
  pid: number;
  /** The tail of the server's log, for a test that needs to see why something failed. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

const BIN = '/usr/lib/postgresql/15/bin';
/** initdb refuses to run as root; the package's own system account owns the clusters made as root. */
const SERVICE_ACCOUNT = 'postgres';

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Installs Debian's postgresql package when its binaries are missing (as
 * root). Its post-install script would create and start a cluster on port
 * 5432; service starts are refused during the install with a temporary
 * policy-rc.d (only when none exists: an existing one is the machine owner's).
 */
export async function ensurePostgres(): Promise<void> {
  if (existsSync(join(BIN, 'initdb')) && existsSync(join(BIN, 'pg_ctl'))) return;
  if (!isRoot()) throw new Error('PostgreSQL is not installed and installing it needs root: apt-get install -y --no-install-recommends postgresql');
  await aptInstall(['postgresql']);
  if (!existsSync(join(BIN, 'initdb'))) throw new Error(`apt-get finished but ${BIN}/initdb is still missing`);
}

interface Account {
  uid: number;
  gid: number;
  name: string;
}

async function serverAccount(): Promise<Account | undefined> {
  if (!isRoot()) return undefined;
  const passwd = await readFile('/etc/passwd', 'utf8');
  const line = passwd.split('\n').find((l) => l.startsWith(`${SERVICE_ACCOUNT}:`));
  if (!line) throw new Error(`initdb cannot run as root and the ${SERVICE_ACCOUNT} account is missing: apt-get install -y postgresql creates it`);
  const [, , uid, gid] = line.split(':');
  return { name: SERVICE_ACCOUNT, uid: Number(uid), gid: Number(gid) };
}

async function runAs(account: Account | undefined, command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(account ? { uid: account.uid, gid: account.gid } : {}),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', ...(account ? { HOME: cwd, USER: account.name } : {}) },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${out.trim().slice(-2000)}`))));
  });
}

/**
 * Starts a private PostgreSQL on 127.0.0.1 with its cluster in `dir` (made
 * anew; best on /dev/shm for speed) and one database, `database`, owned by a
 * password-protected role: connections over TCP must give its password
 * (scram-sha-256, as a stock server), the socket in `dir` is trusted (the
 * harness's own psql). Settings that differ from a stock cluster, each
 * for tests only: fsync off (the data is thrown away; the store's own
 * durability is not what the tests measure), listen on loopback only, its
 * socket in `dir`, max_connections 200 (several workers, each with a pool,
 * plus pg-boss's own connections).
 *
 * @example
 * const pg = await startPostgres({ dir: await mkdtemp('/dev/shm/ferry-pg-') });
 * process.env.FERRY_STORE = pg.url;
 * await pg.stop();
 */
export async function startPostgres({ dir, database = 'ferry' }: { dir: string; database?: string }): Promise<PrivatePostgres> {
  await ensurePostgres();
  const account = await serverAccount();
  const data = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  rmSync(data, { recursive: true, force: true });
  mkdirSync(data, { recursive: true, mode: 0o700 });
  mkdirSync(socketDir, { recursive: true, mode: 0o700 });
  if (account) {
    chownSync(dir, account.uid, account.gid);
    chownSync(data, account.uid, account.gid);
    chownSync(socketDir, account.uid, account.gid);
  }
  const superuser = account?.name ?? userInfo().username;
  await runAs(account, join(BIN, 'initdb'), ['-D', data, '--auth-local=trust', '--auth-host=scram-sha-256', '-U', superuser, '-E', 'UTF8', '--no-sync'], dir);

  const role = 'ferry';
  const password = randomBytes(12).toString('hex');
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await findFreePort();
    const logFile = join(dir, 'postgres.log');
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${socketDir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    try {
      await runAs(account, join(BIN, 'pg_ctl'), ['-D', data, '-l', logFile, '-w', '-t', '60', '-o', options, 'start'], dir);
    } catch (error) {
      lastError = (error as Error).message;
      continue;
    }
    if (!(await isPortOpen(port))) {
      lastError = `PostgreSQL started but does not accept connections on 127.0.0.1:${port}`;
      continue;
    }
    const pid = Number((await readFile(join(data, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    const psql = (sql: string, db = 'postgres'): Promise<string> =>
      runAs(account, join(BIN, 'psql'), ['-h', socketDir, '-p', String(port), '-U', superuser, '-d', db, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql], dir);
    await psql(`create role ${role} login password '${password}'`);
    const urlFor = (name: string): string => `postgres://${role}:${password}@127.0.0.1:${port}/${name}`;
    const createDatabase = async (name: string): Promise<string> => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name ${name} is not a plain lower-case identifier`);
      await psql(`create database ${name} owner ${role}`);
      return urlFor(name);
    };
    const url = await createDatabase(database);
    let stopped = false;
    return {
      port,
      url,
      urlFor,
      createDatabase,
      pid,
      log: async () => (await readFile(logFile, 'utf8').catch(() => '')).slice(-20_000),
      stop: async () => {
        if (stopped) return;
        stopped = true;
        // Fast shutdown: open sessions are ended, nothing is kept.
        await runAs(account, join(BIN, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop'], dir).catch(() => {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        });
      },
    };
  }
  throw new Error(`PostgreSQL did not start on 127.0.0.1: ${lastError}`);
}
