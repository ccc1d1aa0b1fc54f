import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { RunLogSink } from '../core/ports.js';

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

  constructor(readonly path: string) {
    this.stream = createWriteStream(path, { flags: 'a', encoding: 'utf8', mode: 0o600 });
  }

  write(line: { at: Date; level: 'info' | 'warn' | 'error'; message: string }): void {
    const level = line.level === 'info' ? 'INFO ' : line.level === 'warn' ? 'WARN ' : 'ERROR';
    this.stream.write(`${line.at.toISOString()} ${level} ${line.message.replace(/\r?\n/g, ' ')}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}

/** For previews and tests: a sink that keeps nothing. */
export const nullLog: RunLogSink = { write: () => undefined, close: async () => undefined };
