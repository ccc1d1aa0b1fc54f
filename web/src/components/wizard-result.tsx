import { Link } from 'react-router';
import { seg } from '../api.js';
import { ErrorNote, StatusBadge, useApi } from '../ui.js';

interface RunAnswer {
  id: number;
  status: string;
  counts: Record<string, number>;
  summary: {
    totals?: Record<string, number>;
    verify?: { discrepancyCount: number; types: Array<{ type: string; label: string; selected: number; equal: number; kept: number; notMigrated: number; missing: number; different: number; actioned: number }> };
  } | null;
}

interface ActionAnswer {
  id: number;
  code: string;
  message: string;
  doneAt: string | null;
}

const COUNTED = ['created', 'updated', 'unchanged', 'adopted', 'skipped', 'failed', 'timedOut', 'cancelled'];

/** Step 7: the run's outcome, its counts, what is left to do by hand, and the verify outcome. */
export function WizardResult({ runId, migration }: { runId: number; migration: string }) {
  const run = useApi<RunAnswer>(`/api/runs/${runId}`);
  const actions = useApi<ActionAnswer[]>(`/api/runs/${runId}/actions`);
  const verify = run.data?.summary?.verify;
  const ok = run.data?.status === 'FINISHED';
  return (
    <div>
      <ErrorNote error={run.error ?? actions.error} />
      {run.data && (
        <>
          <p className={ok ? 'notice' : 'warning'} role="status">
            {ok ? 'The migration is complete.' : 'The run ended without finishing everything:'} <StatusBadge status={run.data.status} />
          </p>
          <dl className="facts" aria-label="Counts">
            {COUNTED.filter((k) => (run.data?.summary?.totals?.[k] ?? 0) > 0).map((k) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{run.data?.summary?.totals?.[k]}</dd>
              </div>
            ))}
          </dl>
          <h3>Verify</h3>
          {verify ? (
            <p>
              {verify.discrepancyCount === 0 ? 'Verify found no difference between source and target: ' : `Verify found ${verify.discrepancyCount} difference(s): `}
              {verify.types.map((t) => `${t.label}: ${t.selected} selected, ${[t.equal ? `${t.equal} equal` : '', t.kept ? `${t.kept} kept as they were` : '', t.notMigrated ? `${t.notMigrated} not migrated` : '', t.missing ? `${t.missing} missing` : '', t.different ? `${t.different} different` : '', t.actioned ? `${t.actioned} differing as a post-migration action says` : ''].filter(Boolean).join(', ') || 'none compared'}`).join('; ')}.
            </p>
          ) : (
            <p>This run did not verify (the plan's verify option is off, or the run stopped before it).</p>
          )}
        </>
      )}
      <h3>Post-migration actions</h3>
      {actions.data && actions.data.length === 0 && <p>Nothing is left to do by hand.</p>}
      {actions.data && actions.data.length > 0 && (
        <ul>
          {actions.data.map((a) => (
            <li key={a.id}>{a.message}</li>
          ))}
        </ul>
      )}
      <p>
        <Link to={`/migrations/${seg(migration)}`}>Open the migration {migration}</Link> · <a href={`/api/runs/${runId}/log`}>The run's log</a>
      </p>
    </div>
  );
}
