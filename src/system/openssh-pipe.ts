/**
 * The bulk data path of an SSH host: big files are read and written through
 * the machine's own OpenSSH client (`ssh`) instead of ssh2's SFTP, because
 * OpenSSH moves bytes for a fraction of the CPU. ssh2 is JavaScript on Node's
 * one thread: on a copy between two SSH hosts it decrypts every byte from the
 * source and encrypts it again for the target in 32 KiB packets, and on two
 * cores that thread was the limit (docs/performance.md, sixth session).
 *
 * One OpenSSH "master" connection per host (ControlMaster) carries every
 * stream: each read or write is a session of that connection started by a
 * small `ssh -S socket` process, which hands its pipes to the master, so the
 * bytes go master -> pipe -> Ferry -> pipe -> master without an SSH layer in
 * Node. The master trusts only the host key that ssh2 already checked against
 * the plan (written to a known_hosts file of its own) and signs in with the
 * plan's key or the agent; it is not used with a password or a key that needs
 * a passphrase. Anything that stops it from starting (no `ssh` on this
 * machine, a key OpenSSH refuses) leaves the copies on SFTP, with a log line.
 *
 * FERRY_SSH_CLIENT=ssh2 turns this path off; FERRY_SSH_PIPE_MIN=BYTES sets the
 * smallest file it takes (default 8 MiB: below that, starting two sessions
 * costs more than SFTP's per-byte overhead saves).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable, type Readable, type Transform } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { ConnectorError } from '../sdk/errors.js';

/** The smallest remaining size of a file that goes through OpenSSH. */
export const PIPE_MIN_BYTES = (() => {
  const value = Number(process.env.FERRY_SSH_PIPE_MIN);
  return process.env.FERRY_SSH_PIPE_MIN !== undefined && Number.isFinite(value) && value >= 0 ? value : 8 * 1024 * 1024;
})();

export interface OpenSshTarget {
  host: string;
  port: number;
  user: string;
  /** Private key file (already expanded); absent: the agent's keys. */
  keyPath?: string;
  /** The host key ssh2 accepted (the raw SSH wire blob): the only one the master trusts. */
  hostKey: Buffer;
  connectTimeoutMs: number;
  label: string;
}

/** What the remote shell needs around a command: helpers shared with SshHost (ssh.ts). */
export interface RemoteShell {
  quote(argument: string): string;
  /** Drops what comes before `marker\n` on a stream (a login shell's rc-file noise). */
  skipUntil(marker: string): Transform;
}

const STDERR_TAIL = 2000;

/** The known_hosts line of the accepted key, under the alias the ssh processes look it up by (HostKeyAlias). */
function keyLine(hostKey: Buffer): string {
  const type = hostKey.subarray(4, 4 + hostKey.readUInt32BE(0)).toString('latin1');
  return `${KEY_ALIAS} ${type} ${hostKey.toString('base64')}\n`;
}
const KEY_ALIAS = 'ferry-checked-host';

export class OpenSshPipe {
  private constructor(
    private readonly target: OpenSshTarget,
    private readonly dir: string,
    private readonly shell: RemoteShell,
  ) {}

