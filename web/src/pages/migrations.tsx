import { useState } from 'react';
import { Link } from 'react-router';
import { seg } from '../api.js';
import { Empty, ErrorNote, formatTime, StatusBadge, useApi, useEventStream } from '../ui.js';

export interface MigrationRow {
  id: number;
  name: string;
  source: string;
  target: string;
  archived: boolean;
  createdAt: string;
  updatedAt: string;
  status: string;
  lastRunId: number | null;
}

/** Every migration with the status of its last run, live. */
export function MigrationsPage() {
  const [search, setSearch] = useState('');
  const [archived, setArchived] = useState(false);
  const path = `/api/migrations?archived=${archived}${search ? `&search=${seg(search)}` : ''}`;
  const { data, error, reload } = useApi<MigrationRow[]>(path);
  useEventStream('/api/stream', { migration: () => void reload() });

  return (
    <section>
      <h1>{archived ? 'Archived migrations' : 'Migrations'}</h1>
      <div className="toolbar">
        <label>
          Search by name <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        <button type="button" onClick={() => setArchived(!archived)}>
          {archived ? 'Show active migrations' : 'Show archived'}
        </button>
      </div>
      <ErrorNote error={error} />
      {data && data.length === 0 && <Empty>{archived ? 'No archived migration.' : 'No migration yet. Save a plan with `ferry plan save` or create one in the plan editor.'}</Empty>}
      {data && data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Source</th>
              <th scope="col">Target</th>
              <th scope="col">Last run</th>
              <th scope="col">Changed</th>
            </tr>
          </thead>
          <tbody>
            {data.map((m) => (
              <tr key={m.id}>
                <td>
                  <Link to={`/migrations/${seg(m.name)}`}>{m.name}</Link>
                </td>
                <td>{m.source}</td>
                <td>{m.target}</td>
                <td>
                  <StatusBadge status={m.status} />
                </td>
                <td>{formatTime(m.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
