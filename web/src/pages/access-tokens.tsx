import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { Empty, ErrorNote, formatTime, useAction, useApi } from '../ui.js';

interface TokenRow {
  id: number;
  label: string;
  createdAt: string;
}

/** Your API tokens: create one (shown once, with a copy button), list them by label, revoke one. */
export function TokenList() {
  const tokens = useApi<TokenRow[]>('/api/tokens');
  const [label, setLabel] = useState('');
  const [created, setCreated] = useState<{ label: string; token: string }>();
  const [copied, setCopied] = useState(false);
  const action = useAction();

  const create = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await action.run(() => api.post<{ id: number; label: string; token: string }>('/api/tokens', { label }));
    if (!answer) return;
    setCreated(answer);
    setCopied(false);
    setLabel('');
    await tokens.reload();
  };
  const copy = async () => {
    if (!created) return;
    await navigator.clipboard.writeText(created.token).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  const revoke = async (id: number) => {
    await action.run(() => api.del(`/api/tokens/${id}`));
    await tokens.reload();
  };

  return (
    <section aria-labelledby="tokens-title">
      <h2 id="tokens-title">Your API tokens</h2>
      <p>A token lets a script call the API as you, with your role (Authorization: Bearer). Only a hash of it is kept.</p>
      <form className="toolbar" onSubmit={(e) => void create(e)}>
        <label>
          Label for a new token <input value={label} onChange={(e) => setLabel(e.target.value)} required maxLength={100} placeholder="nightly sync" />
        </label>
        <button type="submit" disabled={action.busy}>
          Create a token
        </button>
      </form>
      {created && (
        <div className="card token-once" role="status">
          <p>
            <strong>The token "{created.label}":</strong> copy it now. <strong>It will not be shown again.</strong>
          </p>
          <p>
            <code className="token">{created.token}</code>{' '}
            <button type="button" onClick={() => void copy()}>
              {copied ? 'Copied' : 'Copy'}
            </button>{' '}
            <button type="button" onClick={() => setCreated(undefined)}>
              Done, hide it
            </button>
          </p>
        </div>
      )}
      <ErrorNote error={tokens.error ?? action.error} />
      {tokens.data && tokens.data.length === 0 && <Empty>No API token yet. Create one above for a script.</Empty>}
      {tokens.data && tokens.data.length > 0 && (
        <table>
          <caption className="visually-hidden">Your API tokens</caption>
          <thead>
            <tr>
              <th scope="col">Label</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((t) => (
              <tr key={t.id}>
                <td>{t.label}</td>
                <td>{formatTime(t.createdAt)}</td>
                <td>
                  <button type="button" className="danger" onClick={() => void revoke(t.id)} aria-label={`Revoke the token ${t.label}`}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
