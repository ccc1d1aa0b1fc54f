import { useEffect, useState } from 'react';
import { api } from '../api.js';
import { useCan } from '../session.js';
import { Empty, ErrorNote, formatTime, StatusBadge, useAction, useApi } from '../ui.js';
import { ITEM_STATUSES, RERUNNABLE, type ItemRecord, type RunDetails, type RunRecord } from './runs-types.js';

const PAGE = 25;

/**
 * The run's items, filtered by status and type, a page at a time; re-run of
 * FAILED, INCOMPLETE and TIMED_OUT items (all or the chosen ones) within the
 * re-run window, and cancel of chosen READY items.
 */
export function ItemsTable({ run, types, rerunUntil, onStarted, onChanged }: { run: RunDetails; types: Array<{ type: string; label: string }>; rerunUntil: Date | undefined; onStarted(run: RunRecord): void; onChanged(): void }) {
  const canOperate = useCan('operator');
  const [status, setStatus] = useState('');
  const [type, setType] = useState('');
  const [offset, setOffset] = useState(0);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const query = new URLSearchParams({ limit: String(PAGE), offset: String(offset), ...(status ? { status } : {}), ...(type ? { type } : {}) });
  const { data, error, reload } = useApi<{ items: ItemRecord[] }>(`/api/runs/${run.id}/items?${query}`);
  const act = useAction();
  const [notice, setNotice] = useState<string>();
  const running = run.status === 'RUNNING';
  // Item statuses move while the run goes: refresh the page shown (the table keeps its filters and choices).
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void reload(), 2000);
    return () => clearInterval(timer);
  }, [running, reload]);

  const rerunnable = RERUNNABLE.reduce((n, s) => n + (run.counts[s] ?? 0), 0);
  const inWindow = rerunUntil === undefined || rerunUntil.getTime() > Date.now();
  const ended = !running;
  const chosenItems = (data?.items ?? []).filter((i) => chosen.has(i.sourceId));
  const chosenRerun = [...chosen].filter((id) => (data?.items ?? []).some((i) => i.sourceId === id && RERUNNABLE.includes(i.status)));
  const chosenReady = chosenItems.filter((i) => i.status === 'READY').map((i) => i.sourceId);
  const why = !canOperate ? 'Needs the operator role' : !ended ? 'Wait for the run to end' : !inWindow ? 'Outside the re-run window' : undefined;

  const rerun = async (sourceIds?: string[]) => {
    const started = await act.run(() => api.post<RunRecord>(`/api/runs/${run.id}/rerun`, sourceIds ? { sourceIds } : {}));
    if (started) onStarted(started);
  };
  const cancel = async () => {
    const done = await act.run(() => api.post<{ cancelled: number }>(`/api/runs/${run.id}/cancel`, { sourceIds: chosenReady }));
    if (done) {
      setNotice(`Cancelled ${done.cancelled} item(s).`);
      setChosen(new Set());
      await reload();
      onChanged();
    }
  };
  const toggle = (id: string, on: boolean) => setChosen((c) => (on ? new Set(c).add(id) : new Set([...c].filter((x) => x !== id))));

  return (
    <>
      <p>
        {rerunnable} item(s) FAILED, INCOMPLETE or TIMED OUT.{' '}
        {rerunUntil && (inWindow ? `They can be re-run until ${rerunUntil.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })} (the plan's re-run window).` : `The re-run window ended ${rerunUntil.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}: run the migration again instead.`)}
      </p>
      <div className="toolbar">
        <label>
          <span id="items-status-label">Status</span>
          <select aria-labelledby="items-status-label" value={status} onChange={(e) => (setStatus(e.target.value), setOffset(0))}>
            <option value="">all</option>
            {ITEM_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace('_', ' ')} ({run.counts[s] ?? 0})
              </option>
            ))}
          </select>
        </label>
        <label>
          <span id="items-type-label">Object type</span>
          <select aria-labelledby="items-type-label" value={type} onChange={(e) => (setType(e.target.value), setOffset(0))}>
            <option value="">all</option>
            {types.map((t) => (
              <option key={t.type} value={t.type}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" disabled={!!why || rerunnable === 0 || act.busy} title={why ?? (rerunnable === 0 ? 'Nothing to re-run' : undefined)} onClick={() => void rerun()}>
          Re-run all failed items
        </button>
        <button type="button" disabled={!!why || chosenRerun.length === 0 || act.busy} title={why ?? (chosenRerun.length === 0 ? 'Choose FAILED, INCOMPLETE or TIMED OUT items below' : undefined)} onClick={() => void rerun(chosenRerun)}>
          Re-run chosen ({chosenRerun.length})
        </button>
        <button type="button" disabled={!canOperate || chosenReady.length === 0 || act.busy} title={!canOperate ? 'Needs the operator role' : chosenReady.length === 0 ? 'Choose READY items below' : undefined} onClick={() => void cancel()}>
          Cancel chosen READY items ({chosenReady.length})
        </button>
      </div>
      <ErrorNote error={act.error ?? error} />
      {notice && <p role="status">{notice}</p>}
      {data && data.items.length === 0 && <Empty>{offset > 0 ? 'No more items.' : 'No item with this status and type.'}</Empty>}
      {data && data.items.length > 0 && (
        <table className="items">
          <thead>
            <tr>
              <th scope="col">Choose</th>
              <th scope="col">Item</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Outcome / reason</th>
              <th scope="col">Attempts</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((i) => {
              const choosable = RERUNNABLE.includes(i.status) || i.status === 'READY';
              return (
                <tr key={`${i.type}:${i.sourceId}`}>
                  <td>{choosable && <input type="checkbox" aria-label={`Choose ${i.label}`} checked={chosen.has(i.sourceId)} onChange={(e) => toggle(i.sourceId, e.target.checked)} />}</td>
                  <td>{i.label}</td>
                  <td>{i.type}</td>
                  <td>
                    <StatusBadge status={i.status} />
                  </td>
                  <td>{[i.outcome, i.reason].filter(Boolean).join(': ')}</td>
                  <td>{i.attempts}</td>
                  <td>{formatTime(i.updatedAt)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <nav aria-label="Item pages" className="toolbar">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          Previous page
        </button>
        <span>
          Items {data && data.items.length > 0 ? `${offset + 1}–${offset + data.items.length}` : '—'}
        </span>
        <button type="button" disabled={!data || data.items.length < PAGE} onClick={() => setOffset(offset + PAGE)}>
          Next page
        </button>
      </nav>
    </>
  );
}
