import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { aptInstall } from './apt.js';
import { findFreePort, isPortOpen } from './ports.js';
import { runCommand } from './run-command.js';

/**
 * A private OpenSSH server for tests (issue 9: the SSH path of a system
 * migration): Debian's own /usr/sbin/sshd, run as a child process on a free
 * loopback port with a config file of its own. The machine's sshd service,
 * /etc/ssh/sshd_config and /etc/ssh host keys are never used or touched.
 */
export interface Sshd {
  port: number;
  /** The host key's fingerprint as `ssh-keygen -lf` prints it (SHA256:...). */
  hostKeyFingerprint: string;
  /** The host key's public line ("ssh-ed25519 AAAA..."), for known_hosts files. */
  hostPublicKey: string;
  /** A private key (no passphrase) that the server accepts for `user`. */
  clientKeyPath: string;
  /** The account to sign in as: the user running the tests. */
  user: string;
  /** PID of the listening sshd; each connection is served by a child of it. */
  pid: number;
  /** The tail of sshd's own log (its stderr), for a test that needs to see why it refused something. */
  log(): string;
  stop(): Promise<void>;
}

const SSHD = '/usr/sbin/sshd';
const SFTP_SERVER = '/usr/lib/openssh/sftp-server';
// sshd refuses to start without its privilege separation folder, which the
// service unit creates at boot (RuntimeDirectory=sshd); no unit runs here.
const PRIVSEP_DIR = '/run/sshd';

const isRoot = (): boolean => typeof process.getuid !== 'function' || process.getuid() === 0;

/**
 * Installs Debian's openssh-server when /usr/sbin/sshd is missing (as root).
 * Its post-install script would start the ssh service on port 22; nothing
 * here needs it, so service starts are refused during the install with a
 * temporary policy-rc.d (only when none exists already: an existing one is the
 * machine owner's choice and stays as it is).
 */
export async function ensureOpenSshServer(): Promise<void> {
  if (existsSync(SSHD) && existsSync(SFTP_SERVER)) return;
  if (!isRoot()) throw new Error('openssh-server is not installed and installing it needs root: apt-get install -y --no-install-recommends openssh-server');
  await aptInstall(['openssh-server']);
  if (!existsSync(SSHD) || !existsSync(SFTP_SERVER)) throw new Error(`apt-get finished but ${SSHD} or ${SFTP_SERVER} is still missing`);
}

