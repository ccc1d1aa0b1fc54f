import type { PlanDraft } from './plan-model.js';
import { PreviewTable, type PreviewAnswer } from './plan-preview.js';

/** Step 5: what the run will do (the preview), before anything is written. */
export function WizardConfirm({ draft, preview, labels }: { draft: PlanDraft; preview: PreviewAnswer | undefined; labels: Record<string, string> }) {
  if (!preview) return <p role="status">Reading both instances to show what the run would do…</p>;
  const total = (action: string) => Object.values(preview.counts).reduce((n, c) => n + (c[action] ?? 0), 0);
  return (
    <div>
      <p>
        The migration <strong>{draft.name}</strong> will copy from <strong>{draft.source}</strong> to <strong>{draft.target}</strong>:
      </p>
      <ul className="totals">
        <li>
          <strong>{total('create') + total('rename')}</strong> to create
        </li>
        <li>
          <strong>{total('update')}</strong> to update
        </li>
        <li>
          <strong>{total('skip') + total('unchanged') + total('adopt')}</strong> to skip or leave as they are
        </li>
      </ul>
      <p className="warning">Starting writes to "{draft.target}". Everything Ferry creates can be undone later from the migration page (undo).</p>
      <details>
        <summary>Item by item</summary>
        <PreviewTable preview={preview} labels={labels} />
      </details>
    </div>
  );
}
