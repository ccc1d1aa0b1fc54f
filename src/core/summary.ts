import type { RunSummary, TypeCounts } from './ports.js';
import type { ItemStatus } from './statuses.js';

export function emptyCounts(): TypeCounts {
  return { created: 0, updated: 0, unchanged: 0, adopted: 0, skipped: 0, failed: 0, timedOut: 0, cancelled: 0, removed: 0 };
}

function bucket(status: ItemStatus, outcome: string | null): keyof TypeCounts | undefined {
  switch (status) {
    case 'COMPLETE':
      if (outcome === 'created' || outcome === 'updated' || outcome === 'unchanged' || outcome === 'adopted' || outcome === 'removed') return outcome;
      return outcome === 'gone' ? 'removed' : 'unchanged';
    case 'SKIPPED':
      return 'skipped';
    case 'FAILED':
    case 'INCOMPLETE':
      return 'failed';
    case 'TIMED_OUT':
      return 'timedOut';
    case 'CANCELLED':
      return 'cancelled';
    case 'READY':
    case 'RUNNING':
      return undefined;
    default: {
      const never: never = status;
      throw new Error(`unknown item status ${String(never)}`);
    }
  }
}

/** Per-type and total counts from the store's grouped item counts. */
export function summarize(rows: Array<{ type: string; status: ItemStatus; outcome: string | null; count: number }>): RunSummary {
  const types: Record<string, TypeCounts> = {};
  const totals = emptyCounts();
  for (const row of rows) {
    const key = bucket(row.status, row.outcome);
    if (!key) continue;
    const counts = (types[row.type] ??= emptyCounts());
    counts[key] += row.count;
    totals[key] += row.count;
  }
  return { types, totals, warnings: 0, errors: 0, actions: 0 };
}
