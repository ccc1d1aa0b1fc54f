import { useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiFailure, seg } from '../api.js';
import { useCan } from '../session.js';
import { Empty, ErrorNote, useAction, useApi } from '../ui.js';
import { JobCard } from './jobs-card.js';
import { editable, jobOfField, move, newKey, NOT_IN_ANY_JOB, orderWarnings, toBody, type EditedJob, type JobsView } from './jobs-model.js';

/**
 * A migration's jobs in order (the plan's, or the standard ones): rename,
 * reorder, add and remove jobs and steps, set scopes, Save; run one job.
 * Operators edit and run; viewers read.
 */
export function JobsPage() {
  const { name = '' } = useParams();
  const path = `/api/migrations/${seg(name)}/jobs`;
  const { data, error, reload } = useApi<JobsView>(path);
  const canEdit = useCan('operator');
  const [jobs, setJobs] = useState<EditedJob[]>([]);
  const [dirty, setDirty] = useState(false);
  const [saveError, setSaveError] = useState<{ message: string; job: number | undefined }>();
  const [saved, setSaved] = useState(false);
  const [started, setStarted] = useState<{ id: number; job: string }>();
  const save = useAction();
  const run = useAction();

  useEffect(() => {
    if (data && !dirty) setJobs(editable(data));
  }, [data, dirty]);

  const warnings = useMemo(() => (data ? orderWarnings(jobs, data.types) : []), [jobs, data]);
  const notes = useMemo(() => {
    const m = new Map<string, string>();
    for (const j of data?.jobs ?? []) for (const s of j.steps) if (!s.applies && s.reason && j.name !== NOT_IN_ANY_JOB) m.set(s.type, s.reason);
    return m;
  }, [data]);
  const left = data?.jobs.find((j) => j.name === NOT_IN_ANY_JOB);

  const change = (next: EditedJob[]) => {
    setJobs(next);
    setDirty(true);
    setSaved(false);
  };

  const onSave = async () => {
    setSaveError(undefined);
    const result = await save.run(async () => {
      try {
        return await api.put<JobsView>(path, toBody(jobs));
      } catch (e) {
        if (e instanceof ApiFailure) setSaveError({ message: e.describe(), job: jobOfField(e.body.field) });
        throw e;
      }
    });
    if (result) {
      setDirty(false);
      setSaved(true);
      await reload();
    }
  };

  const runJob = async (job: string) => {
    const r = await run.run(() => api.post<{ id: number }>(`/api/migrations/${seg(name)}/runs`, { job }));
    if (r) setStarted({ id: r.id, job });
  };

  const readOnlyWhy = 'Editing jobs needs the operator role';

  return (
    <section>
      <h1>Jobs of {name}</h1>
      <p>
        <Link to={`/migrations/${seg(name)}`}>Back to the migration</Link>
      </p>
      <ErrorNote error={error} />
      {!data && !error && <p className="loading">Loading the jobs…</p>}
      {data && (
        <>
          <p>
            Jobs run in this order; each job runs its steps (object types) in order, over the items its scope selects. The same object type may be in several jobs with different scopes: an item in two scopes is migrated once, by the first job.
            {data.standard && ' The plan names no jobs: these are the standard jobs. Saving stores them in the plan.'}
          </p>
          {!canEdit && <p className="warning">You can read the jobs; editing and running them needs the operator role.</p>}
          {warnings.length > 0 && (
            <div className="warning" role="status">
              <h2>Order warnings</h2>
              <p>Ferry runs these anyway; following the recommended order avoids unresolved references.</p>
              <ul>
                {warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            </div>
          )}
          {saveError && saveError.job === undefined && <ErrorNote error={`Not saved: ${saveError.message}`} />}
          {started && (
            <p role="status" className="card">
              Run {started.id} of job “{started.job}” started. <Link to={`/migrations/${seg(name)}`}>Follow it on the migration's page</Link>
            </p>
          )}
          <ErrorNote error={run.error} />
          {jobs.length === 0 && <Empty>No job. Add one with “Add job”.</Empty>}
          {jobs.map((job, i) => (
            <JobCard
              key={job.key}
              job={job}
              position={i}
              count={jobs.length}
              types={data.types}
              notes={notes}
              canEdit={canEdit}
              readOnlyWhy={readOnlyWhy}
              error={saveError && saveError.job === i ? `Not saved: ${saveError.message}` : undefined}
              onChange={(next) => change(jobs.map((x, j) => (j === i ? next : x)))}
              onMove={(to) => change(move(jobs, i, to))}
              onRemove={() => change(jobs.filter((_, j) => j !== i))}
              runButton={
                canEdit ? (
                  <button type="button" className={dirty ? undefined : 'primary'} disabled={dirty || run.busy} title={dirty ? 'Save the jobs first: a run uses the saved jobs' : undefined} onClick={() => void runJob(job.name)}>
                    Run this job
                  </button>
                ) : null
              }
            />
          ))}
          {left && (
            <section className="card" aria-labelledby="jobs-left">
              <h2 id="jobs-left">Not in any job</h2>
              <p>These object types are in no job: they are not migrated. Add them to a job to migrate them.</p>
              <ul>
                {left.steps.map((s) => (
                  <li key={s.type}>
                    {s.label} <code>{s.type}</code>
                  </li>
                ))}
              </ul>
            </section>
          )}
          {canEdit && (
            <div className="toolbar">
              <button type="button" onClick={() => change([...jobs, { key: newKey(), name: `New job ${jobs.length + 1}`, steps: [], scope: [] }])}>
                Add job
              </button>
              <button type="button" className="primary" disabled={!dirty || save.busy} title={dirty ? undefined : 'nothing changed yet'} onClick={() => void onSave()}>
                {save.busy ? 'Saving…' : 'Save jobs'}
              </button>
              <button
                type="button"
                disabled={!dirty}
                title={dirty ? undefined : 'nothing changed yet'}
                onClick={() => {
                  setDirty(false);
                  setSaveError(undefined);
                  setJobs(editable(data));
                }}
              >
                Discard changes
              </button>
              {saved && <span role="status">Saved.</span>}
            </div>
          )}
        </>
      )}
    </section>
  );
}