  /**
   * Starts the master connection; undefined (and `why` told) when it cannot start, so the caller keeps to
   * SFTP. Waits for the master to sign in: `ssh -f` returns once the connection is up.
   */
  static async open(target: OpenSshTarget, shell: RemoteShell, why: (message: string) => void): Promise<OpenSshPipe | undefined> {
    if (process.env.FERRY_SSH_CLIENT === 'ssh2') return undefined;
    // A short folder name: a UNIX socket path may not exceed about 100 bytes.
    const dir = mkdtempSync(join(tmpdir().length > 40 ? '/tmp' : tmpdir(), 'ferry-ssh-'));
    writeFileSync(join(dir, 'known_hosts'), keyLine(target.hostKey), { mode: 0o600 });
    const pipe = new OpenSshPipe(target, dir, shell);
    const log = join(dir, 'master.log');
    const started = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
      const child = spawn('ssh', [...pipe.options(), '-o', 'ControlMaster=yes', '-o', 'ControlPersist=120', '-o', 'ServerAliveInterval=15', '-E', log, '-f', '-N', target.host], { stdio: 'ignore' });
      child.once('error', (error) => resolve({ code: null, error }));
      child.once('exit', (code) => resolve({ code }));
    });
    if (started.code !== 0) {
      const detail = started.error ? ((started.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no ssh client on this machine' : started.error.message) : readTail(log) || `ssh exited with ${started.code}`;
      why(`OpenSSH's client could not connect to ${target.label} (${detail}); big files go through SFTP`);
      rmSync(dir, { recursive: true, force: true });
      return undefined;
    }
    return pipe;
  }

  /** The options every ssh process of this host takes (the master's and each session's). */
  private options(): string[] {
    const t = this.target;
    return [
      '-F', '/dev/null',
      '-o', 'BatchMode=yes',
      '-o', `UserKnownHostsFile=${join(this.dir, 'known_hosts')}`,
      '-o', 'GlobalKnownHostsFile=/dev/null',
      '-o', `HostKeyAlias=${KEY_ALIAS}`,
      '-o', 'StrictHostKeyChecking=yes',
      '-o', 'CheckHostIP=no',
      '-o', 'UpdateHostKeys=no',
      '-o', 'LogLevel=ERROR',
      '-o', `ConnectTimeout=${Math.max(1, Math.ceil(t.connectTimeoutMs / 1000))}`,
      '-o', `ControlPath=${join(this.dir, 'm')}`,
      ...(t.keyPath ? ['-i', t.keyPath, '-o', 'IdentitiesOnly=yes'] : []),
      '-p', String(t.port),
      '-l', t.user,
    ];
  }

  /** A session of the master running `script` (a POSIX sh script) with `args` as $1...; stdin/stdout are pipes. */
  private session(script: string, args: readonly string[]): ChildProcess {
    const remote = ['sh', '-c', script, 'sh', ...args].map((part) => this.shell.quote(part)).join(' ');
    return spawn('ssh', [...this.options(), '-o', 'ControlMaster=no', this.target.host, remote], { stdio: ['pipe', 'pipe', 'pipe'] });
  }

  /** A file's bytes from byte `start`; errors (no such file, lost connection) end the stream with a ConnectorError. */
  reader(path: string, start: number): Readable {
    const marker = `ferry-start-${randomUUID()}`;
    // The marker comes first so whatever the login shell's rc files print is dropped (as for SshHost.spawn).
    const child = this.session('f=$1; [ -r "$f" ] || { echo "cannot read $f" >&2; exit 2; }; printf "%s\\n" "$2"; exec tail -c "+$3" -- "$f"', [path, marker, String(start + 1)]);
    child.stdin!.end();
    const out = new PassThrough({ highWaterMark: 1024 * 1024 });
    const stderr = collect(child);
    child.stdout!.pipe(this.shell.skipUntil(marker)).pipe(out, { end: false });
    let destroyed = false;
    child.once('error', (error) => out.destroy(this.error(`reading ${path}`, error.message)));
    child.once('close', (code, signal) => {
      if (destroyed) return;
      if (code === 0) out.end();
      else out.destroy(this.error(`reading ${path}`, stderr() || `ssh ended with ${code ?? signal}`, /cannot read/.test(stderr())));
    });
    out.once('close', () => {
      destroyed = true;
      if (child.exitCode === null) child.kill('SIGTERM');
    });
    return out;
  }

  /**
   * Writes a file ('a' appends to what is there, 'w' starts it over); `mode` is given to a file the write
   * creates. 'finish' comes after the remote `cat` has exited with 0: the bytes are in the file.
   */
  writer(path: string, flags: 'a' | 'w', mode: number): Writable {
    const child = this.session('f=$1; new=1; [ -e "$f" ] && new=0; if [ "$2" = w ]; then cat > "$f" || exit; else cat >> "$f" || exit; fi; [ $new = 0 ] || chmod "$3" -- "$f"', [path, flags, (mode & 0o7777).toString(8)]);
    const stderr = collect(child);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    // A write after the session ended is reported by its exit status, not as an unhandled EPIPE.
    child.stdin!.on('error', () => undefined);
    const failure = async (): Promise<ConnectorError | undefined> => {
      const { code, signal, error } = await exited;
      if (code === 0) return undefined;
      return this.error(`writing ${path}`, error?.message ?? (stderr() || `ssh ended with ${code ?? signal}`), /No such file|Permission denied|cannot create/i.test(stderr()));
    };
    return new Writable({
      highWaterMark: 1024 * 1024,
      write(chunk: Buffer, _encoding, callback) {
        if (child.exitCode !== null || child.signalCode !== null) {
          void failure().then((error) => callback(error ?? new Error('the write session ended early')));
          return;
        }
        if (child.stdin!.write(chunk)) return callback();
        const onDrain = (): void => {
          child.removeListener('close', onClose);
          callback();
        };
        const onClose = (): void => {
          child.stdin!.removeListener('drain', onDrain);
          void failure().then((error) => callback(error ?? new Error('the write session ended early')));
        };
        child.stdin!.once('drain', onDrain);
        child.once('close', onClose);
      },
      final(callback) {
        child.stdin!.end();
        void failure().then((error) => callback(error));
      },
      destroy(error, callback) {
        if (child.exitCode === null && child.signalCode === null) {
          // Ending stdin lets the remote cat write what it has (a resume appends after it); then the session goes.
          child.stdin!.end();
          setTimeout(() => {
            if (child.exitCode === null) child.kill('SIGTERM');
          }, 2000).unref();
        }
        callback(error);
      },
    });
  }

  private error(what: string, detail: string, notThere = false): ConnectorError {
    const text = detail.trim().split('\n').slice(-3).join(' ');
    if (notThere) return new ConnectorError(`${what} on ${this.target.label}: ${text}`, { kind: /Permission denied/i.test(text) ? 'auth' : 'config' });
    return new ConnectorError(`${what} on ${this.target.label} through OpenSSH: ${text}`, { kind: 'transient', hint: 'check the network and that sshd still runs on the host, then resume' });
  }

  /** Ends the master connection and removes its folder. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      const child = spawn('ssh', [...this.options(), '-O', 'exit', this.target.host], { stdio: 'ignore' });
      child.once('error', () => resolve());
      child.once('exit', () => resolve());
    });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The last STDERR_TAIL characters a process wrote on stderr, read when asked. */
function collect(child: ChildProcess): () => string {
  let text = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    text = (text + chunk).slice(-STDERR_TAIL);
  });
  return () => text.trim();
}

function readTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim().split(/\r?\n/).map((line) => line.trim()).slice(-3).join(' ');
  } catch {
    return '';
  }
}
