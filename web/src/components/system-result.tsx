import { useState } from 'react';
import { Link } from 'react-router';
import { api, seg } from '../api.js';
import { ErrorNote, StatusBadge, useAction, useApi, useEventStream } from '../ui.js';
import { loginUrlOf, type SystemCheck } from './system-model.js';

interface RunAnswer {
  id: number;
  status: string;
}
interface StepAnswer {
  idx: number;
  label: string;
  status: string;
  reason: string | null;
}
interface ActionAnswer {
  id: number;
  code: string;
  message: string;
}

/** Step 7: what was done, the DNS changes to make, the target's login URL, the post-migration actions, and Undo. */
export function SystemResult({ runId, migration, check, newUrl, onContinued }: { runId: number; migration: string; check: SystemCheck; newUrl: string; onContinued(runId: number): void }) {
  const run = useApi<RunAnswer>(`/api/runs/${runId}`);
  const steps = useApi<StepAnswer[]>(`/api/runs/${runId}/steps`);
  const actions = useApi<ActionAnswer[]>(`/api/runs/${runId}/actions`);
  const [undoId, setUndoId] = useState<number>();
  const [undoStatus, setUndoStatus] = useState<string>();
  const undo = useAction();
  const again = useAction();
  useEventStream(undoId !== undefined && !undoStatus ? `/api/runs/${undoId}/stream` : null, {
    end: (data) => setUndoStatus((data as { status: string }).status),
  });
  const ok = run.data?.status === 'FINISHED';
  const login = actions.data?.find((a) => a.code === 'login')?.message.match(/https?:\/\/\S+/)?.[0] ?? loginUrlOf(check.target.platform, newUrl || check.target.url);
  const dns = actions.data?.filter((a) => a.code === 'dns') ?? [];
  const others = actions.data?.filter((a) => a.code !== 'dns' && a.code !== 'login') ?? [];
  return (
    <div>
      <ErrorNote error={run.error ?? steps.error ?? actions.error ?? undo.error ?? again.error} />
      {run.data && (
        <p className={ok ? 'notice' : 'warning'} role="status">
          {ok ? 'Setup process was successful! The target now holds a copy of the source.' : 'The run ended without finishing every operation:'} <StatusBadge status={run.data.status} />
        </p>
      )}
      {run.data && !ok && run.data.status !== 'RUNNING' && undoId === undefined && (
        <div className="toolbar">
          <button
            type="button"
            className="primary"
            disabled={again.busy}
            onClick={() =>
              void again.run(async () => {
                const r = await api.post<{ id: number }>(`/api/migrations/${seg(migration)}/runs`, {});
                onContinued(r.id);
              })
            }
          >
            Continue the migration
          </button>
          <span className="help">A new run continues from the operation that was running; what was done is not done again.</span>
        </div>
      )}
      <h3>What was done</h3>
      {steps.data && (
        <ul>
          {steps.data.map((s) => (
            <li key={s.idx}>
              {s.label}: {s.status}
              {s.reason ? ` (${s.reason})` : ''}
            </li>
          ))}
        </ul>
      )}
      <h3>DNS changes to make</h3>
      {dns.length > 0 ? (
        <ul>
          {dns.map((a) => (
            <li key={a.id}>{a.message}</li>
          ))}
        </ul>
      ) : (
        <p>None: the source is standalone and no new domain was given.</p>
      )}
      {check.source.serverRole === 'replicated' && <p className="warning">If you changed the DNS configuration for the high-availability warning, change it back now so that the domains resolve to the servers that serve them.</p>}
      <h3>The target's login page</h3>
      <p>
        <a href={login}>{login}</a>
      </p>
      <h3>Post-migration actions</h3>
      {others.length === 0 ? (
        <p>Nothing else is left to do by hand.</p>
      ) : (
        <ul>
          {others.map((a) => (
            <li key={a.id}>{a.message}</li>
          ))}
        </ul>
      )}
      <h3>The way back</h3>
      {undoId === undefined ? (
        <>
          <p>Ferry took a snapshot of the target before writing to it. Undo restores the target as it was and takes the source out of maintenance.</p>
          <button
            type="button"
            disabled={undo.busy}
            onClick={() =>
              void undo.run(async () => {
                const r = await api.post<{ id: number }>(`/api/runs/${runId}/undo`, {});
                setUndoId(r.id);
              })
            }
          >
            {undo.busy ? 'Undoing…' : 'Undo this migration'}
          </button>
        </>
      ) : (
        <p role="status">
          Undo run {undoId}: <StatusBadge status={undoStatus ?? 'RUNNING'} />{' '}
          {undoStatus === undefined ? 'restoring the target…' : undoStatus === 'FINISHED' ? 'The target is restored as it was before the migration.' : 'Undo did not finish: see its run page.'}{' '}
          <Link to={`/runs/${undoId}`}>Open the undo run</Link>
        </p>
      )}
      <p>
        <Link to={`/migrations/${seg(migration)}`}>Open the migration {migration}</Link> · <a href={`/api/runs/${runId}/log`}>The run's log</a>
      </p>
    </div>
  );
}
