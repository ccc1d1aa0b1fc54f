import { useState } from 'react';
import { useCan } from '../session.js';
import type { Connection } from './connection-api.js';
import { ConnectionForm } from './connection-form.js';

/** Step 2: choose the source among the saved connections, or add one (admins). */
export function WizardSource({ connections, value, onChange, onAdded }: { connections: Connection[]; value: string; onChange(name: string): void; onAdded(name: string): void }) {
  const isAdmin = useCan('admin');
  const [adding, setAdding] = useState(false);
  return (
    <div>
      <p>Where is the content now? Choose the source connection.</p>
      <fieldset>
        <legend>Source</legend>
        {connections.length === 0 && <p>No connection saved yet.</p>}
        {connections.map((c) => (
          <label key={c.name} className="inline">
            <input type="radio" name="wizard-source" value={c.name} checked={value === c.name} onChange={() => onChange(c.name)} /> {c.name} ({c.platform}, {String(c.config.url ?? '')})
          </label>
        ))}
      </fieldset>
      {isAdmin ? (
        adding ? (
          <ConnectionForm
            onCancel={() => setAdding(false)}
            onSaved={(name) => {
              setAdding(false);
              onAdded(name);
            }}
          />
        ) : (
          <button type="button" onClick={() => setAdding(true)}>
            Add a new connection…
          </button>
        )
      ) : (
        <p className="help">Only an admin can add a connection.</p>
      )}
    </div>
  );
}
