/**
 * A host reached over SSH (the `ssh:` form of a plan's `host:`), through the
 * pure-JS ssh2 client: commands run through the account's login shell with
 * every argument quoted (shellQuote), files go through SFTP, and a few things
 * run as one command on the host so nothing crosses the wire needlessly
 * (sha256sum, df, rm -rf, find for listings).
 *
 * What the remote host needs: OpenSSH's sshd with the sftp subsystem (Debian's
 * default), a POSIX login shell for the account (sh, dash, bash), and GNU
 * coreutils/findutils (env, sha256sum, df, rm, find -printf); `ip` or
 * `hostname -I` for the addresses in info().
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { posix } from 'node:path';
import { finished } from 'node:stream/promises';
import { PassThrough, Transform, Writable, type Readable } from 'node:stream';
import ssh2 from 'ssh2';
import type { Client as SshClient, ClientChannel, ConnectConfig, SFTPWrapper, Stats } from 'ssh2';
import { Slots } from '../core/slots.js';
import { ConnectorError } from '../sdk/errors.js';
import { redact } from '../sdk/redact.js';
import type { ExecOptions, ExecResult, FileEntry, Host, HostInfo, HostProcess } from './host.js';
import type { SshHostConfig } from './host-config.js';
import { cheapCksum, cksumAnswer } from './cksum.js';
import { sftpReader, sftpWriter } from './sftp-streams.js';
import { checkHostKey, parseKnownHosts, preferredAlgorithms, type HostKeyExpectation, type HostKeyVerdict } from './ssh-known-hosts.js';

const { Client, utils } = ssh2;

/**
 * FERRY_SSH_TRACE=/path/file: every command on an SSH host appends a line there when it ends (start
 * time, milliseconds, host, how it ran: `shell` through the command shell, `exec` on a channel of its
 * own, and the command's name), to see where a system migration over SSH spends its round trips.
 */
const TRACE_FILE = process.env.FERRY_SSH_TRACE;
function trace(started: number, label: string, how: 'shell' | 'exec', argv: readonly string[]): void {
  if (!TRACE_FILE) return;
  const what = argv.slice(0, 3).map((a) => a.slice(0, 40)).join(' ');
  appendFileSync(TRACE_FILE, `${new Date(performance.timeOrigin + started).toISOString()} ${(performance.now() - started).toFixed(0)}ms ${label} ${how} ${what}\n`);
}

const OUTPUT_TAIL = 4000;
// OpenSSH's sshd allows 10 sessions per connection (MaxSessions); SFTP, the
// command shell and the JOB_SHELLS shells that run commands without input take one each.
const JOB_SHELLS = 2;
/**
 * How long a command without input waits for a busy job shell before another session is opened for it.
 * Each session costs the start of the account's login shell: 0.1-0.2 s of CPU per session on the test
 * machine (pyenv in root's .bashrc), where a system migration between two SSH hosts on one machine opened
 * two sessions a side that waiting a few milliseconds saves.
 */
const JOB_WAIT_MS = 250;
const MAX_COMMANDS = 5;
/** SFTP sessions beyond the main one for file streams side by side; each takes a command slot while it lives. */
const EXTRA_SFTP_SESSIONS = 3;
/** An extra SFTP session unused this long is closed. */
const STREAM_SESSION_IDLE_MS = 1000;
/**
 * Extra SFTP sessions only on a link with round trips at least this long. Below, one session's window (2 MiB a
 * round trip: 1 GB/s at 2 ms) outruns the link, and each extra session would only cost its start: sshd runs the
 * login shell for it (0.3 s of CPU with pyenv in root's .bashrc on the test machine, where six alternated 1 GB
 * copies on loopback took 7.2-8.1 s with them against 6.8-7.6 s without).
 */
const STREAM_SESSIONS_MIN_RTT_MS = 2;

// SFTP status codes (draft-ietf-secsh-filexfer-02).
const SFTP_NO_SUCH_FILE = 2;
const SFTP_PERMISSION_DENIED = 3;

/**
 * Printed before the command runs: its PID on stderr, so kill() knows what to
 * end (see spawn), and a start marker on both streams. Whatever the login
 * shell's rc files print before it (a noisy ~/.bashrc breaks scp and rsync
 * for the same reason) is dropped, so a dump streamed from the host is the
 * command's output and nothing else.
 */
function startPrefix(marker: string): string {
  return `printf '%s\\n' "${marker}" "ferry-pid:$$" >&2; printf '%s\\n' "${marker}"; `;
}

/** Drops everything before the first `marker` line, then passes the stream through. */
function skipUntil(marker: string): Transform {
  const needle = Buffer.from(`${marker}\n`);
  let pending: Buffer | undefined = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (!pending) return callback(null, chunk);
      pending = Buffer.concat([pending, chunk]);
      const at = pending.indexOf(needle);
      if (at < 0) {
        // Keep only the tail that may still hold the start of the marker.
        if (pending.length > needle.length) pending = pending.subarray(pending.length - needle.length);
        return callback();
      }
      const rest = pending.subarray(at + needle.length);
      pending = undefined;
      callback(null, rest);
    },
  });
}

const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, PIPE: 13, TERM: 15 };

/**
 * Quotes one argument for a POSIX shell: plain words as they are, anything
 * else in single quotes (a single quote inside becomes '\'').
 */
export function shellQuote(argument: string): string {
  if (argument.includes('\0')) throw new ConnectorError('a command argument contains a NUL byte, which no shell can pass on', { kind: 'data' });
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(argument)) return argument;
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command line the remote login shell runs for argv: `cd` to the folder,
 * `env NAME=value` for extra environment (sshd accepts almost no SetEnv), and
 * `exec` so the command itself receives signals.
 */
export function commandLine(argv: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): string {
  if (argv.length === 0 || !argv[0]) throw new ConnectorError('empty command', { kind: 'bug' });
  const parts: string[] = [];
  if (options.cwd !== undefined) parts.push(`cd -- ${shellQuote(options.cwd)} &&`);
  parts.push('exec');
  const env = Object.entries(options.env ?? {});
  if (env.length > 0) {
    parts.push('env');
    for (const [name, value] of env) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ConnectorError(`"${name}" is not a valid environment variable name`, { kind: 'bug' });
      parts.push(shellQuote(`${name}=${value}`));
    }
  }
  parts.push(...argv.map(shellQuote));
  return parts.join(' ');
}

function abortError(): Error {
  return Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
}

function entryOf(path: string, attrs: Stats, target?: string): FileEntry {
  const type = attrs.mode & 0o170000;
  const kind = type === 0o120000 ? 'symlink' : type === 0o040000 ? 'dir' : 'file';
  return { path, kind, size: kind === 'file' ? attrs.size : 0, mode: attrs.mode & 0o7777, mtimeMs: attrs.mtime * 1000, ...(target !== undefined ? { target } : {}) };
}

