import { appendFileSync, closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { z } from 'zod';
import type { Connector, Session, WriteRequest } from '../../sdk/connector.js';
import { referenceConnector, type ReferenceConfig } from '../../sdk/testing/reference-platform.js';

/**
 * The reference platform (src/sdk/testing/reference-platform.ts) whose
 * target also appends one line per write call that reached it to a ledger
 * file shared by every process: when the call started and ended, and each
 * item's source id, mode and whether it finished an earlier attempt. The
 * scale tests read it to prove that N workers never had more than the
 * plan's concurrency in flight and that no item was created twice. Its
 * lookup answers the objects the ledger holds (read from every process's
 * lines), so a later run finds what an earlier one wrote, as on a real target.
 */
export interface LedgerLine {
  pid: number;
  start: number;
  end: number;
  items: Array<{ id: string; mode: string; finishing?: string }>;
}

type RecordingConfig = ReferenceConfig & { ledger?: string | undefined };

const schema = (referenceConnector.configSchema as unknown as z.ZodObject).extend({ ledger: z.string().optional() });

const clock = () => performance.timeOrigin + performance.now();

export const recordingReferenceConnector: Connector<RecordingConfig> = {
  ...(referenceConnector as unknown as Connector<RecordingConfig>),
  configSchema: schema as unknown as z.ZodType<RecordingConfig>,
  open: async (config, context) => {
    const inner: Session = await referenceConnector.open(config, context);
    if (!config.ledger) return inner;
    const ledger = config.ledger;
    const session: Session = Object.create(inner) as Session;
    session.write = async (type: string, requests: WriteRequest[], options: { signal: AbortSignal }) => {
      const start = clock();
      const outcomes = await inner.write(type, requests, options);
      const line: LedgerLine = { pid: process.pid, start, end: clock(), items: requests.map((r) => ({ id: `${type}:${r.item.sourceId}`, mode: r.mode, ...(r.finishing ? { finishing: r.finishing } : {}) })) };
      appendFileSync(ledger, `${JSON.stringify(line)}\n`);
      return outcomes;
    };
    const known = new Set<string>();
    let offset = 0;
    let rest = '';
    session.lookup = async (type: string, keys: string[]) => {
      if (existsSync(ledger)) {
        const fd = openSync(ledger, 'r');
        try {
          const size = fstatSync(fd).size;
          if (size > offset) {
            const buffer = Buffer.alloc(size - offset);
            readSync(fd, buffer, 0, buffer.length, offset);
            offset = size;
            const lines = (rest + buffer.toString('utf8')).split('\n');
            rest = lines.pop() ?? '';
            for (const line of lines) if (line) for (const item of (JSON.parse(line) as LedgerLine).items) known.add(item.id);
          }
        } finally {
          closeSync(fd);
        }
      }
      // The reference platform's natural key is the source id; its target id is t-<source id>.
      return new Map(keys.filter((k) => known.has(`${type}:${k}`)).map((k) => [k, { targetId: `t-${k}`, version: '1' }]));
    };
    return session;
  },
};

export interface LedgerReport {
  writes: number;
  /** Items written at least once. */
  items: number;
  /** Items created more than once without finishing an earlier attempt (a real duplicate). */
  duplicates: string[];
  /** Re-writes that finished an attempt a killed worker started (adopted or updated by a real connector). */
  finishing: number;
  /** The most write calls in flight at one moment, over all processes. */
  maxInFlight: number;
  /** The same for each process's own write calls (a worker's --concurrency). */
  maxInFlightByPid: Record<number, number>;
  pids: number;
}

/** The most intervals open at one moment; an end before a start at the same instant (a slot handed over). */
function peakOverlap(lines: LedgerLine[]): number {
  const events: Array<[number, number]> = [];
  for (const line of lines) events.push([line.start, 1], [line.end, -1]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, delta] of events) {
    now += delta;
    peak = Math.max(peak, now);
  }
  return peak;
}

export function readLedger(file: string): LedgerReport {
  const lines: LedgerLine[] = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LedgerLine) : [];
  const fresh = new Map<string, number>();
  const seen = new Set<string>();
  let finishing = 0;
  const byPid = new Map<number, LedgerLine[]>();
  for (const line of lines) {
    const own = byPid.get(line.pid) ?? [];
    own.push(line);
    byPid.set(line.pid, own);
    for (const item of line.items) {
      seen.add(item.id);
      if (item.finishing) finishing++;
      else if (item.mode === 'create') fresh.set(item.id, (fresh.get(item.id) ?? 0) + 1);
    }
  }
  const maxInFlightByPid = Object.fromEntries([...byPid].map(([pid, own]) => [pid, peakOverlap(own)]));
  return { writes: lines.length, items: seen.size, duplicates: [...fresh].filter(([, n]) => n > 1).map(([id]) => id), finishing, maxInFlight: peakOverlap(lines), maxInFlightByPid, pids: byPid.size };
}
