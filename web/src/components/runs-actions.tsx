import { useState } from 'react';
import { api } from '../api.js';
import { useCan } from '../session.js';
import { Empty, ErrorNote, formatTime, useAction, useApi } from '../ui.js';
import type { StoredAction } from './runs-types.js';

/** The post-migration actions as a checklist: ticking one off is kept in the store (PUT /api/runs/:id/actions/:actionId). */
export function ActionsChecklist({ runId }: { runId: number }) {
  const canOperate = useCan('operator');
  const { data, error, reload } = useApi<StoredAction[]>(`/api/runs/${runId}/actions`);
  const tick = useAction();
  // The box shows the click at once; the stored state replaces it once saved.
  const [pending, setPending] = useState<Record<number, boolean>>({});
  if (error) return <ErrorNote error={error} />;
  if (!data) return <p className="loading">Loading…</p>;
  if (data.length === 0) return <Empty>Nothing to do by hand after this run.</Empty>;
  const open = data.filter((a) => !a.doneAt).length;
  return (
    <>
      <p>
        {open === 0 ? 'All done.' : `${open} of ${data.length} still to do.`} {canOperate ? '' : '(Ticking them off needs the operator role.)'}
      </p>
      <ul className="checklist">
        {data.map((a) => (
          <li key={a.id}>
            <label>
              <input
                type="checkbox"
                checked={pending[a.id] ?? a.doneAt !== null}
                disabled={!canOperate || tick.busy}
                onChange={async (e) => {
                  const done = e.target.checked;
                  setPending((p) => ({ ...p, [a.id]: done }));
                  await tick.run(() => api.put(`/api/runs/${runId}/actions/${a.id}`, { done }));
                  await reload();
                  setPending((p) => Object.fromEntries(Object.entries(p).filter(([k]) => Number(k) !== a.id)));
                }}
              />{' '}
              {a.label ? <strong>{a.label}: </strong> : null}
              {a.message}
              {a.doneAt && (
                <span className="hint">
                  {' '}
                  — done by {a.doneBy ?? 'someone'}, {formatTime(a.doneAt)}
                </span>
              )}
            </label>
          </li>
        ))}
      </ul>
      <ErrorNote error={tick.error} />
    </>
  );
}