function compareByPath(a: FileEntry, b: FileEntry): number {
  const left = a.path.split('/');
  const right = b.path.split('/');
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const l = left[i] as string;
    const r = right[i] as string;
    if (l !== r) return l < r ? -1 : 1;
  }
  return left.length - right.length;
}

/** Callback-style SFTP call as a promise. */
function call<T>(run: (callback: (error: Error | undefined | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value as T))));
}

/**
 * One long-lived `sh` on the host for Ferry's own short commands (sha256sum,
 * rm, df...). Every exec channel starts the account's login shell, and bash
 * reads ~/.bashrc for commands sshd runs: on a host whose .bashrc does real
 * work (pyenv, nvm) that costs ~0.5 s per command, which a copy that checks
 * thousands of files cannot pay. Here the login shell starts once; each
 * command then runs in a subshell with stdin from /dev/null and stderr merged
 * into stdout, and a random token after it carries its exit code. Commands run
 * one at a time. A shell can also run jobs (job(): any command without input,
 * output of any bytes, stoppable); streams use exec channels.
 */
class CommandShell {
  private channel: ClientChannel | undefined;
  private opening: Promise<ClientChannel> | undefined;
  private output = '';
  private waiting: { token: string; scanned: number; onPid?: (pid: number) => void; resolve: (result: { code: number; output: string }) => void; reject: (error: Error) => void } | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private jobsReady: Promise<boolean> | undefined;
  dead = false;
  /** Commands queued or running here (the pool gives a command to the least busy shell); see hold(). */
  load = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly client: SshClient) {}

  private open(): Promise<ClientChannel> {
    this.opening ??= call<ClientChannel>((done) => this.client.exec('exec sh', done)).then((channel) => {
      channel.setEncoding('utf8');
      channel.on('data', (chunk: string) => this.receive(chunk));
      channel.stderr.resume();
      channel.on('close', () => {
        this.dead = true;
        this.waiting?.reject(new Error('the command shell ended'));
        this.waiting = undefined;
        for (const wake of this.idleWaiters.splice(0)) wake();
      });
      this.channel = channel;
      // Anything the login shell's rc files print comes before this first token and is dropped.
      // A host where sh never answers (a ForceCommand that ignores the command...) gets exec channels instead.
      let timer: NodeJS.Timeout | undefined;
      const silent = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          this.dead = true;
          channel.close();
          reject(new Error('the command shell did not answer'));
        }, 30_000);
        timer.unref();
      });
      return Promise.race([this.roundTrip(channel, 'true'), silent]).then(() => channel).finally(() => clearTimeout(timer));
    });
    return this.opening;
  }

  private receive(chunk: string): void {
    this.output += chunk;
    const waiting = this.waiting;
    if (!waiting) return;
    if (waiting.onPid) {
      const started = new RegExp(`${waiting.token} pid (\\d+)\n`).exec(this.output);
      if (started) {
        waiting.onPid(Number(started[1]));
        delete waiting.onPid;
      }
    }
    // Only the new text (and the few characters before it) can hold the end token: a big output is not scanned again.
    const end = new RegExp(`\\n${waiting.token} (\\d+)\\n`, 'g');
    end.lastIndex = Math.max(0, waiting.scanned - waiting.token.length - 16);
    waiting.scanned = this.output.length;
    const match = end.exec(this.output);
    if (!match) return;
    const output = this.output.slice(0, match.index);
    this.output = this.output.slice(match.index + match[0].length);
    this.waiting = undefined;
    waiting.resolve({ code: Number(match[1]), output });
  }

  run(line: string): Promise<{ code: number; output: string }> {
    return this.enqueue((channel) => this.roundTrip(channel, line));
  }

  /** `busy: false`: the shell's own set-up, which does not make it look busy (a command given to it waits behind it). */
  private enqueue<T>(work: (channel: ClientChannel) => Promise<T>, busy = true): Promise<T> {
    const release = busy ? this.hold() : () => undefined;
    const result = this.queue.then(async () => {
      const channel = await this.open();
      if (this.dead) throw new Error('the command shell ended');
      return work(channel);
    });
    this.queue = result.catch(() => undefined);
    void result.then(release, release);
    return result;
  }

  /** Counts the shell busy until the returned function is called. */
  hold(): () => void {
    this.load++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.load--;
      if (this.load === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    };
  }

  /** Resolves once nothing is queued or running here (at once when idle or ended). */
  idle(): Promise<void> {
    if (this.load === 0 || this.dead) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Writes one command and waits for its end token. `subshell`: run in ( ) with stdin from /dev/null and
   * stderr merged; `shell`: in this shell itself (its variables and traps stay); `job`: see job().
   */
  private roundTrip(channel: ClientChannel, line: string, how: 'subshell' | 'shell' | 'job' = 'subshell', onPid?: (pid: number) => void): Promise<{ code: number; output: string }> {
    const token = `ferry-done-${randomUUID()}`;
    const end = `printf '\\n%s %s\\n' ${token} "$?"\n`;
    return new Promise<{ code: number; output: string }>((resolve, reject) => {
      this.waiting = { token, scanned: 0, ...(onPid ? { onPid } : {}), resolve, reject };
      channel.write(how === 'job' ? jobScript(line, token) : how === 'shell' ? `${line}; ${end}` : `(${line}) </dev/null 2>&1; ${end}`);
    });
  }

  /**
   * Whether this shell can run jobs: two scratch files for a job's output (removed when the shell ends),
   * `setsid` (util-linux) so a job is a process group that can be stopped whole, and `base64` (coreutils).
   */
  canRunJobs(): Promise<boolean> {
    const setup = 'FERRY_O=$(mktemp) && FERRY_E=$(mktemp) && trap \'rm -f "$FERRY_O" "$FERRY_E"\' EXIT && command -v setsid >/dev/null && command -v base64 >/dev/null';
    this.jobsReady ??= this.enqueue((channel) => this.roundTrip(channel, setup, 'shell'), false).then(({ code }) => code === 0, () => false);
    return this.jobsReady;
  }

  /**
   * Runs a command like an exec channel would, without opening one: in its own session (setsid) with stdin
   * from /dev/null, stdout and stderr kept apart in the shell's scratch files and sent back in base64
   * (any bytes), its PID reported first so that it can be stopped.
   */
  job(line: string, onPid: (pid: number) => void): Promise<{ code: number; stdout: Buffer; stderr: string }> {
    return this.enqueue(async (channel) => {
      const { code, output } = await this.roundTrip(channel, line, 'job', onPid);
      const field = (name: string): Buffer => {
        const match = new RegExp(`(?:^|\\n)ferry-done-[0-9a-f-]+ ${name} ([A-Za-z0-9+/=]*)(?:\\n|$)`).exec(output);
        if (!match) throw new Error(`the command shell sent no ${name}`);
        return Buffer.from(match[1] ?? '', 'base64');
      };
      return { code, stdout: field('out'), stderr: field('err').toString('utf8') };
    });
  }

  close(): void {
    this.channel?.end();
  }
}

