import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, lstat, mkdir, readdir, readFile, readlink, rename, rm, statfs, symlink, writeFile } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { ConnectorError } from '../sdk/errors.js';
import { redact } from '../sdk/redact.js';
import { cheapCksum, cksumAnswer } from './cksum.js';
import { sameBytes, sha256File } from './hash-pool.js';
import type { ExecOptions, ExecResult, FileEntry, Host, HostInfo, HostProcess } from './host.js';

const OUTPUT_TAIL = 4000;
const STREAM_CHUNK = 1024 * 1024;

function entryOf(path: string, stats: Awaited<ReturnType<typeof lstat>>, target?: string): FileEntry {
  const kind = stats.isSymbolicLink() ? 'symlink' : stats.isDirectory() ? 'dir' : 'file';
  return { path, kind, size: kind === 'file' ? Number(stats.size) : 0, mode: Number(stats.mode) & 0o7777, mtimeMs: Number(stats.mtimeMs), ...(target !== undefined ? { target } : {}) };
}

function fsError(error: unknown, what: string): ConnectorError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new ConnectorError(`${what}: no such file or folder`, { kind: 'config', cause: error });
  if (code === 'EACCES' || code === 'EPERM') return new ConnectorError(`${what}: permission denied`, { kind: 'auth', hint: 'run Ferry as a user that may read the source installation and write the target one', cause: error });
  if (code === 'ENOSPC') return new ConnectorError(`${what}: the disk is full`, { kind: 'too_large', cause: error });
  return new ConnectorError(`${what}: ${(error as Error).message}`, { kind: 'transient', cause: error });
}

/**
 * This machine as a host: commands through child_process (no shell), files
 * through node:fs. The "local" path of a system migration.
 */
export class LocalHost implements Host {
  readonly label = 'this machine';

  async exec(argv: readonly string[], options: ExecOptions & { allowFailure?: boolean } = {}): Promise<ExecResult> {
    const process_ = this.spawn(argv, options);
    const chunks: Buffer[] = [];
    process_.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A command that exits before reading its input raises EPIPE on stdin: its exit code says what happened.
    process_.stdin.on('error', () => undefined);
    process_.stdin.end(options.input ?? '');
    const { code, stderr } = await process_.done;
    const stdout = Buffer.concat(chunks).toString('utf8');
    if (code !== 0 && !options.allowFailure) {
      const detail = redact((stderr.trim() || stdout.trim()).slice(-OUTPUT_TAIL), options.secrets ?? []);
      throw new ConnectorError(`${redact(argv.join(' '), options.secrets ?? [])} exited with ${code} on ${this.label}: ${detail}`, { kind: 'config' });
    }
    return { code, stdout, stderr };
  }

