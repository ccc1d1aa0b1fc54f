import { useEffect, useState } from 'react';
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, seg } from '../api.js';
import { ConfigOverview, isSystemPlan, readPlan } from '../components/runs-overview.js';
import { RunsHistory } from '../components/runs-history.js';
import { PrecheckList } from '../components/runs-prechecks.js';
import { RunDialog } from '../components/runs-run-dialog.js';
import { StepsTable, useLiveSteps } from '../components/runs-steps.js';
import type { Finding, MigrationDetails, PlannedJob, RunRecord } from '../components/runs-types.js';
import { useCan } from '../session.js';
import { ErrorNote, formatTime, StatusBadge, useAction, useApi, useEventStream } from '../ui.js';

/** One migration: its configuration, the steps of its latest run (live), Run and Stop, pre-checks and its runs. */
export function MigrationPage() {
  const name = useParams().name ?? '';
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const canOperate = useCan('operator');
  const { data: migration, error, reload } = useApi<MigrationDetails>(`/api/migrations/${seg(name)}`);
  const [latest, setLatest] = useState<RunRecord>();
  const [checks, setChecks] = useState<{ findings: Finding[]; jobs: PlannedJob[] }>();
  const checking = useAction();
  const stopping = useAction();
  const verifying = useAction();
  const runOpen = params.get('run') === '1';
  const location = useLocation();

  useEffect(() => setLatest(migration?.runs[0]), [migration]);
  // Any change to this migration's last run, wherever it was started (this page, another browser, the CLI).
  useEventStream('/api/stream', {
    migration: (m) => {
      if ((m as { name: string }).name === name) void reload();
    },
  });
  const steps = useLiveSteps(latest, { onRun: (r) => setLatest(r), onEnd: () => void reload() });

  const precheck = () => void checking.run(async () => setChecks(await api.post(`/api/migrations/${seg(name)}/prechecks`, {})));
  useEffect(() => {
    // A migration that never ran shows the steps a run would make, from the plan and the instances.
    if (migration && migration.runs.length === 0 && canOperate && !checks) precheck();
  }, [migration?.runs.length, canOperate]); // precheck reads only the name, which keys this page

  useEffect(() => {
    // "Migration steps" in the list's menu lands on the steps panel.
    if (migration && location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
  }, [migration?.id, location.hash]); // once the sections exist

  if (error) return (<section><h1>Migration {name}</h1><ErrorNote error={error} /><Link to="/">Back to migrations</Link></section>);
  if (!migration) return <p className="loading">Loading…</p>;
  const running = latest?.status === 'RUNNING';
  const planResets = readPlan(migration.planYaml)?.options?.reset === true;
  const why = canOperate ? undefined : 'Needs the operator role';

  return (
    <section>
      <p className="crumbs">
        <Link to="/">Migrations</Link> › {migration.name}
      </p>
      <h1>
        Migration {migration.name} {migration.archived && <span className="badge muted">archived</span>}
      </h1>
      <ConfigOverview migration={migration} />

      <section aria-labelledby="steps-title" id="steps">
        <h2 id="steps-title">Migration steps</h2>
        <div className="toolbar">
          <span>
            {latest ? (
              <>
                Latest: <Link to={`/runs/${latest.id}`}>run {latest.id}</Link> ({latest.kind}) <StatusBadge status={latest.status} /> started {formatTime(latest.startedAt)}
                {latest.stopRequested && running ? ' · stopping after the items in flight' : ''}
              </>
            ) : (
              'Never run: every step starts as Pending.'
            )}
          </span>
          <button type="button" className="primary" disabled={!canOperate || running} title={why ?? (running ? 'A run is in progress' : undefined)} onClick={() => setParams({ run: '1' }, { preventScrollReset: true })}>
            Run
          </button>
          <button type="button" className="danger" disabled={!canOperate || !running || stopping.busy} title={why ?? (running ? undefined : 'No run in progress')} onClick={() => void stopping.run(async () => setLatest(await api.post<RunRecord>(`/api/migrations/${seg(name)}/stop`)))}>
            Stop
          </button>
          <button type="button" disabled={!canOperate || running || !latest || verifying.busy} title={why ?? (latest ? undefined : 'Run it first')} onClick={() => void verifying.run(async () => navigate(`/runs/${(await api.post<RunRecord>(`/api/migrations/${seg(name)}/verify`)).id}`))}>
            Verify
          </button>
        </div>
        {isSystemPlan(migration.planYaml) ? (
          <p>A system migration is one job of operations, each counting bytes; a stopped or killed run continues from the operation that was running.</p>
        ) : (
          <p>
            <Link to={`/migrations/${seg(name)}/jobs`}>Jobs of this migration</Link>: see them, edit them, or run one job alone.
          </p>
        )}
        <ErrorNote error={stopping.error ?? verifying.error} />
        {steps ? <StepsTable steps={steps} bytes={isSystemPlan(migration.planYaml)} /> : checks ? <StepsTable planned={checks.jobs} /> : <p>{canOperate ? 'Reading the plan’s steps…' : 'The steps show once it has run.'}</p>}
      </section>

      <section aria-labelledby="checks-title">
        <h2 id="checks-title">Pre-migration checks</h2>
        <p>Errors stop a run before anything is written; warnings do not. A run keeps the findings it started with in its log (see its details).</p>
        <button type="button" disabled={!canOperate || checking.busy} title={why} onClick={precheck}>
          {checking.busy ? 'Checking…' : 'Check now'}
        </button>
        <ErrorNote error={checking.error} />
        {checks && <PrecheckList findings={checks.findings} title="Findings now" />}
      </section>

      <RunsHistory runs={migration.runs} />

      <RunDialog
        open={runOpen}
        name={migration.name}
        target={migration.target}
        planResets={planResets}
        system={isSystemPlan(migration.planYaml)}
        onClose={() => setParams({}, { preventScrollReset: true })}
        onStarted={(run) => {
          setParams({}, { preventScrollReset: true });
          setLatest(run);
          void reload();
        }}
      />
    </section>
  );
}