/** The shell text of a job (CommandShell.job): its PID, its wait, its two outputs in base64, its exit status. */
function jobScript(line: string, token: string): string {
  return [
    `setsid sh -c ${shellQuote(line)} </dev/null >"$FERRY_O" 2>"$FERRY_E" & FERRY_P=$!`,
    `printf '%s pid %s\\n' ${token} "$FERRY_P"`,
    'wait "$FERRY_P"; FERRY_C=$?',
    `printf '%s out ' ${token}; base64 -w 0 "$FERRY_O"`,
    `printf '\\n%s err ' ${token}; base64 -w 0 "$FERRY_E"`,
    `printf '\\n%s %s\\n' ${token} "$FERRY_C"\n`,
  ].join('; ');
}

/** An SFTP session opened for file streams beside the main one (SshHost.onStreamSession). */
interface StreamSession {
  session: Promise<SFTPWrapper>;
  streams: number;
  idle?: NodeJS.Timeout;
}

/**
 * A machine reached over SSH. One connection; commands run on channels of it
 * (at most MAX_COMMANDS at once, the rest wait), files through one SFTP
 * session opened on first use.
 */
export class SshHost implements Host {
  readonly label: string;
  // At most MAX_COMMANDS commands share the connection at a time (OpenSSH's MaxSessions).
  private readonly slots = new Slots(MAX_COMMANDS);
  private sftpSession: Promise<SFTPWrapper> | undefined;
  /** Streams on the main SFTP session now, and the extra sessions opened for streams side by side (onStreamSession). */
  private mainStreams = 0;
  private readonly streamSessions: StreamSession[] = [];
  private extraRefused = false;
  /** The shortest round trip seen (an SFTP stat), Infinity before the first. */
  private roundTripMs = Infinity;
  private readonly shell: CommandShell;
  private readonly jobShells: CommandShell[] = [];
  private lost: Error | undefined;
  private readonly ended: Promise<void>;

  constructor(private readonly client: SshClient, config: Pick<SshHostConfig, 'user' | 'host' | 'port'>) {
    this.label = `${config.user}@${config.host}:${config.port}`;
    this.shell = new CommandShell(client);
    this.ended = new Promise((resolve) => client.once('close', () => resolve()));
    client.on('error', (error) => {
      this.lost = error;
    });
    void this.ended.then(() => {
      this.lost ??= new Error('connection closed');
    });
  }

  /**
   * Opens, in the background, what the first commands will need: the SFTP session, the command shell and
   * one job shell. Each starts the login shell once (0.1-0.2 s here); opened now, that overlaps the
   * discovery that follows a connection instead of adding to it. Failures are left to the first real use.
   */
  warmUp(): void {
    void this.sftp().catch(() => undefined);
    void this.shell.run('true').catch(() => undefined);
    const shell = new CommandShell(this.client);
    this.jobShells.push(shell);
    void shell.canRunJobs();
  }

  private connectionError(what: string, cause?: unknown): ConnectorError {
    return new ConnectorError(`${what}: the SSH connection to ${this.label} was lost`, { kind: 'transient', hint: 'check the network and that sshd still runs on the host, then resume', cause: cause ?? this.lost });
  }

  private fileError(error: unknown, what: string): ConnectorError {
    if (error instanceof ConnectorError) return error;
    const code = (error as { code?: unknown }).code;
    if (code === SFTP_NO_SUCH_FILE) return new ConnectorError(`${what}: no such file or folder on ${this.label}`, { kind: 'config', cause: error });
    if (code === SFTP_PERMISSION_DENIED) return new ConnectorError(`${what}: permission denied on ${this.label}`, { kind: 'auth', hint: 'sign in as a user that may read the source installation and write the target one', cause: error });
    if (this.lost || typeof code !== 'number') return this.connectionError(what, error);
    return new ConnectorError(`${what}: ${(error as Error).message} on ${this.label}`, { kind: 'transient', cause: error });
  }

  private sftp(): Promise<SFTPWrapper> {
    // A request on an SFTP session whose connection dropped is never answered: fail at once instead.
    if (this.lost) return Promise.reject(this.connectionError('SFTP'));
    const opened: Promise<SFTPWrapper> = this.sftpSession ?? call<SFTPWrapper>((done) => this.client.sftp(done)).then((session) => {
      // An SFTP session that ended (its server process gone) is opened anew on the next use.
      session.once('close', () => {
        if (this.sftpSession === opened) this.sftpSession = undefined;
      });
      return session;
    }).catch((error: unknown) => {
      this.sftpSession = undefined;
      throw this.lost
        ? this.connectionError('opening SFTP', error)
        : new ConnectorError(`SFTP is not available on ${this.label}: ${(error as Error).message}`, { kind: 'config', hint: 'enable the sftp subsystem in the host\'s sshd_config (Subsystem sftp /usr/lib/openssh/sftp-server)', cause: error });
    });
    this.sftpSession = opened;
    return opened;
  }

  /**
   * Runs one of Ferry's own short commands (text output, no input) in the
   * command shell; falls back to an exec channel if that shell is gone.
   * Returns stdout and stderr together.
   */
  private async quick(argv: readonly string[]): Promise<{ code: number; output: string }> {
    const command = argv[0] as string;
    const started = performance.now();
    let result: { code: number; output: string };
    if (!this.shell.dead && !this.lost) {
      try {
        result = await this.shell.run(commandLine(argv));
      } catch {
        if (this.lost) throw this.connectionError(`${command} could not run`);
        const { code, stdout, stderr } = await this.exec(argv, { allowFailure: true });
        result = { code, output: stderr + stdout };
      }
    } else {
      const { code, stdout, stderr } = await this.exec(argv, { allowFailure: true });
      result = { code, output: stderr + stdout };
    }
    trace(started, this.label, 'shell', argv);
    if (result.code === 127 && result.output.includes(command) && /not found|No such file/i.test(result.output)) {
      throw new ConnectorError(`${command} is not installed on ${this.label}`, { kind: 'config', hint: `install ${command} on that host` });
    }
    return result;
  }

