import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import pRetry from 'p-retry';
import { ConnectorError, isRetriable, type ErrorKind } from './errors.js';
import { redact } from './redact.js';

/**
 * The one HTTP client connectors use: global fetch plus a cookie jar,
 * retries with backoff (honouring Retry-After) on 429 / 5xx / network
 * failures, a per-attempt timeout, and failures mapped to ConnectorError
 * kinds with secrets redacted from every message.
 */

export type QueryValue = string | number | boolean | undefined | null;
export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

export interface HttpClientOptions {
  /** Sent as User-Agent on every request: 'Ferry/0.1.0'. */
  userAgent: string;
  /** Values that must never appear in an error message or log line. */
  secrets?: readonly string[];
  /** Extra attempts after the first on retriable failures. Default 4. */
  retries?: number;
  /** First backoff delay; doubles per attempt. Default 500 ms. */
  minRetryDelayMs?: number;
  /** Cap for one backoff delay and for a server's Retry-After. Default 30 s. */
  maxRetryDelayMs?: number;
  /** Limit for one attempt (headers and body). Default 5 minutes; 0: none. */
  timeoutMs?: number;
  /** Replaces global fetch (tests). */
  fetch?: typeof globalThis.fetch;
  log?: LogFn;
}

export interface HttpRequest {
  url: string | URL;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  /** Appended to the URL's query string; undefined and null values are left out. */
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /** A function is called again for every attempt (forms with file blobs, streams). */
  body?: RequestBody | (() => RequestBody | Promise<RequestBody>);
  signal: AbortSignal;
  /** false: a single attempt, for writes that must not run twice. Default true. */
  retry?: boolean;
  /** Short words for error messages: 'login', 'upload "Logo.png"'. */
  what?: string;
  /** Overrides the client's per-attempt limit (big downloads); 0: only `signal` limits it. */
  timeoutMs?: number;
}

export type RequestBody = NonNullable<RequestInit['body']>;

export interface DownloadResult {
  bytes: number;
  /** Hex digest when a hash was asked for. */
  digest?: string;
}

/**
 * An HTTP client for one connector session.
 *
 * @example
 * const http = new HttpClient({ userAgent: context.userAgent, secrets: [config.password] });
 * const data = await http.json({ url: 'http://127.0.0.1:8080/api.php', query: { action: 'query', format: 'json' }, signal });
 */
export class HttpClient {
  readonly cookies = new CookieJar();
  private readonly options: Required<Omit<HttpClientOptions, 'log' | 'secrets'>> & Pick<HttpClientOptions, 'log'>;
  private readonly secrets: string[];
  /** Origins that answered once: a refused connection there is an outage, not a wrong URL. */
  private readonly reached = new Set<string>();

  constructor(options: HttpClientOptions) {
    this.options = {
      retries: 4,
      minRetryDelayMs: 500,
      maxRetryDelayMs: 30_000,
      timeoutMs: 300_000,
      fetch: globalThis.fetch,
      ...options,
    };
    this.secrets = [...(options.secrets ?? [])];
  }

  /**
   * Adds values to redact, e.g. a session token learnt at login.
   *
   * @example
   * http.addSecret(sessionToken);
   */
  addSecret(value: string): void {
    this.secrets.push(value);
  }

