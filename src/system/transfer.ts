/**
 * Streaming copies between two hosts, resumable by bytes: a copy that
 * stopped (kill, dropped connection) continues by appending to what the
 * target already holds, and is checked by SHA-256 at the end.
 */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ConnectorError } from '../sdk/errors.js';
import { chunkDelay, injectedDelay, SLOW_UNIT } from './faults.js';
import type { Host } from './host.js';

/** Read and write size of a streamed copy: 64 KiB chunks cost about twice the time of 1 MiB ones through Node (hash, event loop). */
export const COPY_CHUNK = 1024 * 1024;

export interface CopyOptions {
  signal: AbortSignal;
  /** Called with the bytes just written. */
  onBytes?(bytes: number): void;
  /** Operation name, for the fault-injection delay (faults.ts). */
  operation: string;
}

/**
 * Copies `from` (on `source`) to `to` (on `target`), appending to what `to`
 * already holds when it is a prefix-sized partial copy. Returns the bytes
 * written by this call. The caller checks the checksum.
 */
export async function copyResumable(source: Host, from: string, target: Host, to: string, size: number, options: CopyOptions): Promise<number> {
  return (await copyStreamed(source, from, target, to, size, options)).written;
}

/** copyResumable, also answering the SHA-256 of the whole file when this call copied it from its first byte. */
async function copyStreamed(source: Host, from: string, target: Host, to: string, size: number, options: CopyOptions): Promise<{ written: number; sha256?: string }> {
  const have = (await target.stat(to))?.size ?? 0;
  if (have > size) await target.remove(to);
  const start = have > size ? 0 : have;
  if (start === size && size > 0) return { written: 0 };
  let written = 0;
  const hash = start === 0 ? createHash('sha256') : undefined;
  const slow = injectedDelay(options.operation) > 0;
  const meter = new Transform({
    highWaterMark: COPY_CHUNK,
    transform(chunk: Buffer, _encoding, callback) {
      hash?.update(chunk);
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
  await pipeline(source.createReadStream(from, start), meter, target.createWriteStream(to, start === 0 ? 'w' : 'a'), { signal: options.signal });
  return { written, ...(hash ? { sha256: hash.digest('hex') } : {}) };
}

/** Copies a file and checks that both sides hash the same; a mismatch copies it once more from the start. */
export async function copyChecked(source: Host, from: string, target: Host, to: string, size: number, options: CopyOptions & { sourceSha?: string }): Promise<string> {
  const copied = await copyStreamed(source, from, target, to, size, options);
  // A copy from the first byte hashed what it read: the source is read once. A resumed one reads it again.
  const sourceSha = options.sourceSha ?? copied.sha256 ?? (await source.sha256(from));
  // Copied whole in this call, hashed as it streamed, and the size on the target is right: the bytes written are the bytes hashed.
  if (copied.sha256 === sourceSha && (await target.stat(to))?.size === size) return sourceSha;
  if ((await target.sha256(to)) === sourceSha) return sourceSha;
  await target.remove(to);
  await copyResumable(source, from, target, to, size, options);
  if ((await target.sha256(to)) !== sourceSha) {
    throw new ConnectorError(`The copy of ${from} on ${target.label} does not match the source (SHA-256 differs after two attempts)`, { kind: 'transient', hint: 'run the migration again: it resumes here' });
  }
  return sourceSha;
}

/** Sum of the sizes of the files under a folder (0 when it does not exist). */
export async function treeBytes(host: Host, dir: string): Promise<number> {
  if (!(await host.stat(dir))) return 0;
  let total = 0;
  for await (const entry of host.list(dir)) if (entry.kind === 'file') total += entry.size;
  return total;
}
