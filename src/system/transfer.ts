/**
 * Copies between two hosts, resumable by bytes: a copy that stopped (kill,
 * dropped connection) continues by appending to what the target already
 * holds, and is checked against the source at the end (bytes, CRC-32 or SHA-256). On this machine a
 * file copied whole is copied in the kernel; otherwise it streams through Ferry.
 */
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ConnectorError } from '../sdk/errors.js';
import { chunkDelay, injectedDelay, SLOW_UNIT } from './faults.js';
import type { Host } from './host.js';
import { LocalHost } from './local.js';

/** Read and write size of a streamed copy: 64 KiB chunks cost about twice the time of 1 MiB ones through Node (hash, event loop). */
export const COPY_CHUNK = 1024 * 1024;

export interface CopyOptions {
  signal: AbortSignal;
  /** Called with the bytes just written. */
  onBytes?(bytes: number): void;
  /** Operation name, for the fault-injection delay (faults.ts). */
  operation: string;
  /** Permission bits of a file the copy creates through a stream (a kernel copy takes the source's). */
  mode?: number;
}

const PROGRESS_MS = 200;

/**
 * Copies `from` (on `source`) to `to` (on `target`), appending to what `to`
 * already holds when it is a prefix-sized partial copy. Returns the bytes
 * written by this call. The caller checks the checksum.
 */
export async function copyResumable(source: Host, from: string, target: Host, to: string, size: number, options: CopyOptions): Promise<number> {
  const have = (await target.stat(to))?.size ?? 0;
  if (have > size) await target.remove(to);
  const start = have > size ? 0 : have;
  if (start === size && size > 0) return 0;
  // Both sides on this machine and a copy from the first byte: in the kernel, no byte through Node.
  if (start === 0 && source instanceof LocalHost && target instanceof LocalHost && injectedDelay(options.operation) === 0) return copyInKernel(source, from, target, to, size, options);
  return copyStreamed(source, from, target, to, start, options);
}

/** fs.copyFile, its progress read from the target file's size every PROGRESS_MS (the kernel reports none). */
async function copyInKernel(source: LocalHost, from: string, target: LocalHost, to: string, size: number, options: CopyOptions): Promise<number> {
  options.signal.throwIfAborted();
  let reported = 0;
  const report = (bytes: number): void => {
    if (bytes > reported) {
      options.onBytes?.(bytes - reported);
      reported = bytes;
    }
  };
  const timer = options.onBytes
    ? setInterval(() => {
        void target.stat(to).then((entry) => report(Math.min(entry?.size ?? 0, size)), () => undefined);
      }, PROGRESS_MS)
    : undefined;
  try {
    await target.kernelCopy(from, to);
  } finally {
    if (timer) clearInterval(timer);
  }
  report(size);
  options.signal.throwIfAborted();
  return reported;
}

/** Through Node's memory, from byte `start` (a resumed copy appends), 1 MiB at a time; FERRY_SYSTEM_SLOW waits in here. */
async function copyStreamed(source: Host, from: string, target: Host, to: string, start: number, options: CopyOptions): Promise<number> {
  let written = 0;
  const slow = injectedDelay(options.operation) > 0;
  const meter = new Transform({
    highWaterMark: COPY_CHUNK,
    transform(chunk: Buffer, _encoding, callback) {
      if (!slow) {
        written += chunk.length;
        options.onBytes?.(chunk.length);
        return callback(null, chunk);
      }
      // Fault injection (tests): the wait is per 64 KiB copied whatever the read size, so a kill still lands inside the copy.
      void (async () => {
        for (let at = 0; at < chunk.length; at += SLOW_UNIT) {
          const piece = chunk.subarray(at, at + SLOW_UNIT);
          written += piece.length;
          options.onBytes?.(piece.length);
          await chunkDelay(options.operation, options.signal);
          this.push(piece);
        }
      })().then(() => callback(), (error: unknown) => callback(error as Error));
    },
  });
  await pipeline(source.createReadStream(from, start), meter, target.createWriteStream(to, start === 0 ? 'w' : 'a', options.mode), { signal: options.signal });
  return written;
}

