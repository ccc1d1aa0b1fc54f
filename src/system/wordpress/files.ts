/**
 * Copies folders of a WordPress installation (uploads, plugins, themes) from
 * one host to another (transfer.ts: in the kernel on this machine, streamed
 * otherwise), with a SHA-256 check of both ends of every file and a
 * checkpoint after each one. A file cut by a kill is continued: the bytes
 * already in its `.ferry-part` file stay and the rest is appended.
 */
import type { FileEntry, Host } from '../host.js';
import { copyChecked } from '../transfer.js';

export const PART_SUFFIX = '.ferry-part';

export interface FolderPair {
  from: string;
  to: string;
  /** Remove what the target folder holds that the source one does not (uploads: the target equals the source). */
  mirror: boolean;
}

export interface FileCopyCheckpoint {
  /** Index of the folder pair being copied. */
  folder: number;
  /** Entries of that folder's listing already done. */
  entries: number;
  /** Bytes of all files done, for the progress bar. */
  bytes: number;
}

export interface FileCopyRun {
  source: Host;
  target: Host;
  folders: FolderPair[];
  signal: AbortSignal;
  checkpoint?: FileCopyCheckpoint;
  save(checkpoint: FileCopyCheckpoint): Promise<void>;
  progress(bytes: number): void;
  /** Called when a partly copied file is continued (for the log; tests read it). */
  resumedFile?(path: string, fromByte: number): void;
}

async function listAll(host: Host, dir: string, withParts = false): Promise<FileEntry[]> {
  if (!(await host.stat(dir))) return [];
  const entries: FileEntry[] = [];
  for await (const entry of host.list(dir)) {
    if (!withParts && entry.kind === 'file' && entry.path.endsWith(PART_SUFFIX)) continue;
    entries.push(entry);
  }
  return entries;
}

export async function totalBytes(host: Host, folders: readonly FolderPair[]): Promise<number> {
  let bytes = 0;
  for (const pair of folders) for (const entry of await listAll(host, pair.from)) if (entry.kind === 'file') bytes += entry.size;
  return bytes;
}

function abortError(): Error {
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}

/**
 * One file. `there` is what the target folder held when this folder's copy
 * began (one listing instead of a stat per file: over SSH each is a round trip).
 */
async function copyOne(run: FileCopyRun, from: string, to: string, entry: FileEntry, there: ReadonlyMap<string, FileEntry>, onBytes: (n: number) => void): Promise<void> {
  const existing = there.get(entry.path);
  if (existing?.kind === 'file' && existing.size === entry.size && (await run.target.sha256(to)) === (await run.source.sha256(from))) {
    onBytes(entry.size);
    return;
  }
  const part = `${to}${PART_SUFFIX}`;
  const partial = there.get(`${entry.path}${PART_SUFFIX}`);
  const start = partial?.kind === 'file' && partial.size <= entry.size ? partial.size : 0;
  if (start > 0) run.resumedFile?.(entry.path, start);
  let done = start;
  // Both ends hashed on their hosts and compared (transfer.ts); a mismatch is copied whole once more, then an error.
  await copyChecked(run.source, from, run.target, part, entry.size, {
    signal: run.signal,
    operation: 'copy-files',
    mode: entry.mode,
    onBytes: (n) => {
      done = Math.min(done + n, entry.size);
      onBytes(done);
    },
  }).catch((error: unknown) => {
    if (run.signal.aborted) throw abortError();
    throw error;
  });
  if (existing?.kind === 'dir') await run.target.remove(to);
  await run.target.rename(part, to);
}

/** Files copied at once: hides per-file round trips (an SSH host) and small-file overhead. */
const CONCURRENCY = 4;

/**
 * Copies the folders; continues from `run.checkpoint`. Up to CONCURRENCY
 * files at once; the checkpoint is the longest run of listing entries all
 * done, so a file finished out of order is only checked (size and SHA-256)
 * again after a kill, never lost.
 */