  /**
   * Sends a request and hands the successful response to `read`, inside the
   * retry loop: a `read` that throws a retriable ConnectorError (an API that
   * reports "try again" in a 200 body) is retried like a 503.
   *
   * @example
   * const text = await http.send({ url, signal }, (res) => res.text());
   */
  async send<T>(request: HttpRequest, read: (response: Response) => Promise<T>): Promise<T> {
    const attempt = async (): Promise<T> => {
      const response = await this.fetchOnce(request);
      try {
        return await read(response);
      } catch (error) {
        throw this.wrap(error, request);
      } finally {
        // An unread body keeps the socket busy; a read one makes this a no-op.
        await response.body?.cancel().catch(() => undefined);
      }
    };
    if (request.retry === false) return attempt();
    return pRetry(attempt, {
      retries: this.options.retries,
      minTimeout: this.options.minRetryDelayMs,
      maxTimeout: this.options.maxRetryDelayMs,
      randomize: true,
      signal: request.signal,
      shouldRetry: ({ error }) => error instanceof ConnectorError && isRetriable(error.kind),
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        if (!(error instanceof ConnectorError) || !isRetriable(error.kind) || retriesLeft === 0) return;
        this.options.log?.('debug', `attempt ${attemptNumber} failed (${error.kind}): ${error.message}`);
        if (error.retryAfterMs !== undefined) {
          await sleep(Math.min(error.retryAfterMs, this.options.maxRetryDelayMs), request.signal);
        }
      },
    });
  }

  /**
   * Sends a request and parses a JSON answer (kind 'data' when it is not JSON).
   *
   * @example
   * const info = await http.json({ url: apiUrl, query: { action: 'query', meta: 'siteinfo', format: 'json' }, signal });
   */
  async json(request: HttpRequest): Promise<unknown> {
    return this.send(request, async (response) => {
      const text = await response.text();
      try {
        return JSON.parse(text) as unknown;
      } catch (cause) {
        throw new ConnectorError(`${describe(request)} answered with something that is not JSON: ${snippet(text)}`, {
          kind: 'data',
          cause,
        });
      }
    });
  }

  /**
   * Sends a request and returns the body as text.
   *
   * @example
   * const html = await http.text({ url: 'http://127.0.0.1:8080/', signal });
   */
  async text(request: HttpRequest): Promise<string> {
    return this.send(request, (response) => response.text());
  }

  /**
   * Streams a response body into a file (never whole in memory), hashing on
   * the way when asked.
   *
   * @example
   * const { bytes, digest } = await http.download({ url, signal }, { path: '/tmp/x.png', hash: 'sha1' });
   */
  async download(request: HttpRequest, target: { path: string; hash?: 'sha1' | 'sha256' }): Promise<DownloadResult> {
    return this.send(request, async (response) => {
      if (!response.body) throw new ConnectorError(`${describe(request)} returned no body`, { kind: 'transient' });
      const hasher = target.hash ? createHash(target.hash) : undefined;
      let bytes = 0;
      const tap = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          hasher?.update(chunk);
          done(null, chunk);
        },
      });
      const source = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
      await pipeline(source, tap, createWriteStream(target.path), { signal: request.signal });
      return hasher ? { bytes, digest: hasher.digest('hex') } : { bytes };
    });
  }

  private async fetchOnce(request: HttpRequest): Promise<Response> {
    request.signal.throwIfAborted();
    const url = buildUrl(request.url, request.query);
    const limit = request.timeoutMs ?? this.options.timeoutMs;
    const timeout = limit > 0 ? AbortSignal.timeout(limit) : undefined;
    const signal = timeout ? AbortSignal.any([request.signal, timeout]) : request.signal;
    const headers = new Headers(request.headers);
    // A caller may speak for someone else (WordPress stores the User-Agent of a comment's writer); even an empty one.
    if (!headers.has('user-agent')) headers.set('user-agent', this.options.userAgent);
    const cookie = this.cookies.header(url);
    if (cookie) headers.set('cookie', cookie);
    const epoch = this.cookies.epoch;
    const body = typeof request.body === 'function' ? await request.body() : request.body;
    let response: Response;
    try {
      response = await this.options.fetch(url, { method: request.method ?? 'GET', headers, body, signal, redirect: 'follow' });
    } catch (error) {
      if (request.signal.aborted) throw request.signal.reason ?? error;
      if (timeout?.aborted) {
        throw new ConnectorError(`${describe(request)} got no answer within ${limit / 1000} s`, {
          kind: 'transient',
          cause: error,
        });
      }
      throw this.networkError(error, request, url);
    }
    this.reached.add(url.origin);
    this.cookies.store(url, response.headers.getSetCookie(), epoch);
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    throw this.statusError(response, text, request);
  }

  private networkError(error: unknown, request: HttpRequest, url: URL): ConnectorError {
    const code = errorCode(error);
    const detail = code ?? causeMessage(error);
    // fetch refuses some ports outright ("bad port"): no retry will change that.
    const unreachable = code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ECONNREFUSED' || detail === 'bad port';
    if (unreachable && !this.reached.has(url.origin)) {
      return new ConnectorError(this.clean(`Cannot reach ${url.origin} (${detail}) during ${describe(request)}`), {
        kind: 'config',
        hint: 'Is the URL right and the server running?',
        cause: error,
      });
    }
    return new ConnectorError(this.clean(`Network failure during ${describe(request)}: ${detail}`), {
      kind: 'transient',
      cause: error,
    });
  }

  private statusError(response: Response, body: string, request: HttpRequest): ConnectorError {
    const kind = kindForStatus(response.status);
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    const message = this.clean(`${describe(request)} failed: HTTP ${response.status} ${response.statusText} ${snippet(body)}`.trim());
    const hint =
      kind === 'auth' ? 'Check the credentials and the rights of the account.' : kind === 'not_found' ? 'Check the URL.' : undefined;
    return new ConnectorError(message, { kind, hint, retryAfterMs });
  }

  private wrap(error: unknown, request: HttpRequest): unknown {
    if (error instanceof ConnectorError) {
      const message = this.clean(error.message);
      if (message === error.message) return error;
      return new ConnectorError(message, { kind: error.kind, hint: error.hint, retryAfterMs: error.retryAfterMs, cause: error.cause });
    }
    if (request.signal.aborted) return error;
    const text = error instanceof Error ? error.message : String(error);
    return new ConnectorError(this.clean(`${describe(request)} failed while reading the answer: ${text}`), {
      kind: 'transient',
      cause: error,
    });
  }

  private clean(text: string): string {
    return redact(text, this.secrets);
  }
}

/**
 * Maps an HTTP status to the error kind the engine's retry policy reads.
 *
 * @example
 * kindForStatus(503); // => 'transient'
 */