/**
 * Copies a file (resuming a partial `to`) and proves the copy by comparing
 * what landed on the target with the source. Both on this machine: byte for
 * byte, on a worker thread (hash-pool.ts; a third of the CPU of hashing both
 * ends). Otherwise a sum of each end computed on its host (SSH: on the host,
 * no bytes through Ferry), the source's while the file copies:
 *  - CRC-32 (cksum.ts) for a copy made in one pass from the first byte when
 *    both hosts compute it cheaply. What can go wrong there is accidental: the
 *    source changing during the copy, a write lost or misplaced on the target
 *    (the bytes in transit are already protected by SSH's MAC). CRC-32 with the
 *    size catches every error burst up to 32 bits and any other difference but
 *    once in 2^32; an adversary who can write the files needs no collision.
 *    Its computing costs an eighth of SHA-256's (0.1 s of CPU per GB on the
 *    test machine against 0.8; reading the file, 0.2 s, is the same for both),
 *    and the SHA-256 of both ends was a quarter of all the CPU of a copy
 *    between two SSH hosts on one machine (docs/performance.md).
 *  - SHA-256 with FERRY_COPY_CHECK=sha256 in the environment, and wherever
 *    Ferry trusts bytes it did not just copy in one pass: a
 *    copy resumed after earlier bytes (a kill may leave holes in a partial
 *    file), a caller's known source SHA-256 (the database), hosts without a
 *    cheap CRC. Callers keep SHA-256 too for a target file of the source's size
 *    kept as already equal, where two different files of one size are a real case.
 * A mismatch copies the file once more from the start, then is an error.
 */
export async function copyChecked(source: Host, from: string, target: Host, to: string, size: number, options: CopyOptions & { sourceSha?: string; onCopied?: () => void }): Promise<void> {
  const local = source instanceof LocalHost && target instanceof LocalHost;
  const crc = !local && options.sourceSha === undefined && process.env.FERRY_COPY_CHECK !== 'sha256' && (await bothCheapCrc(source, target));
  const sourceSums = new Map<'crc' | 'sha256', Promise<string>>();
  const sourceSum = (kind: 'crc' | 'sha256'): Promise<string> => {
    let sum = sourceSums.get(kind);
    if (!sum) {
      sum = kind === 'crc' ? source.crc32!(from) : options.sourceSha !== undefined ? Promise.resolve(options.sourceSha) : source.sha256(from);
      sum.catch(() => undefined);
      sourceSums.set(kind, sum);
    }
    return sum;
  };
  if (!local) void sourceSum(crc ? 'crc' : 'sha256');
  for (let attempt = 0; attempt < 2; attempt++) {
    if (attempt > 0) await target.remove(to);
    const written = await copyResumable(source, from, target, to, size, options);
    // The bytes have landed: the caller may start the next file's copy while this one is checked.
    if (attempt === 0) options.onCopied?.();
    if ((await target.stat(to))?.size !== size) continue;
    if (local) {
      if (await (target as LocalHost).sameBytes(from, to)) return;
      continue;
    }
    const kind = crc && written === size ? 'crc' : 'sha256';
    const targetSum = kind === 'crc' ? target.crc32!(to) : target.sha256(to);
    if ((await targetSum) === (await sourceSum(kind))) return;
  }
  throw new ConnectorError(`The copy of ${from} on ${target.label} does not match the source (size or content differs after two attempts)`, {
    kind: 'transient',
    hint: 'the source file changes while it is copied (is the source in maintenance?) or the target disk is failing; run the migration again: it resumes here',
  });
}

/** Whether both hosts compute a CRC-32 cheaply (asked of each once). */
async function bothCheapCrc(source: Host, target: Host): Promise<boolean> {
  if (!source.cheapCrc || !target.cheapCrc || !source.crc32 || !target.crc32) return false;
  const [a, b] = await Promise.all([source.cheapCrc(), target.cheapCrc()]);
  return a && b;
}

/** Sum of the sizes of the files under a folder (0 when it does not exist). */
export async function treeBytes(host: Host, dir: string): Promise<number> {
  if (!(await host.stat(dir))) return 0;
  let total = 0;
  for await (const entry of host.list(dir)) if (entry.kind === 'file') total += entry.size;
  return total;
}
