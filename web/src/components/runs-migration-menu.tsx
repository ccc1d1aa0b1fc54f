import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, seg } from '../api.js';
import type { MigrationRow } from '../pages/migrations.js';
import { useCan } from '../session.js';
import { ErrorNote, useAction } from '../ui.js';
import { Dialog } from './runs-dialog.js';
import { MenuButton } from './runs-menu.js';

/** The Actions menu of one row of the migrations list, with its Copy and Delete dialogs. */
export function MigrationMenu({ migration: m, onOpenLog, onChanged }: { migration: MigrationRow; onOpenLog(): void; onChanged(text: string): void }) {
  const navigate = useNavigate();
  const canOperate = useCan('operator');
  const canDelete = useCan('admin');
  const [dialog, setDialog] = useState<'copy' | 'delete' | undefined>();
  const [copyName, setCopyName] = useState('');
  const action = useAction();
  const page = `/migrations/${seg(m.name)}`;
  const needsOperator = canOperate ? undefined : 'Needs the operator role';

  const archive = async () => {
    const what = m.archived ? 'unarchive' : 'archive';
    const done = await action.run(() => api.post(`/api/migrations/${seg(m.name)}/${what}`));
    if (done) onChanged(m.archived ? `"${m.name}" is back in the list.` : `"${m.name}" is archived: find it under Show archived.`);
  };

  return (
    <>
      <MenuButton
        label={`Actions for ${m.name}`}
        items={[
          { label: 'Migration steps', onSelect: () => navigate(`${page}#steps`) },
          {
            label: 'Open log file',
            onSelect: onOpenLog,
            disabled: m.lastRunId === null,
            ...(m.lastRunId === null ? { title: 'This migration has never run: there is no log yet' } : {}),
          },
          { label: 'Run', onSelect: () => navigate(`${page}?run=1#steps`), disabled: !canOperate, ...(needsOperator ? { title: needsOperator } : {}) },
          {
            label: 'Copy',
            onSelect: () => {
              setCopyName(`${m.name} copy`);
              action.clear();
              setDialog('copy');
            },
            disabled: !canOperate,
            ...(needsOperator ? { title: needsOperator } : {}),
          },
          { label: 'Edit', onSelect: () => navigate(`${page}/edit`), disabled: !canOperate, ...(needsOperator ? { title: needsOperator } : {}) },
          {
            label: 'Delete',
            onSelect: () => {
              action.clear();
              setDialog('delete');
            },
            disabled: !canDelete,
            ...(canDelete ? {} : { title: 'Deleting a migration needs the admin role' }),
          },
          { label: m.archived ? 'Unarchive' : 'Archive', onSelect: () => void archive(), disabled: !canOperate, ...(needsOperator ? { title: needsOperator } : {}) },
        ]}
      />
      {!dialog && <ErrorNote error={action.error} />}
      <Dialog open={dialog === 'copy'} title={`Copy "${m.name}"`} onClose={() => setDialog(undefined)}>
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            const copied = await action.run(() => api.post(`/api/migrations/${seg(m.name)}/copy`, { name: copyName }));
            if (copied) {
              setDialog(undefined);
              onChanged(`Copied "${m.name}" as "${copyName}" (its plan, not its runs).`);
            }
          }}
        >
          <p>The copy gets the same plan under a new name; runs are not copied.</p>
          <label>
            Name of the copy <input value={copyName} onChange={(e) => setCopyName(e.target.value)} required />
          </label>
          <ErrorNote error={action.error} />
          <div className="buttons">
            <button type="submit" className="primary" disabled={action.busy}>
              Copy
            </button>
            <button type="button" onClick={() => setDialog(undefined)}>
              Cancel
            </button>
          </div>
        </form>
      </Dialog>
      <Dialog open={dialog === 'delete'} title={`Delete "${m.name}"?`} onClose={() => setDialog(undefined)}>
        <p>
          Deleting <strong>{m.name}</strong> removes the migration with all its runs and item records. What it migrated stays on the target, and the ID map of{' '}
          {m.source} → {m.target} stays too. This cannot be undone.
        </p>
        <ErrorNote error={action.error} />
        <div className="buttons">
          <button
            type="button"
            className="danger"
            disabled={action.busy}
            onClick={async () => {
              const ok = await action.run(async () => {
                await api.del(`/api/migrations/${seg(m.name)}`, { confirm: m.name });
                return true;
              });
              if (ok) {
                setDialog(undefined);
                onChanged(`Deleted "${m.name}".`);
              }
            }}
          >
            Delete {m.name}
          </button>
          <button type="button" onClick={() => setDialog(undefined)}>
            Cancel
          </button>
        </div>
      </Dialog>
    </>
  );
}