export function kindForStatus(status: number): ErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404 || status === 410) return 'not_found';
  if (status === 408) return 'transient';
  if (status === 409 || status === 412) return 'conflict';
  if (status === 413) return 'too_large';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'transient';
  return 'data';
}

/**
 * Retry-After in milliseconds (seconds or an HTTP date), or undefined.
 *
 * @example
 * parseRetryAfter('120'); // => 120000
 */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function buildUrl(base: string | URL, query: Record<string, QueryValue> | undefined): URL {
  const url = new URL(base);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
  }
  return url;
}

function describe(request: HttpRequest): string {
  if (request.what) return request.what;
  const url = new URL(request.url);
  return `${request.method ?? 'GET'} ${url.origin}${url.pathname}`;
}

function snippet(text: string): string {
  const flat = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

function errorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const record = current as { code?: unknown; cause?: unknown; errors?: unknown[] };
    if (typeof record.code === 'string' && record.code.startsWith('E')) return record.code;
    const nested = Array.isArray(record.errors) ? errorCode(record.errors[0]) : undefined;
    if (nested) return nested;
    current = record.cause;
  }
  return undefined;
}

function causeMessage(error: unknown): string {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done(): void {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort(): void {
      clearTimeout(timer);
      reject(signal.reason);
    }
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

interface Cookie {
  name: string;
  value: string;
  domain: string;
  hostOnly: boolean;
  path: string;
  expiresAt?: number;
  secure: boolean;
}

/**
 * A minimal RFC 6265 cookie jar: enough for login sessions (MediaWiki,
 * WordPress), not a browser. Cookies are kept in memory only.
 *
 * @example
 * const jar = new CookieJar();
 * jar.store(new URL('http://wiki/api.php'), ['wiki_session=abc; path=/; HttpOnly']);
 * jar.header(new URL('http://wiki/api.php')); // => 'wiki_session=abc'
 */
export class CookieJar {
  private readonly cookies = new Map<string, Cookie>();
  private epochValue = 0;

  /** Changes on every `clear()`: a new session starts. */
  get epoch(): number {
    return this.epochValue;
  }

  /**
   * Stores a response's cookies. With `sentAt` (the epoch when the request
   * left), a response to a request from before the last `clear()` is ignored:
   * it belongs to the old session and would overwrite the new one's cookie.
   */
  store(url: URL, setCookieHeaders: readonly string[], sentAt?: number): void {
    if (sentAt !== undefined && sentAt !== this.epochValue) return;
    for (const header of setCookieHeaders) {
      const cookie = parseSetCookie(header, url);
      if (!cookie) continue;
      const id = `${cookie.domain}|${cookie.path}|${cookie.name}`;
      if (cookie.expiresAt !== undefined && cookie.expiresAt <= Date.now()) this.cookies.delete(id);
      else this.cookies.set(id, cookie);
    }
  }

  /** The Cookie header for a request to `url`, or undefined when none match. */
  header(url: URL): string | undefined {
    const now = Date.now();
    const host = url.hostname.toLowerCase();
    const matching = [...this.cookies.values()].filter(
      (c) =>
        (c.expiresAt === undefined || c.expiresAt > now) &&
        (!c.secure || url.protocol === 'https:') &&
        (c.hostOnly ? host === c.domain : host === c.domain || host.endsWith(`.${c.domain}`)) &&
        pathMatches(url.pathname, c.path),
    );
    if (matching.length === 0) return undefined;
    matching.sort((a, b) => b.path.length - a.path.length);
    return matching.map((c) => `${c.name}=${c.value}`).join('; ');
  }

  clear(): void {
    this.cookies.clear();
    this.epochValue++;
  }
}

function parseSetCookie(header: string, url: URL): Cookie | undefined {
  const [pair, ...attributes] = header.split(';');
  const eq = pair?.indexOf('=') ?? -1;
  if (!pair || eq <= 0) return undefined;
  const cookie: Cookie = {
    name: pair.slice(0, eq).trim(),
    value: pair.slice(eq + 1).trim(),
    domain: url.hostname.toLowerCase(),
    hostOnly: true,
    path: defaultPath(url.pathname),
    secure: false,
  };
  for (const attribute of attributes) {
    const [rawKey = '', ...rest] = attribute.split('=');
    const key = rawKey.trim().toLowerCase();
    const value = rest.join('=').trim();
    if (key === 'domain' && value) {
      cookie.domain = value.replace(/^\./, '').toLowerCase();
      cookie.hostOnly = false;
    } else if (key === 'path' && value.startsWith('/')) cookie.path = value;
    else if (key === 'secure') cookie.secure = true;
    else if (key === 'max-age' && /^-?\d+$/.test(value)) cookie.expiresAt = Date.now() + Number(value) * 1000;
    else if (key === 'expires' && cookie.expiresAt === undefined) {
      const at = Date.parse(value);
      if (!Number.isNaN(at)) cookie.expiresAt = at;
    }
  }
  return cookie;
}

function defaultPath(pathname: string): string {
  const last = pathname.lastIndexOf('/');
  return last <= 0 ? '/' : pathname.slice(0, last);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}