  async exec(argv: readonly string[], options: ExecOptions & { allowFailure?: boolean } = {}): Promise<ExecResult> {
    const command = argv[0] as string;
    let result = options.input === undefined ? await this.execAsJob(argv, options) : undefined;
    if (!result) {
      const process_ = this.spawn(argv, options);
      const chunks: Buffer[] = [];
      process_.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      process_.stdin.on('error', () => undefined);
      process_.stdin.end(options.input ?? '');
      const [{ code, stderr }] = await Promise.all([process_.done, finished(process_.stdout).catch(() => undefined)]);
      result = { code, stdout: Buffer.concat(chunks), stderr };
    } else if (result.code === 127 && result.stderr.includes(command) && /not found|No such file/i.test(result.stderr)) {
      throw new ConnectorError(`${command} is not installed on ${this.label}`, { kind: 'config', hint: `install ${command} on that host (or put it on the login PATH of ${this.label.split('@')[0]})` });
    }
    const { code, stderr } = result;
    const stdout = result.stdout.toString('utf8');
    if (code !== 0 && !options.allowFailure) {
      const detail = redact((stderr.trim() || stdout.trim()).slice(-OUTPUT_TAIL), options.secrets ?? []);
      throw new ConnectorError(`${redact(argv.join(' '), options.secrets ?? [])} exited with ${code} on ${this.label}: ${detail}`, { kind: 'config' });
    }
    return { code, stdout, stderr };
  }

  /**
   * A command without input, run as a job of one of the long-lived shells (CommandShell.job) instead of on
   * an exec channel of its own, which starts the account's login shell each time (0.1 s here, with
   * pyenv in root's .bashrc; a system migration over SSH ran about 15 of them). An idle one of
   * JOB_SHELLS shells takes it; when all are busy, the command waits up to JOB_WAIT_MS for one (most jobs
   * take milliseconds: the three copies of a snapshot, a listing) before another session is opened, the
   * next job shell or else an exec channel, so that long commands started side by side still run side by
   * side. Undefined when no shell is free then, when the shells cannot run jobs (no setsid or base64 on
   * the host) or when the shell ended before the command started: the caller uses an exec channel.
   */
  private async execAsJob(argv: readonly string[], options: Omit<ExecOptions, 'input'>): Promise<{ code: number; stdout: Buffer; stderr: string } | undefined> {
    if (this.lost) return undefined;
    const deadline = performance.now() + JOB_WAIT_MS;
    let shell: CommandShell | undefined;
    for (;;) {
      const alive = this.jobShells.filter((one) => !one.dead);
      shell = alive.find((one) => one.load === 0);
      const left = deadline - performance.now();
      if (shell || alive.length === 0 || left <= 0) {
        if (!shell && alive.length < JOB_SHELLS) {
          shell = new CommandShell(this.client);
          this.jobShells.push(shell);
        }
        break;
      }
      await Promise.race([...alive.map((one) => one.idle()), new Promise<void>((resolve) => setTimeout(resolve, left).unref())]);
      if (options.signal?.aborted) throw abortError();
      if (this.lost) return undefined;
    }
    if (!shell) return undefined;
    // Busy from now until the job is in its queue: another command must not take the shell in between.
    const release = shell.hold();
    const ready = await shell.canRunJobs();
    if (!ready || options.signal?.aborted) {
      release();
      if (!ready) return undefined;
      throw abortError();
    }
    const started = performance.now();
    let pid: number | undefined;
    let stopping = false;
    // The job is its own process group (setsid): a kill through the command shell ends it with its children.
    const stop = (): void => {
      stopping = true;
      if (pid !== undefined) void this.quick(['kill', '-TERM', '--', `-${pid}`]).catch(() => undefined);
    };
    options.signal?.addEventListener('abort', stop, { once: true });
    try {
      const running = shell.job(commandLine(argv, options), (jobPid) => {
        pid = jobPid;
        if (stopping) stop();
      });
      release();
      const result = await running;
      if (options.signal?.aborted) throw abortError();
      return result;
    } catch (error) {
      if (options.signal?.aborted) throw abortError();
      if (this.lost) throw this.connectionError(`${argv[0]} did not finish`, error);
      // The shell ended: a command that never started goes to an exec channel; one that started may have done its work.
      if (pid === undefined) return undefined;
      throw new ConnectorError(`${argv[0]} on ${this.label}: the command shell ended while it ran`, { kind: 'transient', hint: 'run again: the operation resumes', cause: error });
    } finally {
      release();
      options.signal?.removeEventListener('abort', stop);
      trace(started, this.label, 'shell', argv);
    }
  }

  spawn(argv: readonly string[], options: Omit<ExecOptions, 'input'> = {}): HostProcess {
    const line = commandLine(argv, options);
    const command = argv[0] as string;
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const marker = `ferry-start-${randomUUID()}`;
    let channel: ClientChannel | undefined;
    let killed = false;
    let pid: number | undefined;
    // The remote command is ended by a `kill` of its process group on another
    // channel: sshd makes each session's command a session leader (setsid), so
    // its PID is its group. The SSH "signal" request is tried too, but OpenSSH
    // refuses it for root logins (they run without privilege separation), and
    // closing the channel alone leaves a command that neither reads nor writes running.
    const terminate = (): void => {
      // Through the command shell: it has its own channel, so a kill never waits for a free one.
      if (pid !== undefined) void this.quick(['kill', '-TERM', '--', `-${pid}`]).catch(() => undefined);
    };
    const stop = (): void => {
      if (killed) return;
      killed = true;
      if (!channel) return;
      try {
        channel.signal('TERM');
      } catch {
        // Already closed.
      }
      terminate();
      // A command that ignores SIGTERM: give up on its exit status after a while.
      const open = channel;
      setTimeout(() => {
        try {
          open.close();
        } catch {
          // Already closed.
        }
      }, 5000).unref();
    };
    const onAbort = (): void => stop();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const run = async (): Promise<{ code: number; stderr: string }> => {
      const started = performance.now();
      if (options.signal?.aborted) throw abortError();
      if (this.lost) throw this.connectionError(`${command} could not start`);
      const release = await this.slots.acquire();
      try {
        if (killed) {
          // Killed while waiting for a free channel: never started.
          stdout.end();
          return { code: 128 + 15, stderr: '' };
        }
        channel = await call<ClientChannel>((done) => this.client.exec(`${startPrefix(marker)}${line}`, done)).catch((error: unknown) => {
          throw this.lost ? this.connectionError(`${command} could not start`, error) : new ConnectorError(`${command} could not start on ${this.label}: ${(error as Error).message}`, { kind: 'transient', cause: error });
        });
        const open = channel;
        // A write after the command ended must not crash Ferry: the exit status tells what happened.
        open.on('error', () => undefined);
        if (killed) {
          killed = false;
          stop();
        }
        let stderr = '';
        let first = '';
        open.stderr.setEncoding('utf8');
        open.stderr.on('data', (chunk: string) => {
          if (pid === undefined) {
            // Before the command's own stderr: rc-file noise, the marker, then the PID line.
            first += chunk;
            const match = new RegExp(`(?:^|\\n)${marker}\\nferry-pid:(\\d+)\\n`).exec(first);
            if (!match) {
              if (first.length > 65_536) first = first.slice(-256);
              return;
            }
            pid = Number(match[1]);
            chunk = first.slice(match.index + match[0].length);
            if (killed) terminate();
          }
          stderr = (stderr + chunk).slice(-OUTPUT_TAIL * 2);
        });
        stdin.pipe(open);
        open.pipe(skipUntil(marker)).pipe(stdout);
        const { code, signal } = await new Promise<{ code?: number; signal?: string }>((resolve) => {
          let status: { code?: number; signal?: string } = {};
          open.on('exit', (exitCode: number | null, signalName?: string) => {
            status = exitCode === null || exitCode === undefined ? { signal: signalName ?? 'unknown' } : { code: exitCode };
          });
          open.on('close', () => resolve(status));
        });
        if (pid === undefined) stderr = first.slice(-OUTPUT_TAIL * 2); // the start prefix never ran
        if (options.signal?.aborted) throw abortError();
        if (code === undefined && signal === undefined) {
          if (killed) return { code: 128 + 15, stderr };
          throw this.connectionError(`${command} did not finish`);
        }
        if (code === 127 && stderr.includes(command) && /not found|No such file/i.test(stderr)) {
          throw new ConnectorError(`${command} is not installed on ${this.label}`, { kind: 'config', hint: `install ${command} on that host (or put it on the login PATH of ${this.label.split('@')[0]})` });
        }
        return { code: code ?? 128 + (SIGNALS[(signal ?? '').replace(/^SIG/, '')] ?? 0), stderr };
      } finally {
        release();
        options.signal?.removeEventListener('abort', onAbort);
        trace(started, this.label, 'exec', argv);
      }
    };
    const done = run();
    done.catch(() => {
      // The command never ran or its connection dropped: end the streams so readers do not wait.
      stdin.resume();
      if (!stdout.writableEnded) stdout.end();
    });
    return { stdin, stdout, done, kill: stop };
  }

