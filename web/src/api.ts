/**
 * The dashboard's one way to the REST API: same-origin fetch with the
 * session cookie, the CSRF token on every write, and errors turned into
 * ApiFailure with the server's message, field and hint.
 */

export interface ErrorBody {
  error: string;
  field?: string;
  hint?: string;
  details?: string[];
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.error);
    this.name = 'ApiFailure';
  }

  /** The message, its hint and details as one text a person reads. */
  describe(): string {
    return [this.body.error, this.body.hint ? `(${this.body.hint})` : '', ...(this.body.details && this.body.details.length > 1 ? this.body.details : [])].filter(Boolean).join(' ');
  }
}

let csrf: string | undefined;
/** Called with the session's CSRF token when signing in or reading the session. */
export function setCsrf(token: string | undefined): void {
  csrf = token;
}

/** Listeners told when the server says the session is gone (401), so the app shows the sign-in page. */
const signedOutListeners = new Set<() => void>();
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch {
    throw new ApiFailure(0, { error: 'Ferry does not answer', hint: 'is `ferry serve` still running?' });
  }
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  const payload: unknown = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    const error: ErrorBody = typeof payload === 'object' && payload !== null && 'error' in payload ? (payload as ErrorBody) : { error: `${response.status} ${response.statusText}` };
    if (response.status === 401 && !path.startsWith('/api/session') && !path.startsWith('/api/setup')) for (const l of signedOutListeners) l();
    throw new ApiFailure(response.status, error);
  }
  return payload as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body ?? {}),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, body ?? {}),
  del: <T>(path: string, body?: unknown) => request<T>('DELETE', path, body),
};

/** Path segment escaping for names in URLs. */
export const seg = (value: string | number): string => encodeURIComponent(String(value));