export async function copyFolders(run: FileCopyRun): Promise<{ files: number; bytes: number; removed: number }> {
  let bytes = run.checkpoint?.bytes ?? 0;
  let files = 0;
  let removed = 0;
  run.progress(bytes);
  for (let folder = run.checkpoint?.folder ?? 0; folder < run.folders.length; folder++) {
    const pair = run.folders[folder];
    if (!pair) continue;
    const entries = await listAll(run.source, pair.from);
    let contiguous = run.checkpoint && run.checkpoint.folder === folder ? run.checkpoint.entries : 0;
    if (entries.length > 0 || (await run.source.stat(pair.from))) await run.target.mkdir(pair.to);
    const there = new Map((await listAll(run.target, pair.to, true)).map((entry) => [entry.path, entry]));
    const finishedSizes = new Map<number, number>();
    const inFlight = new Map<number, number>();
    let saving = Promise.resolve();
    const report = (): void => {
      let extra = 0;
      for (const n of finishedSizes.values()) extra += n;
      for (const n of inFlight.values()) extra += n;
      run.progress(bytes + extra);
    };
    const finished = (index: number, size: number): void => {
      inFlight.delete(index);
      finishedSizes.set(index, size);
      while (finishedSizes.has(contiguous)) {
        bytes += finishedSizes.get(contiguous) ?? 0;
        finishedSizes.delete(contiguous);
        contiguous++;
      }
      const checkpoint = { folder, entries: contiguous, bytes };
      saving = saving.then(() => run.save(checkpoint));
      report();
    };
    const running = new Set<Promise<void>>();
    let failure: unknown;
    for (let index = contiguous; index < entries.length && failure === undefined && !run.signal.aborted; index++) {
      const entry = entries[index];
      if (!entry) continue;
      const from = `${pair.from}/${entry.path}`;
      const to = `${pair.to}/${entry.path}`;
      if (entry.kind === 'dir') {
        // Folders come before their contents in the listing: made here, before any of their files is started.
        const present = there.get(entry.path);
        if (present && present.kind !== 'dir') await run.target.remove(to);
        if (present?.kind !== 'dir') await run.target.mkdir(to, entry.mode);
        finished(index, 0);
      } else if (entry.kind === 'symlink') {
        const present = there.get(entry.path);
        if (!(present?.kind === 'symlink' && present.target === entry.target)) {
          await run.target.remove(to);
          await run.target.symlink(entry.target ?? '', to);
        }
        finished(index, 0);
      } else {
        while (running.size >= CONCURRENCY) await Promise.race(running);
        if (failure !== undefined) break;
        inFlight.set(index, 0);
        const copy: Promise<void> = copyOne(run, from, to, entry, there, (n) => {
          inFlight.set(index, n);
          report();
        }).then(
          () => {
            files++;
            finished(index, entry.size);
          },
          (error: unknown) => {
            failure ??= error;
          },
        ).finally(() => running.delete(copy));
        running.add(copy);
      }
    }
    await Promise.all(running);
    await saving;
    if (failure !== undefined) throw run.signal.aborted ? abortError() : failure;
    if (run.signal.aborted) throw abortError();
    if (pair.mirror) {
      const wanted = new Set(entries.map((entry) => entry.path));
      // Left-over .ferry-part files go too.
      const present = await listAll(run.target, pair.to, true);
      // Deepest first is not needed: remove() takes whole folders, and a folder's contents are then gone too.
      for (const entry of present) {
        if (wanted.has(entry.path)) continue;
        if (![...entry.path.split('/').keys()].slice(1).every((i) => wanted.has(entry.path.split('/').slice(0, i).join('/')))) continue;
        await run.target.remove(`${pair.to}/${entry.path}`);
        removed++;
      }
    }
    await run.save({ folder: folder + 1, entries: 0, bytes });
  }
  run.progress(bytes);
  return { files, bytes, removed };
}
