import { Empty } from '../ui.js';
import type { VerifyReport } from './runs-types.js';

/** The verify report: per type what was compared and found equal, missing or different, then the first discrepancies. */
export function VerifyView({ report }: { report: VerifyReport | undefined }) {
  if (!report) return <Empty>This run has no verify report: verify runs at the end of a run (option verify), or press Verify on the migration’s page.</Empty>;
  const clean = report.discrepancyCount === 0;
  return (
    <>
      <p className={clean ? 'ok-text' : 'error'}>
        {clean ? '✓ Every migrated item was found on the target as on the source.' : `${report.discrepancyCount} discrepancy(ies) between source and target.`}
        {report.excused > 0 ? ` ${report.excused} difference(s) excused (items cancelled by a person).` : ''}
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Object type</th>
            <th scope="col">Selected</th>
            <th scope="col">Equal</th>
            <th scope="col">Kept</th>
            <th scope="col">Not migrated</th>
            <th scope="col">Missing</th>
            <th scope="col">Different</th>
            <th scope="col">Compared</th>
          </tr>
        </thead>
        <tbody>
          {report.types.map((t) => (
            <tr key={t.type}>
              <th scope="row">{t.label}</th>
              <td>{t.selected}</td>
              <td>{t.equal}</td>
              <td>{t.kept}</td>
              <td>{t.notMigrated}</td>
              <td>{t.missing}</td>
              <td>{t.different}</td>
              <td>{t.fieldsCompared ? 'field by field' : 'existence only'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.discrepancies.length > 0 && (
        <>
          <h3>Discrepancies{report.discrepancyCount > report.discrepancies.length ? ` (first ${report.discrepancies.length} of ${report.discrepancyCount})` : ''}</h3>
          <ul>
            {report.discrepancies.map((d, i) => (
              <li key={i}>
                {d.label} ({d.type}): {d.problem.replace('-', ' ')} — {d.message}
              </li>
            ))}
          </ul>
        </>
      )}
      {report.notCarried.length > 0 && (
        <>
          <h3>On the source, not carried by Ferry</h3>
          <ul>
            {report.notCarried.map((n) => (
              <li key={n.kind}>
                {n.label}: {n.count} ({n.examples.join(', ')}) — {n.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