  spawn(argv: readonly string[], options: Omit<ExecOptions, 'input'> = {}): HostProcess {
    const [command, ...args] = argv;
    if (!command) throw new ConnectorError('empty command', { kind: 'bug' });
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-OUTPUT_TAIL * 2);
    });
    const done = new Promise<{ code: number; stderr: string }>((resolve, reject) => {
      child.on('error', (error) => {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') reject(new ConnectorError(`${command} is not installed on ${this.label}`, { kind: 'config', cause: error }));
        else if (error.name === 'AbortError') reject(error);
        else reject(new ConnectorError(`${command} could not start on ${this.label}: ${error.message}`, { kind: 'transient', cause: error }));
      });
      child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stderr }));
    });
    return { stdin: child.stdin, stdout: child.stdout, done, kill: () => void child.kill('SIGTERM') };
  }

  async stat(path: string): Promise<FileEntry | undefined> {
    try {
      const stats = await lstat(path);
      return entryOf(path, stats, stats.isSymbolicLink() ? await readlink(path) : undefined);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw fsError(error, path);
    }
  }

  async *list(dir: string): AsyncIterable<FileEntry> {
    const walk = async function* (relative: string): AsyncIterable<FileEntry> {
      let names: string[];
      try {
        names = (await readdir(join(dir, relative))).sort();
      } catch (error) {
        throw fsError(error, join(dir, relative));
      }
      for (const name of names) {
        const rel = relative ? `${relative}/${name}` : name;
        const full = join(dir, rel);
        const stats = await lstat(full).catch((error: unknown) => { throw fsError(error, full); });
        const entry = entryOf(rel, stats, stats.isSymbolicLink() ? await readlink(full) : undefined);
        yield entry;
        if (entry.kind === 'dir') yield* walk(rel);
      }
    };
    yield* walk('');
  }

  async readFile(path: string): Promise<Buffer> {
    return readFile(path).catch((error: unknown) => { throw fsError(error, path); });
  }

  async writeFile(path: string, data: string | Buffer, mode = 0o644): Promise<void> {
    const temporary = `${path}.ferry-${process.pid}-${Date.now()}`;
    try {
      await writeFile(temporary, data, { mode });
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw fsError(error, path);
    }
  }

  createReadStream(path: string, start = 0): Readable {
    // 1 MiB reads: a copy through Node with 64 KiB chunks took about twice as long (more chunks through the hash and the event loop).
    return createReadStream(path, { start, highWaterMark: STREAM_CHUNK });
  }

  createWriteStream(path: string, flags: 'a' | 'w', mode = 0o644): Writable {
    return createWriteStream(path, { flags, mode, highWaterMark: STREAM_CHUNK });
  }

  /**
   * Copies a whole file in the kernel (fs.copyFile: copy_file_range on Linux, no bytes through Node), with the
   * source's permission bits. A kill leaves a prefix of the file at `to`, which a resumed copy appends to.
   */
  async kernelCopy(from: string, to: string): Promise<void> {
    await copyFile(from, to).catch((error: unknown) => { throw fsError(error, from); });
  }

  /** Whether two files on this machine hold the same bytes (compared on a worker thread). */
  async sameBytes(a: string, b: string): Promise<boolean> {
    return sameBytes(a, b).catch((error: unknown) => { throw fsError(error, (error as { path?: string }).path ?? a); });
  }

  async mkdir(path: string, mode = 0o755): Promise<void> {
    await mkdir(path, { recursive: true, mode }).catch((error: unknown) => { throw fsError(error, path); });
  }

  async symlink(target: string, path: string): Promise<void> {
    await symlink(target, path).catch((error: unknown) => { throw fsError(error, path); });
  }

  async rename(from: string, to: string): Promise<void> {
    await rename(from, to).catch((error: unknown) => { throw fsError(error, from); });
  }

  async remove(path: string): Promise<void> {
    await rm(path, { recursive: true, force: true }).catch((error: unknown) => { throw fsError(error, path); });
  }

  async sha256(path: string): Promise<string> {
    // On a worker thread (hash-pool.ts): beside the copies and the event loop, not on it.
    return sha256File(path).catch((error: unknown) => { throw fsError(error, path); });
  }

  private cheapCrcAnswer: Promise<boolean> | undefined;

  cheapCrc(): Promise<boolean> {
    this.cheapCrcAnswer ??= this.exec(['cksum', '--version'], { allowFailure: true }).then(({ code, stdout }) => code === 0 && cheapCksum(stdout), () => false);
    return this.cheapCrcAnswer;
  }

  async crc32(path: string): Promise<string> {
    const { code, stdout, stderr } = await this.exec(['cksum', '--', path], { allowFailure: true });
    return cksumAnswer({ code, output: stdout, message: stderr }, path, this.label);
  }

  async freeBytes(path: string): Promise<number> {
    let at = path;
    for (;;) {
      try {
        const stats = await statfs(at);
        return Number(stats.bavail) * Number(stats.bsize);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(at) === at) throw fsError(error, path);
        at = dirname(at);
      }
    }
  }

  async info(): Promise<HostInfo> {
    const name = hostname();
    const { stdout } = await this.exec(['hostname', '--fqdn'], { allowFailure: true }).catch(() => ({ stdout: '' }));
    const all = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
    const addresses = [...all.filter((a) => !a.internal), ...all.filter((a) => a.internal)].map((a) => a.address);
    return { hostname: name, fqdn: stdout.trim() || name, addresses };
  }

  private readonly closers: Array<() => Promise<void> | void> = [];

  onClose(end: () => Promise<void> | void): void {
    this.closers.push(end);
  }

  async close(): Promise<void> {
    // No connection on this machine: only what was registered (long-lived PHP processes) ends.
    for (const end of this.closers.splice(0)) await Promise.resolve().then(end).catch(() => undefined);
  }
}
