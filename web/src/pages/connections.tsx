import { useState } from 'react';
import { api, seg } from '../api.js';
import { useCan } from '../session.js';
import { Empty, ErrorNote, formatTime, useAction, useApi } from '../ui.js';
import type { Connection, ConnectionWithInventory, Identity, Inventory, Platform } from '../components/connection-api.js';
import { IdentityView, InventoryView } from '../components/connection-details.js';
import { ConnectionForm } from '../components/connection-form.js';
import { RemoveConnectionDialog } from '../components/connection-remove.js';

/**
 * The instances Ferry moves between: list them (never a secret), add one
 * (admins), check it (the identity it reached), discover it (the inventory),
 * remove it (admins, after a confirmation).
 */
export function ConnectionsPage() {
  const list = useApi<Connection[]>('/api/connections');
  const platforms = useApi<Platform[]>('/api/platforms');
  const isAdmin = useCan('admin');
  const isOperator = useCan('operator');
  const [adding, setAdding] = useState(false);
  const [selected, setSelected] = useState<string>();
  const [removing, setRemoving] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const detail = useApi<ConnectionWithInventory>(selected ? `/api/connections/${seg(selected)}` : null);
  const action = useAction();
  const removal = useAction();
  const labels = Object.fromEntries((platforms.data ?? []).flatMap((p) => p.objectTypes.map((t) => [t.name, t.label])));

  const refresh = async (name?: string) => {
    await list.reload();
    if (name && name === selected) await detail.reload();
  };
  const check = async (name: string) => {
    setSelected(name);
    const identity = await action.run(() => api.post<Identity>(`/api/connections/${seg(name)}/check`));
    if (identity) setNotice(`Checked "${name}": reached ${identity.siteName} (${identity.platform} ${identity.version}) as ${identity.account}.`);
    await refresh(name);
  };
  const discover = async (name: string) => {
    setSelected(name);
    const inventory = await action.run(() => api.post<Inventory>(`/api/connections/${seg(name)}/discover`));
    if (inventory) setNotice(`Took the inventory of "${name}": ${inventory.types.map((t) => `${t.count} ${labels[t.type] ?? t.type}`).join(', ')}.`);
    await refresh(name);
  };
  const remove = async () => {
    if (!removing) return;
    const done = await removal.run(async () => {
      await api.del(`/api/connections/${seg(removing)}`);
      return true;
    });
    if (!done) return;
    setNotice(`Removed the connection "${removing}".`);
    if (selected === removing) setSelected(undefined);
    setRemoving(undefined);
    await list.reload();
  };

  return (
    <section>
      <h1>Connections</h1>
      <p>The instances Ferry reads from and writes to. Secrets are stored encrypted and never shown.</p>
      <div className="toolbar">
        {isAdmin ? (
          !adding && (
            <button type="button" className="primary" onClick={() => setAdding(true)}>
              Add a connection
            </button>
          )
        ) : (
          <p className="help">Only an admin can add or remove connections{isOperator ? '; you can check and discover them.' : '.'}</p>
        )}
      </div>
      {isAdmin && adding && (
        <ConnectionForm
          onCancel={() => setAdding(false)}
          onSaved={(name, identity) => {
            setAdding(false);
            setSelected(name);
            setNotice(`Saved "${name}": reached ${identity.siteName} (${identity.platform} ${identity.version}) as ${identity.account}.`);
            void refresh(name);
          }}
        />
      )}
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      <ErrorNote error={list.error ?? action.error} />
      {list.data && list.data.length === 0 && <Empty>No connection yet. {isAdmin ? 'Add one with "Add a connection": the source and the target of a migration are both connections.' : 'Ask an admin to add the source and the target.'}</Empty>}
      {list.data && list.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Platform</th>
              <th scope="col">URL</th>
              <th scope="col">Account</th>
              <th scope="col">Site</th>
              <th scope="col">Checked</th>
              <th scope="col">Inventory</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((c) => (
              <tr key={c.name} aria-current={c.name === selected ? 'true' : undefined}>
                <td>
                  <button type="button" className="link" onClick={() => setSelected(c.name)}>
                    {c.name}
                  </button>
                </td>
                <td>{c.platform}</td>
                <td>{String(c.config.url ?? '')}</td>
                <td>{c.identity?.account ?? String(c.config.username ?? '')}</td>
                <td>{c.identity?.siteName ?? '—'}</td>
                <td>{formatTime(c.checkedAt)}</td>
                <td>{c.discoveredAt ? formatTime(c.discoveredAt) : 'never taken'}</td>
                <td className="actions">
                  <button type="button" disabled={!isOperator || action.busy} title={isOperator ? undefined : 'Checking needs the operator role'} onClick={() => void check(c.name)} aria-label={`Check ${c.name}`}>
                    Check
                  </button>{' '}
                  <button type="button" disabled={!isOperator || action.busy} title={isOperator ? undefined : 'Discovering needs the operator role'} onClick={() => void discover(c.name)} aria-label={`Discover ${c.name}`}>
                    Discover
                  </button>{' '}
                  {isAdmin && (
                    <button type="button" className="danger" onClick={() => { removal.clear(); setRemoving(c.name); }} aria-label={`Remove ${c.name}`}>
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {action.busy && <p role="status">Talking to the instance…</p>}
      {selected && detail.data && (
        <section className="card" aria-labelledby="connection-detail">
          <h2 id="connection-detail">{detail.data.name}</h2>
          {detail.data.identity ? <IdentityView identity={detail.data.identity} checkedAt={detail.data.checkedAt} /> : <p>Not checked yet.</p>}
          <h3>Inventory</h3>
          {detail.data.inventory ? <InventoryView inventory={detail.data.inventory} discoveredAt={detail.data.discoveredAt} labels={labels} /> : <Empty>No inventory yet. "Discover" counts what the instance holds.</Empty>}
        </section>
      )}
      <RemoveConnectionDialog name={removing} busy={removal.busy} error={removal.error} onConfirm={() => void remove()} onClose={() => setRemoving(undefined)} />
    </section>
  );
}
