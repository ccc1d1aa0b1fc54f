import { stringify } from 'csv-stringify/sync';
import type { EventRecord } from '../core/ports.js';

/** Events as CSV, in the order given (the store returns newest first). */
export function eventsToCsv(events: EventRecord[]): string {
  return stringify(
    events.map((e) => [e.at, e.level, e.runId ?? '', e.step ?? '', e.item ?? '', e.message]),
    { header: true, columns: ['time', 'level', 'run', 'step', 'item', 'message'] },
  );
}