  async stat(path: string): Promise<FileEntry | undefined> {
    const sftp = await this.sftp();
    let attrs: Stats;
    const asked = performance.now();
    try {
      attrs = await call<Stats>((done) => sftp.lstat(path, done));
    } catch (error) {
      if ((error as { code?: unknown }).code === SFTP_NO_SUCH_FILE) return undefined;
      throw this.fileError(error, path);
    } finally {
      // The shortest answer to a stat is the link's round trip (plus the server's time, small next to it).
      this.roundTripMs = Math.min(this.roundTripMs, performance.now() - asked);
    }
    const entry = entryOf(path, attrs);
    if (entry.kind !== 'symlink') return entry;
    const target = await call<string>((done) => sftp.readlink(path, done)).catch((error: unknown) => { throw this.fileError(error, path); });
    return { ...entry, target };
  }

  /**
   * One `find -printf` on the host: a single round trip however many files
   * (SFTP needs one per folder and one per symlink; see listBySftp).
   */
  async *list(dir: string): AsyncIterable<FileEntry> {
    const start = dir === '/' ? '/' : `${dir.replace(/\/+$/, '')}/`;
    const listing = await this.exec(['find', start, '-mindepth', '1', '-printf', '%P\\0%y\\0%s\\0%m\\0%T@\\0%l\\0'], { allowFailure: true }).catch((error: unknown) => {
      if (error instanceof ConnectorError && error.message.startsWith('find is not installed')) return undefined;
      throw error;
    });
    // No find, or one without -printf (BusyBox): the same listing through SFTP.
    if (!listing || (listing.code !== 0 && /printf|unknown predicate|invalid predicate|unrecognized/i.test(listing.stderr))) {
      yield* this.listBySftp(dir);
      return;
    }
    const { code, stdout, stderr } = listing;
    if (code !== 0) {
      if (/No such file or directory/.test(stderr) && !stdout) throw new ConnectorError(`${dir}: no such file or folder on ${this.label}`, { kind: 'config' });
      if (/Permission denied/.test(stderr)) throw new ConnectorError(`${dir}: permission denied on ${this.label} (${stderr.trim().split('\n')[0]})`, { kind: 'auth', hint: 'sign in as a user that may read the source installation and write the target one' });
      throw new ConnectorError(`find ${dir} exited with ${code} on ${this.label}: ${stderr.trim().slice(-OUTPUT_TAIL)}`, { kind: 'config' });
    }
    const fields = stdout.split('\0');
    const entries: FileEntry[] = [];
    for (let i = 0; i + 5 < fields.length; i += 6) {
      const [path, type, size, mode, mtime, target] = fields.slice(i, i + 6) as [string, string, string, string, string, string];
      const kind = type === 'd' ? 'dir' : type === 'l' ? 'symlink' : 'file';
      entries.push({ path, kind, size: kind === 'file' ? Number(size) : 0, mode: Number.parseInt(mode, 8), mtimeMs: Math.round(Number(mtime) * 1000), ...(kind === 'symlink' ? { target } : {}) });
    }
    yield* entries.sort(compareByPath);
  }

  /** The same listing through SFTP only, for hosts without GNU find. */
  async *listBySftp(dir: string): AsyncIterable<FileEntry> {
    const sftp = await this.sftp();
    const walk = async function* (this: SshHost, relative: string): AsyncIterable<FileEntry> {
      const full = relative ? posix.join(dir, relative) : dir;
      const names = await call<Array<{ filename: string; attrs: Stats }>>((done) => sftp.readdir(full, done)).catch((error: unknown) => { throw this.fileError(error, full); });
      names.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
      for (const { filename, attrs } of names) {
        const rel = relative ? `${relative}/${filename}` : filename;
        let entry = entryOf(rel, attrs);
        if (entry.kind === 'symlink') {
          const link = posix.join(dir, rel);
          entry = { ...entry, target: await call<string>((done) => sftp.readlink(link, done)).catch((error: unknown) => { throw this.fileError(error, link); }) };
        }
        yield entry;
        if (entry.kind === 'dir') yield* walk.call(this, rel);
      }
    };
    yield* walk.call(this, '');
  }

  async readFile(path: string): Promise<Buffer> {
    const sftp = await this.sftp();
    return call<Buffer>((done) => sftp.readFile(path, done)).catch((error: unknown) => { throw this.fileError(error, path); });
  }

  async writeFile(path: string, data: string | Buffer, mode = 0o644): Promise<void> {
    const sftp = await this.sftp();
    const temporary = `${path}.ferry-${randomUUID().slice(0, 8)}`;
    try {
      await call<void>((done) => sftp.writeFile(temporary, data, { mode }, done));
      await this.rename(temporary, path);
    } catch (error) {
      await call<void>((done) => sftp.unlink(temporary, done)).catch(() => undefined);
      throw this.fileError(error, path);
    }
  }

