import { useId, useState, type ReactNode } from 'react';
import type { EditedJob, Filter, JobsView } from './jobs-model.js';

interface JobCardProps {
  job: EditedJob;
  position: number;
  count: number;
  types: JobsView['types'];
  /** Skipped steps' notes as the server laid them out (a type turned off in the plan...). */
  notes: Map<string, string>;
  canEdit: boolean;
  /** Why editing is off, for the title of disabled controls. */
  readOnlyWhy: string;
  error: string | undefined;
  onChange(job: EditedJob): void;
  onMove(to: number): void;
  onRemove(): void;
  runButton: ReactNode;
}

const labelOf = (types: JobsView['types'], name: string) => types.find((t) => t.name === name)?.label ?? name;

/** One job: its name, its steps in order, its scope, and the buttons that move or remove it. */
export function JobCard({ job, position, count, types, notes, canEdit, readOnlyWhy, error, onChange, onMove, onRemove, runButton }: JobCardProps) {
  const id = useId();
  const [adding, setAdding] = useState('');
  const free = types.filter((t) => !job.steps.includes(t.name));
  const title = canEdit ? undefined : readOnlyWhy;
  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>
        {position + 1}. {job.name || '(no name)'}
      </h2>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <label>
        Job name{' '}
        <input value={job.name} disabled={!canEdit} title={title} onChange={(e) => onChange({ ...job, name: e.target.value })} />
      </label>

      <h3>Steps</h3>
      {job.steps.length === 0 ? (
        <p className="warning">No step yet: add one below (a job needs at least one).</p>
      ) : (
        <ol>
          {job.steps.map((s) => (
            <li key={s}>
              {labelOf(types, s)} <code>{s}</code>
              {notes.get(s) ? <span className="progress-text"> — Skipped: {notes.get(s)}</span> : null}{' '}
              {canEdit && (
                <button type="button" className="link" onClick={() => onChange({ ...job, steps: job.steps.filter((x) => x !== s) })}>
                  Remove step {s} from {job.name}
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
      {canEdit && free.length > 0 && (
        <div className="toolbar">
          <label>
            Step to add{' '}
            <select value={adding} onChange={(e) => setAdding(e.target.value)}>
              <option value="">Choose an object type…</option>
              {free.map((t) => (
                <option key={t.name} value={t.name}>
                  {t.label} ({t.name})
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            disabled={!adding}
            title={adding ? undefined : 'choose an object type first'}
            onClick={() => {
              onChange({ ...job, steps: [...job.steps, adding] });
              setAdding('');
            }}
          >
            Add step
          </button>
        </div>
      )}

      <h3>Scope</h3>
      <ScopeEditor scope={job.scope} types={types} canEdit={canEdit} title={title} onChange={(scope) => onChange({ ...job, scope })} />

      {canEdit && (
        <div className="toolbar">
          <button type="button" disabled={position === 0} title={position === 0 ? 'already the first job' : undefined} onClick={() => onMove(position - 1)}>
            Move up
          </button>
          <button type="button" disabled={position === count - 1} title={position === count - 1 ? 'already the last job' : undefined} onClick={() => onMove(position + 1)}>
            Move down
          </button>
          <button type="button" className="danger" disabled={count === 1} title={count === 1 ? 'a migration needs at least one job' : undefined} onClick={onRemove}>
            Remove job
          </button>
          {runButton}
        </div>
      )}
    </section>
  );
}

/** A job's scope: filters, any of which lets an item in; none means every item the plan selects. */
function ScopeEditor({ scope, types, canEdit, title, onChange }: { scope: Filter[]; types: JobsView['types']; canEdit: boolean; title: string | undefined; onChange(scope: Filter[]): void }) {
  const set = (i: number, f: Filter) => onChange(scope.map((x, j) => (j === i ? f : x)));
  return (
    <div>
      {scope.length === 0 && <p>Every item the plan selects (no scope).</p>}
      {scope.map((f, i) => (
        <fieldset key={i}>
          <legend>Filter {i + 1}{scope.length > 1 ? ' (an item matching any filter is in scope)' : ''}</legend>
          <div className="toolbar">
            <label>
              Object type
              <select value={f.type ?? ''} disabled={!canEdit} title={title} onChange={(e) => set(i, { ...f, type: e.target.value || undefined })}>
                <option value="">Any</option>
                {types.map((t) => (
                  <option key={t.name} value={t.name}>
                    {t.label}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Pattern (glob)
              <input value={f.pattern ?? ''} disabled={!canEdit} title={title} placeholder="Help:*" onChange={(e) => set(i, { ...f, pattern: e.target.value || undefined })} />
            </label>
            <label>
              Namespaces (comma-separated)
              <input
                value={(f.namespace ?? []).join(', ')}
                disabled={!canEdit}
                title={title}
                placeholder="0, 12"
                onChange={(e) => set(i, { ...f, namespace: e.target.value.split(',').map((s) => s.trim()).filter(Boolean) })}
              />
            </label>
            <label>
              Modified since
              <input type="date" value={(f.modifiedSince ?? '').slice(0, 10)} disabled={!canEdit} title={title} onChange={(e) => set(i, { ...f, modifiedSince: e.target.value || undefined })} />
            </label>
            {canEdit && (
              <button type="button" className="link" onClick={() => onChange(scope.filter((_, j) => j !== i))}>
                Remove filter {i + 1}
              </button>
            )}
          </div>
        </fieldset>
      ))}
      {canEdit && (
        <button type="button" onClick={() => onChange([...scope, {}])}>
          Add scope filter
        </button>
      )}
    </div>
  );
}
