import type { Finding } from './runs-types.js';

/** Pre-migration check findings: errors (they block a run) first, then warnings. */
export function PrecheckList({ findings, title = 'Pre-migration checks' }: { findings: Finding[]; title?: string }) {
  const errors = findings.filter((f) => f.level === 'error');
  const warnings = findings.filter((f) => f.level === 'warning');
  return (
    <div className="prechecks">
      <h3>{title}</h3>
      {findings.length === 0 && <p className="ok-text">✓ No error and no warning: the run can start.</p>}
      {errors.length > 0 && <p className="error">{errors.length} error(s): a run cannot start until they are fixed.</p>}
      <ul>
        {[...errors, ...warnings].map((f, i) => (
          <li key={i} className={f.level === 'error' ? 'finding-error' : 'finding-warning'}>
            <strong>{f.level === 'error' ? 'Error' : 'Warning'}:</strong> {f.message}
            {f.hint && <span className="hint"> — {f.hint}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