  createReadStream(path: string, start = 0): Readable {
    // Several READs in flight (sftp-streams.ts): ssh2's own stream waits for each answer before the next.
    return this.onStreamSession((session) => sftpReader(session, path, start, (error) => this.fileError(error, path)));
  }

  createWriteStream(path: string, flags: 'a' | 'w', mode = 0o644): Writable {
    return this.onStreamSession((session) => sftpWriter(session, path, flags, mode, (error) => this.fileError(error, path)));
  }

  /** Extra SFTP sessions open now for file streams (diagnostics and tests). */
  get streamSessionsOpen(): number {
    return this.streamSessions.length;
  }

  /**
   * A file stream on the least busy SFTP session: the main one, or one of up to EXTRA_SFTP_SESSIONS more opened
   * for streams that run side by side. Each session is a channel of its own with its own flow-control window
   * (ssh2 keeps 1-2 MiB of a channel's data in flight), which is what bounds a copy over a link with round
   * trips: over a relay holding each packet 10 ms each way, four 64 MiB files between two connections took
   * 6.3 s on one session and 4.0 s on four, `ssh tar c | ssh tar x` 3.6 s. Only on such a link (the shortest stat
   * answer, STREAM_SESSIONS_MIN_RTT_MS or more: not on loopback or a LAN). An extra session takes
   * one of the command slots (MaxSessions) for as long as the connection lives, and only when one is free;
   * if the server refuses it, the stream uses the main session.
   */
  private onStreamSession<T extends Readable | Writable>(open: (session: Promise<SFTPWrapper>) => T): T {
    // The least busy session: undefined is the main one.
    let chosen: StreamSession | undefined;
    let least = this.mainStreams;
    for (const extra of this.streamSessions) {
      if (extra.streams < least) {
        chosen = extra;
        least = extra.streams;
      }
    }
    const farAway = this.roundTripMs >= STREAM_SESSIONS_MIN_RTT_MS;
    if (farAway && least > 0 && this.streamSessions.length < EXTRA_SFTP_SESSIONS && !this.extraRefused && !this.lost) {
      const release = this.slots.tryAcquire();
      if (release) chosen = this.openStreamSession(release);
    }
    if (!chosen) {
      const stream = open(this.sftp());
      this.mainStreams++;
      stream.once('close', () => this.mainStreams--);
      return stream;
    }
    const extra = chosen;
    const stream = open(extra.session);
    extra.streams++;
    if (extra.idle) clearTimeout(extra.idle);
    stream.once('close', () => {
      extra.streams--;
      if (extra.streams > 0) return;
      // Unused for a moment (the copy is over): closed, which gives its command slot back.
      extra.idle = setTimeout(() => {
        // Out of the pool first, so no stream picks it while it closes; its slot comes back once it has closed.
        this.dropStreamSession(extra);
        void extra.session.then((session) => session.end()).catch(() => undefined);
      }, STREAM_SESSION_IDLE_MS).unref();
    });
    return stream;
  }

  private openStreamSession(release: () => void): StreamSession {
    const forget = (): void => {
      this.dropStreamSession(entry);
      release();
    };
    const opened = call<SFTPWrapper>((done) => this.client.sftp(done)).then((session) => {
      session.once('close', forget);
      return session;
    }, () => {
      // Refused (a server with a lower MaxSessions: not asked again on this connection) or the connection went:
      // the main session, which reports a lost connection itself.
      this.extraRefused = true;
      forget();
      return this.sftp();
    });
    const entry: StreamSession = { session: opened, streams: 0 };
    this.streamSessions.push(entry);
    return entry;
  }

  private dropStreamSession(entry: StreamSession): void {
    const at = this.streamSessions.indexOf(entry);
    if (at >= 0) this.streamSessions.splice(at, 1);
  }

  async mkdir(path: string, mode = 0o755): Promise<void> {
    const sftp = await this.sftp();
    const make = async (at: string): Promise<void> => {
      try {
        await call<void>((done) => sftp.mkdir(at, { mode }, done));
      } catch (error) {
        const existing = await call<Stats>((done) => sftp.stat(at, done)).catch(() => undefined);
        if (existing?.isDirectory()) return;
        if (existing || posix.dirname(at) === at || (error as { code?: unknown }).code !== SFTP_NO_SUCH_FILE) throw this.fileError(error, path);
        await make(posix.dirname(at));
        await call<void>((done) => sftp.mkdir(at, { mode }, done)).catch(async (again: unknown) => {
          if (!(await call<Stats>((done) => sftp.stat(at, done)).catch(() => undefined))?.isDirectory()) throw this.fileError(again, path);
        });
      }
    };
    await make(path);
  }

  async symlink(target: string, path: string): Promise<void> {
    const sftp = await this.sftp();
    await call<void>((done) => sftp.symlink(target, path, done)).catch((error: unknown) => { throw this.fileError(error, path); });
  }

  /** Replaces `to` if it exists (OpenSSH's posix-rename; plain SFTP rename refuses). */
  async rename(from: string, to: string): Promise<void> {
    const sftp = await this.sftp();
    await call<void>((done) => sftp.ext_openssh_rename(from, to, done)).catch(async (error: unknown) => {
      if (!/not supported/i.test((error as Error).message)) throw this.fileError(error, from);
      const { code, output } = await this.quick(['mv', '-f', '--', from, to]);
      if (code !== 0) throw new ConnectorError(`mv ${from} ${to} exited with ${code} on ${this.label}: ${output.trim()}`, { kind: 'config' });
    });
  }

  async remove(path: string): Promise<void> {
    const { code, output } = await this.quick(['rm', '-rf', '--', path]);
    if (code !== 0) throw new ConnectorError(`rm -rf ${path} exited with ${code} on ${this.label}: ${output.trim().slice(-OUTPUT_TAIL)}`, { kind: /Permission denied/.test(output) ? 'auth' : 'config' });
  }

