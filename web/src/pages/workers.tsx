import { useEffect } from 'react';
import { Link } from 'react-router';
import { Empty, ErrorNote, formatTime, useApi } from '../ui.js';

interface Worker {
  host: string;
  pid: number;
  state: 'busy' | 'idle' | 'lost';
  runId: number | null;
  batch: string | null;
  chunksDone: number;
  itemsDone: number;
  startedAt: string;
  heartbeatAt: string;
  silentSeconds: number;
}

/** The `ferry worker` processes on the PostgreSQL store, refreshed every few seconds. */
export function WorkersPage() {
  const { data, error, reload } = useApi<{ store: 'sqlite' | 'postgres'; workers: Worker[] }>('/api/workers');
  useEffect(() => {
    const timer = setInterval(() => void reload(), 3000);
    return () => clearInterval(timer);
  }, [reload]);
  return (
    <section>
      <h1>Workers</h1>
      <p>
        The <code>ferry worker</code> processes that write the batches of runs started with <code>ferry run --workers</code>, or from this dashboard when the server runs with{' '}
        <code>ferry serve --workers</code>. A worker silent for longer than its lease is
        lost: its batches go to the others. Refreshed every 3 seconds.
      </p>
      <ErrorNote error={error} />
      {data?.store === 'sqlite' && <Empty>The store is the embedded SQLite one: runs are processed by the process that started them. Workers need the store on PostgreSQL (see docs/operations.md).</Empty>}
      {data?.store === 'postgres' && data.workers.length === 0 && <Empty>No worker has joined: start one with <code>ferry worker --store URL</code>.</Empty>}
      {data && data.workers.length > 0 && (
        <table>
          <caption className="visually-hidden">Workers</caption>
          <thead>
            <tr>
              <th scope="col">Host</th>
              <th scope="col">PID</th>
              <th scope="col">State</th>
              <th scope="col">Current batch</th>
              <th scope="col">Items done</th>
              <th scope="col">Last heartbeat</th>
              <th scope="col">Started</th>
            </tr>
          </thead>
          <tbody>
            {data.workers.map((w) => (
              <tr key={`${w.host}:${w.pid}`}>
                <td>{w.host}</td>
                <td>{w.pid}</td>
                <td>{w.state}</td>
                <td>{w.runId !== null && w.batch ? <Link to={`/runs/${w.runId}`}>{w.batch}</Link> : '-'}</td>
                <td>{w.itemsDone}</td>
                <td>
                  <time dateTime={w.heartbeatAt}>{w.silentSeconds} s ago</time>
                </td>
                <td>
                  <time dateTime={w.startedAt}>{formatTime(w.startedAt)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
