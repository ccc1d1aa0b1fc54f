import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, ApiFailure, seg } from '../api.js';
import { MigrationMenu } from '../components/runs-migration-menu.js';
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

/** Every migration with the status of its last run, live, with an actions menu per row. */
export function MigrationsPage() {
  const [search, setSearch] = useState('');
  const [archived, setArchived] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'warning' | 'error' | 'info'; text: string }>();
  const navigate = useNavigate();
  const path = `/api/migrations?archived=${archived}${search ? `&search=${seg(search)}` : ''}`;
  const { data, error, reload } = useApi<MigrationRow[]>(path);
  useEventStream('/api/stream', { migration: () => void reload() });

  const openLog = async (m: MigrationRow) => {
    if (m.lastRunId === null) return;
    try {
      await api.get<string>(`/api/runs/${m.lastRunId}/log`);
      navigate(`/runs/${m.lastRunId}#log`);
    } catch (e) {
      const text = e instanceof ApiFailure ? e.describe() : String(e);
      setNotice({ kind: e instanceof ApiFailure && e.status === 404 ? 'warning' : 'error', text });
    }
  };

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
      {notice && (
        <div role={notice.kind === 'info' ? 'status' : 'alert'} className={notice.kind === 'error' ? 'error' : notice.kind === 'warning' ? 'warning' : 'note'}>
          {notice.text}{' '}
          <button type="button" className="link" onClick={() => setNotice(undefined)}>
            Dismiss
          </button>
        </div>
      )}
      {data && data.length === 0 && (
        <Empty>
          {archived
            ? 'No archived migration. Archive one from its Actions menu to move it here.'
            : search
              ? `No migration matches "${search}".`
              : 'No migration yet. Save a plan with `ferry plan save` or create one in the plan editor.'}
        </Empty>
      )}
      {data && data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Source</th>
              <th scope="col">Target</th>
              <th scope="col">Last run</th>
              <th scope="col">Changed</th>
              <th scope="col">Actions</th>
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
                  {m.lastRunId !== null ? (
                    <Link to={`/runs/${m.lastRunId}`} aria-label={`Run ${m.lastRunId} of ${m.name}: ${m.status}`}>
                      <StatusBadge status={m.status} />
                    </Link>
                  ) : (
                    <StatusBadge status={m.status} />
                  )}
                </td>
                <td>{formatTime(m.updatedAt)}</td>
                <td>
                  <MigrationMenu
                    migration={m}
                    onOpenLog={() => void openLog(m)}
                    onChanged={(text) => {
                      setNotice({ kind: 'info', text });
                      void reload();
                    }}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
