import { Link } from 'react-router';
import { Empty, formatDuration, formatTime, StatusBadge } from '../ui.js';
import { runDuration, type RunRecord } from './runs-types.js';

const KIND: Record<string, string> = { run: 'Run', rerun: 'Re-run', undo: 'Undo', verify: 'Verify' };

/** Every run of a migration, newest first, with its kind, status, times and duration. */
export function RunsHistory({ runs }: { runs: RunRecord[] }) {
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">Runs</h2>
      {runs.length === 0 ? (
        <Empty>No run yet. Press Run above to start the first one.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col">Started</th>
              <th scope="col">Ended</th>
              <th scope="col">Duration</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link to={`/runs/${r.id}`}>Run {r.id}</Link>
                </td>
                <td>
                  {KIND[r.kind] ?? r.kind}
                  {r.parentRunId !== null ? ` of run ${r.parentRunId}` : ''}
                </td>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td>{formatTime(r.startedAt)}</td>
                <td>{r.endedAt ? formatTime(r.endedAt) : 'still running'}</td>
                <td>{formatDuration(runDuration(r))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
