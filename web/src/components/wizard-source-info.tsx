import { useEffect, useState } from 'react';
import { api, seg } from '../api.js';
import { ErrorNote, useAction } from '../ui.js';
import type { Identity, Inventory } from './connection-api.js';
import { IdentityView, InventoryView } from './connection-details.js';

/** Step 3: checks the source and takes its inventory, so the person sees it is the instance they mean. */
export function WizardSourceInfo({ source, labels, onReady }: { source: string; labels: Record<string, string>; onReady(ok: boolean): void }) {
  const [identity, setIdentity] = useState<Identity>();
  const [inventory, setInventory] = useState<{ inventory: Inventory; at: string }>();
  const action = useAction();
  useEffect(() => {
    onReady(false);
    void action.run(async () => {
      setIdentity(await api.post<Identity>(`/api/connections/${seg(source)}/check`));
      const taken = await api.post<Inventory>(`/api/connections/${seg(source)}/discover`);
      setInventory({ inventory: taken, at: new Date().toISOString() });
      onReady(true);
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [source]);
  return (
    <div aria-busy={action.busy}>
      {action.busy && <p role="status">Checking "{source}" and counting what it holds…</p>}
      <ErrorNote error={action.error} />
      {identity && (
        <>
          <h3>The instance</h3>
          <IdentityView identity={identity} />
        </>
      )}
      {inventory && (
        <>
          <h3>What it holds</h3>
          <InventoryView inventory={inventory.inventory} discoveredAt={inventory.at} labels={labels} />
          <p>Is this the source you mean? Then go on to the options.</p>
        </>
      )}
    </div>
  );
}