  async sha256(path: string): Promise<string> {
    // OpenSSL's SHA-256 uses the CPU's SHA instructions (about 2 GB/s here); coreutils' sha256sum does not (0.5 GB/s).
    const { code, output: stdout } = await this.quick(['sh', '-c', 'if command -v openssl >/dev/null 2>&1; then exec openssl dgst -sha256 -r -- "$1"; elif command -v sha256sum >/dev/null 2>&1; then exec sha256sum -- "$1"; else exit 99; fi', 'sh', path]);
    if (code === 99) throw new ConnectorError(`Neither openssl nor sha256sum is installed on ${this.label}: Ferry checks every copied file by its SHA-256 on the host`, { kind: 'config', hint: 'install coreutils (sha256sum) or openssl on that host' });
    if (code !== 0) {
      if (/No such file|[Cc]an't open/.test(stdout)) throw new ConnectorError(`${path}: no such file or folder on ${this.label}`, { kind: 'config' });
      throw new ConnectorError(`sha256sum ${path} exited with ${code} on ${this.label}: ${stdout.trim()}`, { kind: /Permission denied/.test(stdout) ? 'auth' : 'config' });
    }
    const hex = /^\\?([0-9a-f]{64})\s/.exec(stdout)?.[1];
    if (!hex) throw new ConnectorError(`sha256sum printed no checksum for ${path} on ${this.label}: ${stdout.slice(0, 200)}`, { kind: 'bug' });
    return hex;
  }

  private cheapCrcAnswer: Promise<boolean> | undefined;

  cheapCrc(): Promise<boolean> {
    this.cheapCrcAnswer ??= this.quick(['cksum', '--version']).then(({ code, output }) => code === 0 && cheapCksum(output), () => false);
    return this.cheapCrcAnswer;
  }

  async crc32(path: string): Promise<string> {
    const { code, output } = await this.quick(['cksum', '--', path]);
    return cksumAnswer({ code, output, message: output }, path, this.label);
  }

  async freeBytes(path: string): Promise<number> {
    const sftp = await this.sftp();
    let at = path;
    while (!(await call<Stats>((done) => sftp.stat(at, done)).then(() => true, () => false))) {
      if (posix.dirname(at) === at) break;
      at = posix.dirname(at);
    }
    const { code, output } = await this.quick(['df', '-B1', '--output=avail', '--', at]);
    const value = Number(output.trim().split('\n').pop());
    if (code !== 0) throw new ConnectorError(`df ${at} exited with ${code} on ${this.label}: ${output.trim()}`, { kind: 'config' });
    if (!Number.isFinite(value)) throw new ConnectorError(`df printed no free space for ${at} on ${this.label}: ${output.slice(0, 200)}`, { kind: 'bug' });
    return value;
  }

  async info(): Promise<HostInfo> {
    const script = 'hostname; hostname -f 2>/dev/null || hostname; echo ---; ip -o addr show 2>/dev/null || hostname -I 2>/dev/null || true';
    const { stdout } = await this.exec(['sh', '-c', script]);
    // (an exec channel: stderr stays apart from the output parsed here)
    const [head = '', addressText = ''] = stdout.split('\n---\n');
    const [hostname = '', fqdn = ''] = head.split('\n').map((line) => line.trim());
    const found = addressText.includes(' inet')
      ? [...addressText.matchAll(/\binet6?\s+([^\s/]+)/g)].map((match) => match[1] as string)
      : addressText.split(/\s+/).filter(Boolean);
    const loopback = (address: string): boolean => address.startsWith('127.') || address === '::1';
    const addresses = [...new Set([...found.filter((a) => !loopback(a)), ...found.filter(loopback)])];
    return { hostname, fqdn: fqdn || hostname, addresses };
  }

  private readonly closers: Array<() => Promise<void> | void> = [];

  onClose(end: () => Promise<void> | void): void {
    this.closers.push(end);
  }

  async close(): Promise<void> {
    for (const end of this.closers.splice(0)) await Promise.resolve().then(end).catch(() => undefined);
    for (const extra of this.streamSessions) clearTimeout(extra.idle);
    this.shell.close();
    for (const shell of this.jobShells) shell.close();
    this.client.end();
    await Promise.race([this.ended, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
  }
}

function expandHome(path: string): string {
  return path === '~' ? homedir() : path.startsWith('~/') ? posix.join(homedir(), path.slice(2)) : path;
}

function fromEnv(name: string, field: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new ConnectorError(`The environment variable ${name} (the plan's ${field}) is not set`, { kind: 'config', hint: `set ${name} in the environment Ferry runs in; secrets never go in the plan itself` });
  }
  return value;
}

/** How Ferry signs in: the key file (checked and decrypted here, for a clear message), a password, or the ssh-agent. */
async function credentials(config: SshHostConfig, label: string): Promise<Pick<ConnectConfig, 'privateKey' | 'passphrase' | 'password' | 'agent'>> {
  if (config.key) {
    const path = expandHome(config.key);
    const data = await readFile(path).catch((error: unknown) => {
      throw new ConnectorError(`The key file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { kind: 'config', hint: 'set key: to the path of the private key (on the machine running Ferry) whose public half is in the user\'s authorized_keys on the host' });
    });
    const passphrase = config.passphraseEnv ? fromEnv(config.passphraseEnv, 'passphraseEnv') : undefined;
    const parsed = utils.parseKey(data, passphrase);
    if (parsed instanceof Error) {
      if (!passphrase && /encrypted|passphrase/i.test(parsed.message)) {
        throw new ConnectorError(`The key ${path} is protected by a passphrase`, { kind: 'config', hint: 'set passphraseEnv: to the name of an environment variable that holds it' });
      }
      if (passphrase) throw new ConnectorError(`The key ${path} cannot be decrypted with the passphrase from ${config.passphraseEnv}`, { kind: 'auth', hint: `check the value of ${config.passphraseEnv}` });
      throw new ConnectorError(`${path} is not a private key Ferry can read (${parsed.message})`, { kind: 'config', hint: 'use an OpenSSH or PEM private key (ed25519, ecdsa or rsa)' });
    }
    // With a password too, ssh2 tries the key first, then the password.
    const password = config.passwordEnv ? fromEnv(config.passwordEnv, 'passwordEnv') : undefined;
    return { privateKey: data, ...(passphrase ? { passphrase } : {}), ...(password ? { password } : {}) };
  }
  if (config.passwordEnv) return { password: fromEnv(config.passwordEnv, 'passwordEnv') };
  if (process.env.SSH_AUTH_SOCK) return { agent: process.env.SSH_AUTH_SOCK };
  throw new ConnectorError(`No way to sign in to ${label}`, { kind: 'config', hint: 'add key: (a private key file) or passwordEnv: (an environment variable holding the password) to the plan\'s ssh: section, or run an ssh-agent' });
}

async function expectation(config: SshHostConfig): Promise<HostKeyExpectation> {
  if (config.hostKey) return { kind: 'fingerprint', fingerprint: config.hostKey };
  const path = expandHome(config.knownHosts ?? '~/.ssh/known_hosts');
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new ConnectorError(`The known_hosts file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { kind: 'config' });
  });
  return { kind: 'knownHosts', path, entries: parseKnownHosts(text) };
}

type Refusal = Exclude<HostKeyVerdict, { ok: true }>;

// Host key algorithms by key type, for asking a server for each of its keys in turn.
const HOST_KEY_FAMILIES = [['ssh-ed25519'], ['ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'], ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']];

function hostKeyError(verdict: Refusal, config: SshHostConfig, label: string, alsoPresented: readonly string[] = []): ConnectorError {
  const shortType = verdict.type.replace(/^ssh-/, '').replace(/^ecdsa-sha2-.*/, 'ecdsa');
  const check = `on the server: ssh-keygen -lf /etc/ssh/ssh_host_${shortType}_key.pub`;
  if (verdict.reason === 'unknown') {
    const others = verdict.otherTypes.length > 0 ? ` (known_hosts has only ${verdict.otherTypes.join(', ')} keys for it)` : '';
    return new ConnectorError(`The host key of ${label} is unknown${others}: the server presents the ${verdict.type} key ${verdict.presented}`, {
      kind: 'config',
      hint: `check that fingerprint with the server's admin (${check}); when it matches, add "hostKey: ${verdict.presented}" to the plan's ssh: section`,
    });
  }
  const expected = verdict.expected.length > 0 ? `, but ${verdict.where} expects ${verdict.expected.join(' or ')}` : ` and ${verdict.where} marks that key as revoked`;
  return new ConnectorError(
    `WARNING: THE HOST KEY OF ${label} HAS CHANGED. The server presents the ${verdict.type} key ${verdict.presented}${alsoPresented.map((other) => ` (and ${other})`).join('')}${expected}. Someone may be intercepting the connection (man-in-the-middle), or the server was reinstalled; Ferry does not connect`,
    { kind: 'auth', hint: `ask the server's admin whether its host key changed (${check}); only then replace the old key in ${verdict.where} with ${verdict.presented}${config.hostKey ? '' : ' (ssh-keygen -R to remove the old entry)'}` },
  );
}

function connectError(error: Error & { code?: string; level?: string }, config: SshHostConfig, label: string): ConnectorError {
  const where = `${config.host}:${config.port}`;
  const unreachableHint = 'is sshd running on that host, is the port right and open in its firewall?';
  if (error.code === 'ECONNREFUSED') return new ConnectorError(`Cannot reach ${where}: connection refused`, { kind: 'config', hint: unreachableHint, cause: error });
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') return new ConnectorError(`Cannot reach ${where}: the name ${config.host} does not resolve`, { kind: 'config', hint: 'check the host name in the plan', cause: error });
  if (error.code === 'EHOSTUNREACH' || error.code === 'ENETUNREACH') return new ConnectorError(`Cannot reach ${where}: no route to the host`, { kind: 'config', hint: unreachableHint, cause: error });
  if (error.code === 'ETIMEDOUT' || error.level === 'client-timeout') {
    return new ConnectorError(`Cannot reach ${where}: no answer within ${config.connectTimeoutMs} ms`, { kind: 'config', hint: unreachableHint, cause: error });
  }
  if (error.level === 'client-authentication') {
    const how = config.key ? `the key ${config.key}` : config.passwordEnv ? `the password from ${config.passwordEnv}` : 'the ssh-agent\'s keys';
    return new ConnectorError(`${label} refused ${how}`, {
      kind: 'auth',
      hint: config.key ? `add the public key (${config.key}.pub) to ~${config.user}/.ssh/authorized_keys on the host, or name the right key` : config.passwordEnv ? `check the password in ${config.passwordEnv} and that the host allows password logins (PasswordAuthentication)` : 'load the right key into the agent or name it with key:',
      cause: error,
    });
  }
  return new ConnectorError(`Cannot connect to ${label}: ${error.message}`, { kind: 'transient', cause: error });
}

/**
 * Connects over SSH and checks the host key against the plan's hostKey or the
 * known_hosts file; an unknown or changed key is refused before anything is
 * sent.
 *
 * @example
 * const host = await connectSsh({ host: 'old-wiki.example.org', port: 22, user: 'ferry', key: '~/.ssh/id_ed25519', connectTimeoutMs: 10_000 });
 */
export async function connectSsh(config: SshHostConfig): Promise<SshHost> {
  const label = `${config.user}@${config.host}:${config.port}`;
  const auth = await credentials(config, label);
  const expected = await expectation(config);
  const knownTypes = expected.kind === 'knownHosts' ? expected.entries.filter((entry) => entry.marker === undefined && checkHostKey(entry.blob, config.host, config.port, { ...expected, entries: [entry] }).ok).map((entry) => entry.type) : [];

  const attempt = (algorithms: string[]): Promise<{ client: SshClient } | { refused: Refusal } | { error: ConnectorError }> =>
    new Promise((resolve) => {
      let refused: Refusal | undefined;
      const client = new Client();
      const onError = (error: Error): void => {
        client.removeListener('ready', onReady);
        // The socket may still report a reset while it closes: nobody is waiting for that.
        client.on('error', () => undefined);
        client.end();
        resolve(refused ? { refused } : { error: connectError(error, config, label) });
      };
      const onReady = (): void => {
        client.removeListener('error', onError);
        // Nagle's algorithm with delayed ACKs adds ~40 ms to every small SFTP request and reply.
        client.setNoDelay(true);
        resolve({ client });
      };
      client.once('error', onError);
      client.once('ready', onReady);
      client.connect({
        host: config.host,
        port: config.port,
        username: config.user,
        ...auth,
        readyTimeout: config.connectTimeoutMs,
        keepaliveInterval: 15_000,
        keepaliveCountMax: 4,
        algorithms: { serverHostKey: algorithms as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] },
        hostVerifier: (key: Buffer): boolean => {
          const verdict = checkHostKey(key, config.host, config.port, expected);
          if (!verdict.ok) refused = verdict;
          return verdict.ok;
        },
      });
    });

  let result = await attempt(preferredAlgorithms(knownTypes));
  if ('refused' in result && expected.kind === 'fingerprint' && result.refused.reason === 'changed') {
    // A fingerprint does not say which of the server's keys it is of (ed25519, ecdsa, rsa): ask
    // for each of the others before calling the key changed, as an admin may have given any one.
    const first = result.refused;
    const others: string[] = [];
    for (const family of HOST_KEY_FAMILIES.filter((algorithms) => !algorithms.includes(first.type))) {
      const next = await attempt(family);
      if ('client' in next) {
        result = next;
        break;
      }
      if ('refused' in next) others.push(`the ${next.refused.type} key ${next.refused.presented}`);
      // An error here means the server has no key of that family.
    }
    if (!('client' in result)) throw hostKeyError(first, config, label, others);
  }
  if ('refused' in result) throw hostKeyError(result.refused, config, label);
  if ('error' in result) throw result.error;
  const host = new SshHost(result.client, config);
  host.warmUp();
  return host;
}
