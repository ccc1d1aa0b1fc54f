/**
 * Fault injection for the system migration tests (never set in production):
 *
 * - FERRY_SYSTEM_SLOW="copy-database:40,copy-files:40": milliseconds to wait
 *   after each 64 KiB streamed by that operation, so a kill lands inside it.
 * - FERRY_SYSTEM_FREE_BYTES="1000": what every host reports as free space.
 * - FERRY_SYSTEM_VERSION="target:1.35.0": the version discover reports for a side.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Host } from './host.js';

function pairs(name: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (process.env[name] ?? '').split(',')) {
    const at = part.indexOf(':');
    if (at > 0) out.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  return out;
}

/** Bytes after which FERRY_SYSTEM_SLOW waits once (copies read bigger chunks: the wait is per 64 KiB copied). */
export const SLOW_UNIT = 64 * 1024;

/** The injected delay of an operation in milliseconds (0 when not set). */
export function injectedDelay(operation: string): number {
  return Number(pairs('FERRY_SYSTEM_SLOW').get(operation) ?? 0) || 0;
}

/** Waits the injected delay of an operation after SLOW_UNIT bytes (nothing when not set). */
export async function chunkDelay(operation: string, signal?: AbortSignal): Promise<void> {
  const ms = injectedDelay(operation);
  if (ms > 0) await sleep(ms, undefined, signal ? { signal } : {});
}

export async function freeBytes(host: Host, path: string): Promise<number> {
  const forced = process.env.FERRY_SYSTEM_FREE_BYTES;
  if (forced && /^\d+$/.test(forced)) return Number(forced);
  return host.freeBytes(path);
}

export function versionOverride(side: 'source' | 'target'): string | undefined {
  return pairs('FERRY_SYSTEM_VERSION').get(side);
}
