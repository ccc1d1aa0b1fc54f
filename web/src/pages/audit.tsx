import { useEffect, useState } from 'react';
import { api, ApiFailure } from '../api.js';
import { useCan } from '../session.js';
import { Empty, ErrorNote, formatTime } from '../ui.js';

interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  detail: string | null;
}

const PAGE = 1000;

/** Every audit entry, newest first (the API pages oldest first). */
async function loadAll(): Promise<AuditEntry[]> {
  const all: AuditEntry[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await api.get<AuditEntry[]>(`/api/audit?limit=${PAGE}&offset=${offset}`);
    all.push(...page);
    if (page.length < PAGE) return all.reverse();
  }
}

/** Who did what when (admins): filterable, with the whole log as CSV. */
export function AuditPage() {
  const isAdmin = useCan('admin');
  const [entries, setEntries] = useState<AuditEntry[]>();
  const [error, setError] = useState<string>();
  const [filter, setFilter] = useState('');
  useEffect(() => {
    if (!isAdmin) return;
    loadAll().then(setEntries, (e: unknown) => setError(e instanceof ApiFailure ? e.describe() : String(e)));
  }, [isAdmin]);

  if (!isAdmin)
    return (
      <section>
        <h1>Audit log</h1>
        <p>Only an admin can read the audit log.</p>
      </section>
    );
  const needle = filter.trim().toLowerCase();
  const shown = entries?.filter((e) => !needle || [e.actor, e.action, e.subject, e.detail ?? ''].some((v) => v.toLowerCase().includes(needle)));
  return (
    <section>
      <h1>Audit log</h1>
      <p>Who changed connections, users and migrations, and who started, stopped, undid, reset and verified runs. Newest first; times in your time zone.</p>
      <div className="toolbar">
        <label>
          Filter by text <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="user, action or subject" />
        </label>
        <a className="button" href="/api/audit.csv" download>
          Download as CSV
        </a>
      </div>
      <ErrorNote error={error} />
      {shown && shown.length === 0 && <Empty>{entries?.length ? 'No entry matches the filter.' : 'Nothing recorded yet.'}</Empty>}
      {shown && shown.length > 0 && (
        <table>
          <caption className="visually-hidden">Audit entries</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Subject</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((e) => (
              <tr key={e.id}>
                <td>
                  <time dateTime={e.at}>{formatTime(e.at)}</time>
                </td>
                <td>{e.actor}</td>
                <td>{e.action}</td>
                <td>{e.subject}</td>
                <td>{e.detail ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
