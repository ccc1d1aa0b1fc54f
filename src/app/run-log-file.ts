import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { RunLogSink } from '../core/ports.js';

const FLUSH_MS = 100;
const pad = (n: number) => String(n).padStart(2, '0');

/** `Ferry_YYYYMMDD_HHMMSS.txt` (UTC); a suffix keeps two runs in the same second apart. */
export function runLogName(dataDir: string, at: Date): string {
  const stamp = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}_${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`;
  let file = join(dataDir, 'logs', `Ferry_${stamp}.txt`);
  for (let n = 2; existsSync(file); n++) file = join(dataDir, 'logs', `Ferry_${stamp}_${n}.txt`);
  return file;
}

/** The readable per-run log: one line per operation, appended as the run goes. */
export class RunLogFile implements RunLogSink {
  private readonly stream: WriteStream;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path, { flags: 'a', encoding: 'utf8', mode: 0o600 });
  }

  write(line: { at: Date; level: 'info' | 'warn' | 'error'; message: string }): void {
    const level = line.level === 'info' ? 'INFO ' : line.level === 'warn' ? 'WARN ' : 'ERROR';
    // Lines gathered for FLUSH_MS go out in one write: a write call per line was a tenth of a large run's CPU.
    if (!this.flushTimer) {
      this.stream.cork();
      this.flushTimer = setTimeout(() => this.uncork(), FLUSH_MS);
    }
    this.stream.write(`${line.at.toISOString()} ${level} ${line.message.replace(/\r?\n/g, ' ')}\n`);
  }

  close(): Promise<void> {
    this.uncork();
    return new Promise((resolve) => this.stream.end(resolve));
  }

  private uncork(): void {
    if (!this.flushTimer) return;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.stream.uncork();
  }
}

/** For previews and tests: a sink that keeps nothing. */
export const nullLog: RunLogSink = { write: () => undefined, close: async () => undefined };
