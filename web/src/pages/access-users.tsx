import { useState, type FormEvent } from 'react';
import { api, seg } from '../api.js';
import { useSession, type Role } from '../session.js';
import { ErrorNote, formatTime, useAction, useApi } from '../ui.js';

interface UserRow {
  name: string;
  role: Role;
  createdAt: string;
}

const ROLES: Array<{ role: Role; help: string }> = [
  { role: 'viewer', help: 'reads everything, never a secret' },
  { role: 'operator', help: 'also checks connections, saves plans, starts, stops, re-runs, undoes and verifies runs' },
  { role: 'admin', help: 'also adds and removes connections and users, deletes migrations, resets targets' },
];

/** Users and their roles (admins): add, change a role, remove. */
export function UserList() {
  const { user: me } = useSession();
  const users = useApi<UserRow[]>('/api/users');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const [notice, setNotice] = useState<string>();
  const action = useAction();

  const add = async (event: FormEvent) => {
    event.preventDefault();
    const added = await action.run(() => api.post<UserRow>('/api/users', { name, password, role }));
    if (!added) return;
    setNotice(`Added ${added.name} as ${added.role}.`);
    setName('');
    setPassword('');
    await users.reload();
  };
  const change = async (who: string, next: Role) => {
    const changed = await action.run(() => api.patch<UserRow>(`/api/users/${seg(who)}`, { role: next }));
    if (changed) setNotice(`${who} is now ${changed.role}.`);
    await users.reload();
  };
  const remove = async (who: string) => {
    if (!window.confirm(`Remove the user ${who}, with their sessions and API tokens?`)) return;
    const done = await action.run(async () => {
      await api.del(`/api/users/${seg(who)}`);
      return true;
    });
    if (done) setNotice(`Removed ${who}.`);
    await users.reload();
  };

  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <ul className="help">
        {ROLES.map((r) => (
          <li key={r.role}>
            <strong>{r.role}</strong>: {r.help}
          </li>
        ))}
      </ul>
      <ErrorNote error={users.error ?? action.error} />
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      {users.data && (
        <table>
          <caption className="visually-hidden">Users</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Added</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.data.map((u) => (
              <tr key={u.name}>
                <td>{u.name}</td>
                <td>
                  <select aria-label={`Role of ${u.name}`} value={u.role} disabled={u.name === me.name} title={u.name === me.name ? 'Another admin can change your role' : undefined} onChange={(e) => void change(u.name, e.target.value as Role)}>
                    {ROLES.map((r) => (
                      <option key={r.role} value={r.role}>
                        {r.role}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{formatTime(u.createdAt)}</td>
                <td>
                  <button type="button" className="danger" disabled={u.name === me.name} title={u.name === me.name ? 'You cannot remove yourself' : undefined} onClick={() => void remove(u.name)} aria-label={`Remove ${u.name}`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="card form" onSubmit={(e) => void add(e)} aria-labelledby="add-user-title">
        <h3 id="add-user-title">Add a user</h3>
        <label>
          User name
          <input value={name} onChange={(e) => setName(e.target.value)} required autoComplete="off" />
        </label>
        <label>
          Password (at least 12 characters)
          <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={12} autoComplete="new-password" />
        </label>
        <label htmlFor="new-user-role">Role</label>
        <select id="new-user-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r.role} value={r.role}>
                {r.role}
              </option>
            ))}
        </select>
        <button type="submit" className="primary" disabled={action.busy}>
          Add the user
        </button>
      </form>
    </section>
  );
}
