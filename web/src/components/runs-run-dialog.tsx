import { useEffect, useState } from 'react';
import { api, seg } from '../api.js';
import { useCan } from '../session.js';
import { ErrorNote, useAction } from '../ui.js';
import { Dialog } from './runs-dialog.js';
import { PrecheckList } from './runs-prechecks.js';
import type { Finding, PlannedJob, RunRecord } from './runs-types.js';

/**
 * Run's confirmation: what the run will do, the pre-migration checks made
 * now, and, when it resets the target, what will be deleted and the target's
 * name typed again (admins only).
 */
export function RunDialog({ open, name, target, planResets, system = false, onClose, onStarted }: { open: boolean; name: string; target: string; planResets: boolean; system?: boolean; onClose(): void; onStarted(run: RunRecord): void }) {
  const isAdmin = useCan('admin');
  const [reset, setReset] = useState(planResets);
  const [typed, setTyped] = useState('');
  const [checks, setChecks] = useState<{ findings: Finding[]; jobs: PlannedJob[] }>();
  const checking = useAction();
  const starting = useAction();
  const resets = reset || planResets;

  useEffect(() => {
    if (!open) return;
    setTyped('');
    setChecks(undefined);
    starting.clear();
    void checking.run(async () => setChecks(await api.post<{ findings: Finding[]; jobs: PlannedJob[] }>(`/api/migrations/${seg(name)}/prechecks`, { reset: resets })));
  }, [open, resets, name]); // checking and starting are new objects each render: not dependencies

  const blocked = checks?.findings.some((f) => f.level === 'error') ?? false;
  const confirmed = !resets || typed === target;
  const start = async () => {
    const run = await starting.run(() => api.post<RunRecord>(`/api/migrations/${seg(name)}/runs`, resets ? { reset: true, confirmReset: typed } : {}));
    if (run) onStarted(run);
  };

  return (
    <Dialog open={open} title={`Run migration "${name}"`} onClose={onClose}>
      {system ? (
        <p className="warning">
          This system migration replaces the data of the target <strong>{target}</strong> with the source's whole installation (database, files, settings) and puts the source in maintenance during the copy.
          Ferry snapshots the target first: Undo restores it. A stopped or killed run continues from the operation that was running.
        </p>
      ) : resets ? (
        <div className="warning">
          <p>
            <strong>Running this migration will:</strong>
          </p>
          <ul>
            <li>
              Delete ALL existing data on the target <strong>{target}</strong>: every page with its history, every file, every user and group, except Ferry's own account
              (the one its connection signs in with).
            </li>
            <li>Forget the ID map of this source and target, then replace everything with migrated content from the source.</li>
          </ul>
          <p>This cannot be undone.</p>
        </div>
      ) : (
        <p>
          The run creates on <strong>{target}</strong> what the source has and the target does not, updates what changed since the last run, and leaves the rest as it is.
          It deletes nothing on the target; Undo removes what a run created.
        </p>
      )}
      {!system && <label className="check">
        <input type="checkbox" checked={resets} disabled={!isAdmin || planResets} onChange={(e) => setReset(e.target.checked)} title={isAdmin ? undefined : 'Resetting the target needs the admin role'} />
        Reset the target first (empty it before migrating)
        {!isAdmin && <span className="hint"> — needs the admin role</span>}
        {planResets && <span className="hint"> — the plan says reset: true</span>}
      </label>}
      {resets && (
        <label>
          Type the target's name, <strong>{target}</strong>, to confirm
          <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
        </label>
      )}
      {checking.busy && <p role="status">Checking source and target…</p>}
      <ErrorNote error={checking.error} />
      {checks && <PrecheckList findings={checks.findings} />}
      <ErrorNote error={starting.error} />
      <div className="buttons">
        <button type="button" className={resets ? 'danger' : 'primary'} disabled={starting.busy || checking.busy || blocked || !confirmed || (resets && !isAdmin)} onClick={() => void start()}>
          Confirm and run
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
