import { useState, type FormEvent } from 'react';
import { api, ApiFailure } from '../api.js';
import type { SessionUser } from '../session.js';

interface Props {
  /** No user exists yet: ask for the setup token `ferry serve` printed and create the first admin. */
  setup: boolean;
  onSignedIn(session: { user: SessionUser; csrf: string }): void;
}

export function SignInPage({ setup, onSignedIn }: Props) {
  const [token, setToken] = useState('');
  const [name, setName] = useState(setup ? 'admin' : '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const session = setup
        ? await api.post<{ user: SessionUser; csrf: string }>('/api/setup', { token: token.trim(), name, password })
        : await api.post<{ user: SessionUser; csrf: string }>('/api/session', { name, password });
      onSignedIn(session);
    } catch (e) {
      setError(e instanceof ApiFailure ? e.describe() : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <h1>Ferry</h1>
      <p>{setup ? 'Welcome. Create the first administrator with the one-time setup token that `ferry serve` printed on its console.' : 'Sign in to see and run migrations.'}</p>
      <form onSubmit={(e) => void submit(e)} className="card form">
        <h2>{setup ? 'Set up Ferry' : 'Sign in'}</h2>
        {setup && (
          <label>
            Setup token
            <input name="token" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" required />
          </label>
        )}
        <label>
          User name
          <input name="name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="username" required />
        </label>
        <label>
          Password{setup ? ' (at least 12 characters)' : ''}
          <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete={setup ? 'new-password' : 'current-password'} required />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {setup ? 'Create administrator and sign in' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
