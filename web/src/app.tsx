import { useCallback, useEffect, useState } from 'react';
import { BrowserRouter, NavLink, Navigate, Route, Routes } from 'react-router';
import { api, ApiFailure, onSignedOut, setCsrf } from './api.js';
import { roleReaches, SessionContext, type SessionUser } from './session.js';
import { SignInPage } from './pages/sign-in.js';
import { pages } from './pages/index.js';

interface SessionAnswer {
  user: SessionUser;
  csrf?: string;
}

/** Signs in (or sets up the first admin), then shows the pages with a navigation bar. */
export function App() {
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  const [setupNeeded, setSetupNeeded] = useState(false);

  const load = useCallback(async () => {
    try {
      const s = await api.get<SessionAnswer>('/api/session');
      setCsrf(s.csrf);
      setUser(s.user);
    } catch (error) {
      if (!(error instanceof ApiFailure) || error.status !== 401) throw error;
      const setup = await api.get<{ needed: boolean }>('/api/setup');
      setSetupNeeded(setup.needed);
      setUser(null);
    }
  }, []);

  useEffect(() => {
    void load();
    return onSignedOut(() => setUser(null));
  }, [load]);

  if (user === undefined) return <p className="loading">Loading…</p>;
  if (user === null)
    return (
      <SignInPage
        setup={setupNeeded}
        onSignedIn={(s) => {
          setCsrf(s.csrf);
          setSetupNeeded(false);
          setUser(s.user);
        }}
      />
    );

  const signOut = async () => {
    await api.del('/api/session').catch(() => undefined);
    setCsrf(undefined);
    setUser(null);
  };

  return (
    <SessionContext.Provider value={{ user, signOut }}>
      <BrowserRouter>
        <a className="skip" href="#main">
          Skip to content
        </a>
        <header className="top">
          <span className="brand">Ferry</span>
          <nav aria-label="Main">
            <ul>
              {pages
                .filter((p) => p.nav && (!p.role || roleReaches(user.role, p.role)))
                .map((p) => (
                  <li key={p.path}>
                    <NavLink to={p.path} end={p.path === '/'}>
                      {p.nav}
                    </NavLink>
                  </li>
                ))}
            </ul>
          </nav>
          <span className="who">
            {user.name} ({user.role}){' '}
            <button type="button" className="link" onClick={() => void signOut()}>
              Sign out
            </button>
          </span>
        </header>
        <main id="main">
          <Routes>
            {pages.map((p) => (
              <Route key={p.path} path={p.path} element={<p.component />} />
            ))}
            <Route path="*" element={<Navigate to="/" replace />} />
          </Routes>
        </main>
      </BrowserRouter>
    </SessionContext.Provider>
  );
}
