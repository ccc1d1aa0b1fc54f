import { useState } from 'react';

export interface PreviewAnswer {
  steps: Array<{ job: string; type: string; label: string; applies: boolean; reason?: string }>;
  warnings: string[];
  rows: Array<{ type: string; label: string; action: string; reason: string }>;
  counts: Record<string, Record<string, number>>;
}

const ACTIONS = ['create', 'update', 'rename', 'adopt', 'unchanged', 'skip', 'fail'] as const;
const PAGE = 50;

/** The dry run: counts per type and action, then every item with what a run would do and why. */
export function PreviewTable({ preview, labels = {} }: { preview: PreviewAnswer; labels?: Record<string, string> }) {
  const [shown, setShown] = useState(PAGE);
  const [action, setAction] = useState('');
  const rows = action ? preview.rows.filter((r) => r.action === action) : preview.rows;
  return (
    <div>
      {preview.warnings.map((w) => (
        <p key={w} className="warning">
          {w}
        </p>
      ))}
      <table aria-label="What a run would do, per type">
        <thead>
          <tr>
            <th scope="col">Type</th>
            {ACTIONS.map((a) => (
              <th scope="col" key={a}>
                {a}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Object.entries(preview.counts).map(([type, counts]) => (
            <tr key={type}>
              <th scope="row">{labels[type] ?? type}</th>
              {ACTIONS.map((a) => (
                <td key={a}>{counts[a] ?? 0}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {preview.steps.filter((s) => !s.applies).map((s) => (
        <p key={s.type} className="help">
          {s.label}: skipped{s.reason ? ` (${s.reason})` : ''}.
        </p>
      ))}
      <label>
        Show items that would be
        <select value={action} onChange={(e) => { setAction(e.target.value); setShown(PAGE); }}>
          <option value="">any action</option>
          {ACTIONS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </label>
      <table aria-label="What a run would do, item by item">
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Item</th>
            <th scope="col">Action</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, shown).map((r, i) => (
            <tr key={`${r.type}-${r.label}-${i}`}>
              <td>{labels[r.type] ?? r.type}</td>
              <td>{r.label}</td>
              <td>{r.action}</td>
              <td>{r.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > shown && (
        <button type="button" onClick={() => setShown(shown + PAGE * 4)}>
          Show more ({rows.length - shown} left)
        </button>
      )}
    </div>
  );
}
