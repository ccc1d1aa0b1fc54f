import { useEffect, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { api, seg } from '../api.js';
import { ActionsChecklist } from '../components/runs-actions.js';
import { ItemsTable } from '../components/runs-items.js';
import { LogViewer } from '../components/runs-log.js';
import { isSystemPlan, readPlan } from '../components/runs-overview.js';
import { PrecheckEvents } from '../components/runs-precheck-events.js';
import { TypeProgress } from '../components/runs-progress.js';
import { StepsTable, useLiveSteps } from '../components/runs-steps.js';
import { runDuration, type EventRecord, type MigrationDetails, type RunDetails, type RunRecord } from '../components/runs-types.js';
import { VerifyView } from '../components/runs-verify.js';
import { useCan } from '../session.js';
import { ErrorNote, formatDuration, formatTime, StatusBadge, useAction, useApi } from '../ui.js';

const KIND: Record<string, string> = { run: 'Run', rerun: 'Re-run', undo: 'Undo', verify: 'Verify' };

/** One run's details: progress per type, items, re-run, cancel, undo, verify report, post-migration actions, log and CSV. */
export function RunPage() {
  const id = Number(useParams().id);
  const navigate = useNavigate();
  const location = useLocation();
  const canOperate = useCan('operator');
  const { data: run, error, reload } = useApi<RunDetails>(`/api/runs/${id}`);
  const { data: migration } = useApi<MigrationDetails>(run ? `/api/migrations/${seg(run.migrationName)}` : null);
  const [recent, setRecent] = useState<EventRecord[]>([]);
  const steps = useLiveSteps(run, { onRun: () => void reload(), onEnd: () => void reload(), onEvent: (e) => setRecent((r) => [...r.slice(-29), e]) });
  const act = useAction();
  const running = run?.status === 'RUNNING';

  // Counts by type move with every item: refresh them while the run goes (steps come live over SSE).
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void reload(), 2000);
    return () => clearInterval(timer);
  }, [running, reload]);
  useEffect(() => {
    if (run && location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
  }, [run?.id, location.hash]); // scroll once the sections exist

  if (error) return (<section><h1>Run {id}</h1><ErrorNote error={error} /><Link to="/">Back to migrations</Link></section>);
  if (!run) return <p className="loading">Loading…</p>;

  const windowDays = Number(readPlan(migration?.planYaml ?? '')?.options?.rerunWindowDays ?? 12);
  const rerunUntil = migration ? new Date(new Date(run.startedAt).getTime() + windowDays * 86_400_000) : undefined;
  const started = (r: RunRecord) => navigate(`/runs/${r.id}`);
  const undoable = (run.kind === 'run' || run.kind === 'rerun') && !running;
  const why = canOperate ? undefined : 'Needs the operator role';
  // A type may be a step of several jobs: filter by each type once.
  const system = isSystemPlan(migration?.planYaml);
  const types = [...new Map((steps ?? []).map((s) => [s.type, { type: s.type, label: s.label }])).values()];

  return (
    <section>
      <p className="crumbs">
        <Link to="/">Migrations</Link> › <Link to={`/migrations/${seg(run.migrationName)}`}>{run.migrationName}</Link> › run {run.id}
      </p>
      <h1>
        {KIND[run.kind] ?? run.kind} {run.id} of {run.migrationName}
      </h1>
      <div className="card">
        <p>
          <StatusBadge status={run.status} /> {run.parentRunId !== null && <>of <Link to={`/runs/${run.parentRunId}`}>run {run.parentRunId}</Link> · </>}
          started {formatTime(run.startedAt)} · {run.endedAt ? `ended ${formatTime(run.endedAt)}` : 'still running'} · took {formatDuration(runDuration(run))}
          {run.stopRequested && running ? ' · stopping after the items in flight' : ''}
        </p>
        <p>
          {run.events.warn} warning(s), {run.events.error} error(s) in the log
          {run.summary && !system ? ` · ${run.summary.totals.created} created, ${run.summary.totals.updated} updated, ${run.summary.totals.unchanged} unchanged, ${run.summary.totals.failed} failed, ${run.summary.totals.removed} removed` : ''}
        </p>
        <div className="toolbar">
          {running && (
            <button type="button" className="danger" disabled={!canOperate || act.busy || run.stopRequested} title={why} onClick={() => void act.run(async () => { await api.post(`/api/migrations/${seg(run.migrationName)}/stop`); await reload(); })}>
              Stop
            </button>
          )}
          {undoable && (
            <button type="button" disabled={!canOperate || act.busy} title={why ?? (system ? 'Restore the target\'s snapshot and take the source out of maintenance' : 'Remove from the target what this run created')} onClick={() => void act.run(async () => started(await api.post<RunRecord>(`/api/runs/${run.id}/undo`, {})))}>
              Undo this run
            </button>
          )}
          {!system && (
            <a className="button" href={`/api/runs/${run.id}/items.csv`} download>
              Download items (CSV)
            </a>
          )}
          <a className="button" href={`/api/runs/${run.id}/events.csv`} download>
            Download events (CSV)
          </a>
        </div>
        <ErrorNote error={act.error} />
      </div>
      {run.workers?.waiting && (
        <div className="warning" role="status" id="workers-waiting">
          <strong>Waiting for workers:</strong> start <code>{run.workers.command}</code> (with the same secret.key in its data folder). {run.workers.queued + run.workers.active} batch(es) of this run are in the
          queue and no worker is {run.workers.listed > 0 ? 'alive' : 'listed'} on this store; see <Link to="/workers">Workers</Link>.
        </div>
      )}
      {run.workers && !run.workers.waiting && running && (
        <p className="note" id="workers-status">
          Batches go to the <Link to="/workers">workers</Link>: {run.workers.active} taken, {run.workers.queued} waiting, {run.workers.done} done; {run.workers.live} worker(s) alive.
        </p>
      )}

      {system ? (
        <section aria-labelledby="progress-title">
          <h2 id="progress-title">Operations</h2>
          <p>A system migration copies the installation as a whole: each operation is a step, its progress in bytes.</p>
          {steps && <StepsTable steps={steps} bytes />}
        </section>
      ) : (
        <section aria-labelledby="progress-title">
          <h2 id="progress-title">Progress per object type</h2>
          {steps && <TypeProgress run={run} steps={steps} onStarted={started} />}
        </section>
      )}
      <section aria-labelledby="prechecks-title">
        <h2 id="prechecks-title">Pre-migration checks</h2>
        <PrecheckEvents runId={run.id} kind={run.kind} />
      </section>
      <section aria-labelledby="items-title">
        <h2 id="items-title">Items</h2>
        {system ? (
          <p>A system migration has no items: it copies the database, the files and the settings as a whole (see the operations above and the log).</p>
        ) : (
          <ItemsTable key={`${run.id}-${run.status}`} run={run} types={types} rerunUntil={rerunUntil} onStarted={started} onChanged={() => void reload()} />
        )}
      </section>
      <section aria-labelledby="verify-title">
        <h2 id="verify-title">Verify report</h2>
        <VerifyView report={run.summary?.verify} />
      </section>
      <section aria-labelledby="actions-title">
        <h2 id="actions-title">Post-migration actions</h2>
        <ActionsChecklist key={`${run.id}-${run.status}`} runId={run.id} />
      </section>
      <section aria-labelledby="log-title" id="log">
        <h2 id="log-title">Log</h2>
        {running && recent.length > 0 && (
          <>
            <h3>Latest log lines (live)</h3>
            <ul className="live-events" tabIndex={0} aria-label="Latest log lines">
              {recent.map((e) => (
                <li key={e.id} className={e.level === 'error' ? 'finding-error' : e.level === 'warn' ? 'finding-warning' : undefined}>
                  {formatTime(e.at)} {e.level.toUpperCase()} {e.step ? `[${e.step}] ` : ''}
                  {e.message}
                </li>
              ))}
            </ul>
          </>
        )}
        <LogViewer runId={run.id} version={run.status} />
      </section>
    </section>
  );
}
