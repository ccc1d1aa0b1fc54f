/**
 * A host is a machine Ferry reaches to copy a whole installation (system
 * migration, issue 9): this machine (`LocalHost`, local.ts) or one over SSH
 * (`SshHost`, ssh.ts). Platform adapters only ever talk to a Host, so the same
 * copy code runs on both paths.
 *
 * Paths are absolute paths on that host. Commands are argv arrays (never a
 * shell string): an implementation that needs a shell (SSH) quotes them itself.
 * Errors are ConnectorErrors: 'config' for a missing file or folder, 'auth' for
 * a refused key, 'transient' for a dropped connection.
 */
import type { Readable, Writable } from 'node:stream';

export interface ExecOptions {
  /** Written to the command's stdin, which is then closed. */
  input?: string | Buffer;
  /** Extra environment for the command (added to the host's own). */
  env?: Record<string, string>;
  cwd?: string;
  signal?: AbortSignal;
  /** Strings replaced by *** in any error message (database passwords...). */
  secrets?: readonly string[];
}

export interface ExecResult {
  /** Exit code; exec() rejects on a non-zero one unless allowFailure is set. */
  code: number;
  stdout: string;
  stderr: string;
}

/** A running command whose input and output are streams (a database dump piped host to host). */
export interface HostProcess {
  stdin: Writable;
  stdout: Readable;
  /** Resolves with the exit code and the collected stderr when the command ends; rejects if it could not start. */
  done: Promise<{ code: number; stderr: string }>;
  /** Ends the command (SIGTERM locally, a closed channel over SSH). */
  kill(): void;
}

export interface FileEntry {
  /** Path relative to the listed folder, with '/' separators. */
  path: string;
  kind: 'file' | 'dir' | 'symlink';
  size: number;
  /** Permission bits (e.g. 0o644). */
  mode: number;
  mtimeMs: number;
  /** Where a symlink points (as stored in the link). */
  target?: string;
}

export interface HostInfo {
  hostname: string;
  /** Fully qualified name when the host knows one, else the hostname. */
  fqdn: string;
  /** Non-loopback IPv4/IPv6 addresses, loopback last (a test host may have only those). */
  addresses: string[];
}

export interface Host {
  /** For messages and the log: "this machine" or "ferry@127.0.0.1:2222". Never holds a secret. */
  readonly label: string;
  /** Runs a command to completion; rejects with a ConnectorError on a non-zero exit unless allowFailure. */
  exec(argv: readonly string[], options?: ExecOptions & { allowFailure?: boolean }): Promise<ExecResult>;
  /** Starts a command with streamed stdin/stdout. */
  spawn(argv: readonly string[], options?: Omit<ExecOptions, 'input'>): HostProcess;
  /** undefined when nothing is there (a dangling symlink is reported as a symlink). */
  stat(path: string): Promise<FileEntry | undefined>;
  /** Every entry under a folder (recursively), folders before their contents, sorted by path. */
  list(dir: string): AsyncIterable<FileEntry>;
  readFile(path: string): Promise<Buffer>;
  /** Writes through a temporary file and a rename, so a reader never sees half a file. */
  writeFile(path: string, data: string | Buffer, mode?: number): Promise<void>;
  /** Reads from byte `start` (to resume a copy). */
  createReadStream(path: string, start?: number): Readable;
  /** 'a' appends (to resume a copy), 'w' truncates. */
  createWriteStream(path: string, flags: 'a' | 'w', mode?: number): Writable;
  mkdir(path: string, mode?: number): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file or a whole folder; nothing there is not an error. */
  remove(path: string): Promise<void>;
  /** SHA-256 hex of a file, computed on the host (no transfer). */
  sha256(path: string): Promise<string>;
  /** Whether the host computes a file's CRC-32 cheaply (cksum.ts); asked once, then remembered. */
  cheapCrc?(): Promise<boolean>;
  /** CRC-32 and size of a file ("<crc> <bytes>", POSIX cksum), computed on the host; only where cheapCrc() is true. */
  crc32?(path: string): Promise<string>;
  /** Free bytes on the file system that holds `path` (the nearest existing parent). */
  freeBytes(path: string): Promise<number>;
  info(): Promise<HostInfo>;
  /** Closes the connection; the host is unusable afterwards. Runs what onClose registered first. */
  close(): Promise<void>;
  /** Registers something to end when the host closes (a long-lived PHP process on it). */
  onClose?(end: () => Promise<void> | void): void;
}
