import { formatTime } from '../ui.js';
import { ageText, INVENTORY_MAX_AGE_HOURS, type Identity, type Inventory } from './connection-api.js';

/** What a check reached: the instance's name, platform, version, host, account and rights. */
export function IdentityView({ identity, checkedAt }: { identity: Identity; checkedAt?: string | null }) {
  const rows: Array<[string, string]> = [
    ['Site', identity.siteName],
    ['Platform', `${identity.platform} ${identity.version}`],
    ['Host', identity.host],
    ['Account', identity.account],
    ['Rights', identity.rights.join(', ') || 'none reported'],
    ...(identity.instanceId ? ([['Instance ID', identity.instanceId]] as Array<[string, string]>) : []),
    ...Object.entries(identity.details ?? {}).map(([k, v]): [string, string] => [k, String(v)]),
    ...(checkedAt ? ([['Checked', formatTime(checkedAt)]] as Array<[string, string]>) : []),
  ];
  return (
    <dl className="facts" aria-label={`Identity of ${identity.siteName}`}>
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The inventory: items per type, what Ferry does not carry, and how old it is. */
export function InventoryView({ inventory, discoveredAt, labels = {} }: { inventory: Inventory; discoveredAt: string | null; labels?: Record<string, string> }) {
  const age = discoveredAt ? ageText(discoveredAt) : undefined;
  const stale = age !== undefined && age.hours > INVENTORY_MAX_AGE_HOURS;
  return (
    <div>
      {discoveredAt && age && (
        <p className={stale ? 'warning' : 'help'}>
          Inventory taken {formatTime(discoveredAt)} ({age.text}){stale ? ': stale.' : '.'} A run's pre-checks warn when it is older than {INVENTORY_MAX_AGE_HOURS} h (the plan's inventoryMaxAgeHours); discover again to refresh it.
        </p>
      )}
      <table>
        <caption className="visually-hidden">Items per type</caption>
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Count</th>
            <th scope="col">Last change</th>
          </tr>
        </thead>
        <tbody>
          {inventory.types.map((t) => (
            <tr key={t.type}>
              <td>{labels[t.type] ?? t.type}</td>
              <td>{t.count}</td>
              <td>{formatTime(t.lastModified)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {inventory.notCarried && inventory.notCarried.length > 0 ? (
        <>
          <h3>What Ferry does not carry</h3>
          <ul>
            {inventory.notCarried.map((n) => (
              <li key={n.kind}>
                <strong>
                  {n.label}: {n.count}
                </strong>
                {n.examples.length > 0 ? ` (e.g. ${n.examples.join(', ')})` : ''}. {n.reason}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p>Ferry carries everything this inventory found.</p>
      )}
    </div>
  );
}
