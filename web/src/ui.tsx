import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { api, ApiFailure } from './api.js';

/** Loads `path` from the API; `reload` fetches it again. A null path loads nothing. */
export function useApi<T>(path: string | null): { data: T | undefined; error: string | undefined; loading: boolean; reload(): Promise<void> } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(path !== null);
  const current = useRef(path);
  current.current = path;
  const reload = useCallback(async () => {
    if (path === null) return;
    setLoading(true);
    try {
      const value = await api.get<T>(path);
      if (current.current === path) {
        setData(value);
        setError(undefined);
      }
    } catch (e) {
      if (current.current === path) setError(e instanceof ApiFailure ? e.describe() : String(e));
    } finally {
      if (current.current === path) setLoading(false);
    }
  }, [path]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, loading, reload };
}

/**
 * Server-sent events from `path` (same origin, with the session cookie):
 * `handlers[event]` is called with each message's parsed data. The browser
 * reconnects by itself when the connection drops.
 */
export function useEventStream(path: string | null, handlers: Record<string, (data: unknown) => void>): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    if (!path) return;
    const source = new EventSource(path, { withCredentials: true });
    const names = Object.keys(ref.current);
    const listeners = names.map((name) => {
      const listener = (event: MessageEvent<string>) => ref.current[name]?.(JSON.parse(event.data));
      source.addEventListener(name, listener as EventListener);
      return [name, listener] as const;
    });
    return () => {
      for (const [name, listener] of listeners) source.removeEventListener(name, listener as EventListener);
      source.close();
    };
  }, [path]);
}

/** A date-time in the browser's time zone (the API speaks ISO 8601 UTC). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** A duration in words: "2 min 5 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

const statusClass: Record<string, string> = {
  FINISHED: 'ok', SUCCESS: 'ok', Success: 'ok', DONE: 'ok', EQUAL: 'ok',
  RUNNING: 'running', Running: 'running', READY: 'pending', Pending: 'pending', PENDING: 'pending',
  STOPPED: 'warn', INCOMPLETE: 'warn', SKIPPED: 'muted', Skipped: 'muted', CANCELLED: 'muted', TIMED_OUT: 'warn',
  FAILED: 'bad', Error: 'bad', ERROR: 'bad',
};

/** A status as a coloured badge with its word (colour is never the only sign). */
export function StatusBadge({ status }: { status: string | null | undefined }) {
  const s = status ?? 'never run';
  return <span className={`badge ${statusClass[s] ?? 'muted'}`}>{s.replace(/_/g, ' ')}</span>;
}

/** A labelled progress bar (done of total), with an optional ETA text. */
export function ProgressBar({ label, done, total, eta }: { label: string; done: number; total: number; eta?: string | undefined }) {
  const percent = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0;
  return (
    <div className="progress">
      <div role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={total} aria-valuenow={done} className="bar">
        <div className="fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="progress-text">
        {done} / {total}
        {eta ? ` · ${eta}` : ''}
      </span>
    </div>
  );
}

/** An error message in words, announced to screen readers. */
export function ErrorNote({ error }: { error: string | undefined }) {
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {error}
    </p>
  );
}

/** What to do when a list is empty. */
export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/** Runs an API action, keeping its error and busy state for the button that started it. */
export function useAction(): { busy: boolean; error: string | undefined; run<T>(action: () => Promise<T>): Promise<T | undefined>; clear(): void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  return {
    busy,
    error,
    clear: () => setError(undefined),
    async run<T>(action: () => Promise<T>) {
      setBusy(true);
      setError(undefined);
      try {
        return await action();
      } catch (e) {
        setError(e instanceof ApiFailure ? e.describe() : String(e));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
  };
}