/** Generates an ed25519 key pair without a passphrase; returns the public line. */
export async function generateKey(path: string, comment: string): Promise<string> {
  rmSync(path, { force: true });
  rmSync(`${path}.pub`, { force: true });
  await runCommand('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
  return (await readFile(`${path}.pub`, 'utf8')).trim();
}

/** The SHA256:... fingerprint of a public key file, from ssh-keygen itself. */
export async function fingerprintOf(publicKeyPath: string): Promise<string> {
  const { stdout } = await runCommand('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicKeyPath]);
  const fingerprint = stdout.split(/\s+/)[1];
  if (!fingerprint?.startsWith('SHA256:')) throw new Error(`ssh-keygen -lf ${publicKeyPath} printed no fingerprint: ${stdout}`);
  return fingerprint;
}

/**
 * The config differs from a stock Debian sshd_config in these ways, each for
 * the test setting only:
 * - ListenAddress 127.0.0.1 and a free port: never reachable from outside, and
 *   several test files can run their own sshd side by side.
 * - HostKey, AuthorizedKeysFile and PidFile in `dir`: the machine's host keys
 *   and ~/.ssh are not touched.
 * - PermitRootLogin prohibit-password: the tests run as root in CI containers;
 *   this is OpenSSH's compiled-in default anyway (Debian's file does not change
 *   it), written out so the reason is on record. Keys only, never a password.
 * - StrictModes no: the keys live in a temporary folder under /tmp, which is
 *   world-writable; StrictModes would refuse an authorized_keys file there.
 * - UsePAM no (OpenSSH's default; Debian's file turns it on): PAM would read
 *   /etc/pam.d/sshd and the machine's account setup, which tests do not own.
 *   Password logins are then checked against /etc/shadow only.
 * - No Include of /etc/ssh/sshd_config.d: the machine's settings stay out.
 */
function configText(dir: string, port: number, hostKey: string): string {
  return [
    `ListenAddress 127.0.0.1`,
    `Port ${port}`,
    `HostKey ${hostKey}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PermitRootLogin prohibit-password`,
    `StrictModes no`,
    `UsePAM no`,
    `PasswordAuthentication yes`,
    `KbdInteractiveAuthentication no`,
    `X11Forwarding no`,
    `PrintMotd no`,
    `Subsystem sftp ${SFTP_SERVER}`,
    '',
  ].join('\n');
}

/**
 * Starts a private sshd on 127.0.0.1 with fresh host and client keys in `dir`.
 * stop() ends it by its PID.
 *
 * @example
 * const sshd = await startSshd({ dir: await mkdtemp(join(tmpdir(), 'sshd-')) });
 * const host = await connectSsh({ host: '127.0.0.1', port: sshd.port, user: sshd.user, key: sshd.clientKeyPath, hostKey: sshd.hostKeyFingerprint, connectTimeoutMs: 10_000 });
 */
export async function startSshd({ dir, extraConfig = [] }: { dir: string; /** More sshd_config lines (fault injection in tests). */ extraConfig?: readonly string[] }): Promise<Sshd> {
  await ensureOpenSshServer();
  if (!existsSync(PRIVSEP_DIR)) mkdirSync(PRIVSEP_DIR, { mode: 0o755 });
  mkdirSync(dir, { recursive: true });
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  const hostPublicKey = await generateKey(hostKey, 'ferry-test-sshd');
  const clientKeyPath = join(dir, 'client_ed25519');
  const clientPublic = await generateKey(clientKeyPath, 'ferry-test-client');
  await writeFile(join(dir, 'authorized_keys'), `${clientPublic}\n`, { mode: 0o600 });
  const hostKeyFingerprint = await fingerprintOf(`${hostKey}.pub`);
  const user = userInfo().username;

  // findFreePort releases the port before sshd binds it; another process may
  // take it in between, so a failed bind is retried on a new port.
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await findFreePort();
    const config = join(dir, 'sshd_config');
    await writeFile(config, configText(dir, port, hostKey) + extraConfig.map((line) => `${line}\n`).join(''));
    // sshd re-executes itself and insists on an absolute path. -D keeps it in
    // the foreground as our child, -e sends its log to stderr.
    const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      log = (log + chunk).slice(-20_000);
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let running = true;
    void exited.then(() => {
      running = false;
    });
    const deadline = Date.now() + 15_000;
    while (running && Date.now() < deadline && !(await isPortOpen(port))) await new Promise((r) => setTimeout(r, 50));
    if (running && (await isPortOpen(port))) {
      return { port, hostKeyFingerprint, hostPublicKey, clientKeyPath, user, pid: child.pid as number, log: () => log, stop: () => stopChild(child, exited) };
    }
    if (running) await stopChild(child, exited);
    lastError = log.trim();
  }
  throw new Error(`sshd did not start on 127.0.0.1: ${lastError || 'no output'}`);
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  // The listening sshd is our child; the per-connection sshd processes it
  // forked end when their connection closes (or on SIGTERM from the parent's exit).
  if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  }, 5000);
  await exited;
  clearTimeout(timer);
}

export interface TestUser {
  name: string;
  /** Random for each test run; only ever given to Ferry through an environment variable. */
  password: string;
  /** Deletes the account and its home folder. */
  remove(): Promise<void>;
}

/**
 * Creates a throwaway account with a random password (as root), for the
 * password path and a non-root login (which, unlike root, runs with
 * privilege separation). Each call makes its own account, so test runs side
 * by side never share one; remove() deletes it.
 */
export async function createTestUser(): Promise<TestUser> {
  if (!isRoot()) throw new Error('creating a test account needs root');
  const name = `ferry-ssh-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(18).toString('base64url');
  await runCommand('useradd', ['--create-home', '--shell', '/bin/bash', name]);
  await runCommand('chpasswd', [], { input: `${name}:${password}\n`, secrets: [password] });
  return { name, password, remove: async () => void (await runCommand('userdel', ['--force', '--remove', name]).catch(() => undefined)) };
}
