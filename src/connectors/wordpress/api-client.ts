import { appendFileSync, openAsBlob } from 'node:fs';
import { z } from 'zod';
import { ConnectorError } from '../../sdk/errors.js';
import type { HttpClient, LogFn, QueryValue } from '../../sdk/http.js';
import { remapWpError } from './api-errors.js';
import { restRootCandidates, restRootFromLinkHeader, type RestStyle, type WordPressConfig } from './config.js';

/**
 * The WordPress REST API of one site: finds its root, authenticates every
 * call with the Application Password (HTTP Basic), reads paged lists with
 * X-WP-TotalPages, and turns WordPress's error answers into ConnectorErrors
 * of the right kind.
 */

/** What the REST index (`/wp-json/`) says about the site. */
export interface RestIndex {
  name: string;
  description: string;
  /** siteurl: where WordPress's files are. */
  url: string;
  /** home: the public address of the site; links are made from it. */
  home: string;
  gmtOffset: number;
  timezone: string;
  namespaces: string[];
  applicationPasswords: boolean;
  /**
   * Most requests one call of the batch endpoint (`/batch/v1`, WordPress 5.6+)
   * takes, from the route's schema in the index (the same schema OPTIONS
   * /batch/v1 answers with; 25 unless a plugin changes it); 0 without it.
   */
  batchMax: number;
}

/** One request inside a `/batch/v1` call, and its answer. */
export interface BatchRequest {
  method: 'POST' | 'PUT' | 'DELETE';
  /** A route with its query, e.g. `/wp/v2/tags?context=edit`. */
  path: string;
  body: Record<string, unknown>;
}
export interface BatchAnswer {
  status: number;
  body: unknown;
}

const batchAnswerSchema = z.object({ responses: z.array(z.object({ status: z.number(), body: z.unknown() })) });

/** requests.maxItems of /batch/v1's POST endpoint in the REST index's routes; 0 when there is none. */
export function batchMaxOf(routes: unknown): number {
  const route = (routes as Record<string, { endpoints?: Array<{ methods?: string[]; args?: { requests?: { maxItems?: unknown } } }> } | undefined> | undefined)?.['/batch/v1'];
  for (const endpoint of route?.endpoints ?? []) {
    const max = endpoint.args?.requests?.maxItems;
    if ((endpoint.methods ?? []).includes('POST') && typeof max === 'number' && Number.isInteger(max) && max > 0) return max;
  }
  return 0;
}

const indexSchema = z.object({
  name: z.string().default(''),
  description: z.string().default(''),
  url: z.string().default(''),
  home: z.string().default(''),
  gmt_offset: z.union([z.number(), z.string()]).default(0),
  timezone_string: z.string().default(''),
  namespaces: z.array(z.string()).default([]),
  authentication: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).default({}),
  routes: z.unknown().optional(),
});

export interface CallOptions {
  signal: AbortSignal;
  query?: Record<string, QueryValue | readonly (string | number)[]>;
  /** Short words for error messages: 'creating post "hello"'. */
  what?: string;
  /** false for creates that must not run twice (the engine's lookup repairs an unsure create). */
  retry?: boolean;
  /**
   * The User-Agent header to send instead of Ferry's, '' for an empty one:
   * WordPress stores a comment's user agent from the header when the body
   * gives none (or an empty one).
   */
  userAgent?: string;
}

export interface ListPage {
  items: unknown[];
  page: number;
  totalPages: number;
  total: number;
}

export const PER_PAGE = 100;

// ---------------------------------------------------------------- request statistics

/** Set by the benchmark: count and time every REST request by kind, print the table on exit. */
export const REQUEST_STATS_ENV = 'FERRY_WP_REQUEST_STATS';
/** The line prefix of the table's JSON on stderr. */
export const REQUEST_STATS_PREFIX = 'FERRY_WP_REQUESTS ';

export interface RequestStat {
  /** 'POST /wp/v2/posts', 'GET /wp/v2/users?search=' (query keys that are not paging or fields). */
  kind: string;
  site: string;
  count: number;
  ms: number;
}

const requestStats = new Map<string, RequestStat>();
let statsHooked = false;

/** A request's kind: numeric path parts become :id, query keys (without values) beyond paging and _fields are kept. */
export function requestKind(method: string, url: string): string {
  const u = new URL(url);
  const restRoute = u.searchParams.get('rest_route');
  if (restRoute === null && !u.pathname.includes('/wp-json')) return `${method} ${u.pathname.includes('/wp-content/') ? '(file)' : u.pathname}`;
  const route = restRoute ?? u.pathname.replace(/^.*?\/wp-json/, '');
  const path = route.replace(/\/\d+(?=\/|$)/g, '/:id');
  const keys = [...u.searchParams.keys()].filter((k) => !['rest_route', 'page', 'per_page', '_fields', 'context', 'order', 'orderby', 'force'].includes(k)).sort();
  return `${method} ${path}${keys.length > 0 ? `?${keys.map((k) => `${k}=`).join('&')}` : ''}`;
}

/** Set with a file path: every request also appended there as a line (start time ISO, ms, site, kind), to tell the run's phases apart. */
export const REQUEST_TRACE_ENV = 'FERRY_WP_REQUEST_TRACE';

function recordRequest(site: string, method: string, url: string, ms: number): void {
  const kind = requestKind(method, url);
  const trace = process.env[REQUEST_TRACE_ENV];
  if (trace) appendFileSync(trace, `${new Date(Date.now() - ms).toISOString()} ${Math.round(ms)} ${site} ${kind}\n`);
  const key = `${site} ${kind}`;
  const stat = requestStats.get(key) ?? { kind, site, count: 0, ms: 0 };
  stat.count++;
  stat.ms += ms;
  requestStats.set(key, stat);
  if (!statsHooked) {
    statsHooked = true;
    process.once('exit', () => {
      process.stderr.write(`${REQUEST_STATS_PREFIX}${JSON.stringify([...requestStats.values()].map((s) => ({ ...s, ms: Math.round(s.ms) })))}\n`);
    });
  }
}

/** The requests counted so far (empty unless FERRY_WP_REQUEST_STATS is set). */
export function requestStatsSoFar(): RequestStat[] {
  return [...requestStats.values()];
}

export class WpApi {
  readonly userName: string;
  private readonly authorization: string;
  private styleValue: Promise<{ style: RestStyle; index: RestIndex }> | undefined;

  constructor(
    private readonly config: WordPressConfig,
    private readonly http: HttpClient,
    private readonly log: LogFn,
  ) {
    this.userName = config.username;
    const token = Buffer.from(`${config.username}:${config.password}`).toString('base64');
    this.authorization = `Basic ${token}`;
    http.addSecret(token);
    // WordPress shows application passwords in groups of four; both spellings are the secret.
    const compact = config.password.replace(/\s+/g, '');
    if (compact !== config.password) http.addSecret(compact);
  }

  /** The REST root and index, found once per session (a failed search is not kept). */
  async root(signal: AbortSignal): Promise<{ style: RestStyle; index: RestIndex }> {
    this.styleValue ??= this.discover(signal).catch((error: unknown) => {
      this.styleValue = undefined;
      throw error;
    });
    return this.styleValue;
  }

  /** Forgets the REST root and index (check and discover read them afresh). */
  forget(): void {
    this.styleValue = undefined;
  }

  /** GET a route; `query` values that are arrays are sent comma separated, as WordPress reads them. */
  async get(route: string, options: CallOptions): Promise<unknown> {
    const url = await this.url(route, options);
    try {
      return await this.http.json({ url, headers: this.headers(), signal: options.signal, what: options.what ?? `GET ${route}`, ...(options.retry === false ? { retry: false } : {}) });
    } catch (error) {
      throw remapWpError(error, options.what ?? `GET ${route}`);
    }
  }

  /** One page of a collection with its totals. */
  async getPage(route: string, options: CallOptions): Promise<ListPage> {
    const url = await this.url(route, options);
    const what = options.what ?? `GET ${route}`;
    try {
      return await this.http.send({ url, headers: this.headers(), signal: options.signal, what }, async (response) => {
        const text = await response.text();
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch (cause) {
          throw new ConnectorError(`${what} answered with something that is not JSON`, { kind: 'data', cause });
        }
        if (!Array.isArray(body)) throw new ConnectorError(`${what} did not answer with a list`, { kind: 'data' });
        const page = Number(new URL(url).searchParams.get('page') ?? 1);
        const totalPages = Number(response.headers.get('x-wp-totalpages') ?? 1);
        const total = Number(response.headers.get('x-wp-total') ?? body.length);
        return { items: body, page, totalPages: Number.isFinite(totalPages) ? totalPages : 1, total: Number.isFinite(total) ? total : body.length };
      });
    } catch (error) {
      throw remapWpError(error, what);
    }
  }

  /**
   * Every page of a collection from `startPage` on, `per_page=100`. WordPress
   * answers a page past the end with 400 rest_post_invalid_page_number;
   * the total from the first answer keeps us from asking for it.
   */
  async *pages(route: string, options: CallOptions & { startPage?: number }): AsyncGenerator<ListPage> {
    let page = options.startPage ?? 1;
    for (;;) {
      const result = await this.getPage(route, { ...options, query: { per_page: PER_PAGE, ...options.query, page } });
      yield result;
      if (page >= result.totalPages || result.items.length === 0) return;
      page++;
    }
  }

  /** Every item of a collection (for small lists: terms of a post, users for a lookup). */
  async all(route: string, options: CallOptions): Promise<unknown[]> {
    const out: unknown[] = [];
    for await (const page of this.pages(route, options)) out.push(...page.items);
    return out;
  }

  /** POST a JSON body (creates and updates). */
  async post(route: string, body: Record<string, unknown>, options: CallOptions): Promise<unknown> {
    const url = await this.url(route, options);
    const what = options.what ?? `POST ${route}`;
    try {
      return await this.http.json({
        url,
        method: 'POST',
        headers: { ...this.headers(), 'content-type': 'application/json', ...(options.userAgent !== undefined ? { 'user-agent': options.userAgent } : {}) },
        body: JSON.stringify(body),
        signal: options.signal,
        what,
        ...(options.retry === false ? { retry: false } : {}),
      });
    } catch (error) {
      throw remapWpError(error, what);
    }
  }

  /**
   * Several writes in one call of `/batch/v1` ("normal" validation: each
   * request runs on its own, a failed one does not stop the others). Answers
   * in the requests' order. Never retried: a lost answer may hide writes
   * that happened.
   */
  async batch(requests: BatchRequest[], options: CallOptions): Promise<BatchAnswer[]> {
    const answer = await this.post('batch/v1', { validation: 'normal', requests }, { ...options, retry: false });
    const parsed = batchAnswerSchema.safeParse(answer);
    if (!parsed.success || parsed.data.responses.length !== requests.length) {
      throw new ConnectorError(`${options.what ?? 'a batch call'}: /batch/v1 answered with something else than one response per request`, { kind: 'data' });
    }
    return parsed.data.responses.map((r) => ({ status: r.status, body: r.body }));
  }

  async delete(route: string, options: CallOptions): Promise<unknown> {
    const url = await this.url(route, options);
    const what = options.what ?? `DELETE ${route}`;
    try {
      return await this.http.json({ url, method: 'DELETE', headers: this.headers(), signal: options.signal, what });
    } catch (error) {
      throw remapWpError(error, what);
    }
  }

  /**
   * Uploads a file as `multipart/form-data`, streamed from disk, the way the
   * media library does: PHP applies the site's upload limits to it (a raw
   * request body would slip past upload_max_filesize), and Content-MD5 makes
   * WordPress check the bytes it received.
   */
  async upload(route: string, file: { path: string; fileName: string; mime: string; md5: string; fields?: Record<string, string> }, options: CallOptions): Promise<unknown> {
    const url = await this.url(route, options);
    const what = options.what ?? `uploading "${file.fileName}"`;
    try {
      return await this.http.json({
        url,
        method: 'POST',
        headers: { ...this.headers(), 'content-md5': file.md5 },
        body: async () => {
          const form = new FormData();
          for (const [name, value] of Object.entries(file.fields ?? {})) form.append(name, value);
          form.append('file', await openAsBlob(file.path, { type: file.mime }), file.fileName);
          return form;
        },
        signal: options.signal,
        what,
        retry: false,
        timeoutMs: 0,
      });
    } catch (error) {
      throw remapWpError(error, what);
    }
  }

  /** A page of the site itself (not the REST API), e.g. the home page for its generator tag. */
  async page(url: string, signal: AbortSignal): Promise<string> {
    return this.http.text({ url, signal, what: `GET ${url}` });
  }

  private headers(): Record<string, string> {
    return { authorization: this.authorization, accept: 'application/json' };
  }

  private async url(route: string, options: { signal: AbortSignal; query?: CallOptions['query'] }): Promise<string> {
    const { style } = await this.root(options.signal);
    const clean = route.replace(/^\/+/, '');
    const url = style.kind === 'path' ? new URL(`${style.root}${clean}`) : new URL(style.base);
    if (style.kind === 'query') url.searchParams.set('rest_route', `/${clean}`);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value === undefined || value === null) continue;
      url.searchParams.set(key, Array.isArray(value) ? value.join(',') : String(value));
    }
    return url.toString();
  }

  private async discover(signal: AbortSignal): Promise<{ style: RestStyle; index: RestIndex }> {
    const tried: string[] = [];
    const candidates = restRootCandidates(this.config.url);
    for (const style of candidates) {
      const found = await this.tryRoot(style, signal, tried);
      if (found) return found;
    }
    // A site may serve its API elsewhere; its pages say where in a Link header.
    const advertised = await this.http
      .send({ url: this.config.url, method: 'HEAD', signal, what: `reading ${this.config.url}` }, async (response) => restRootFromLinkHeader(response.headers.get('link')))
      .catch((error: unknown) => {
        if (error instanceof ConnectorError && error.kind === 'config') throw error;
        return undefined;
      });
    if (advertised) {
      const style: RestStyle = new URL(advertised).searchParams.has('rest_route') ? { kind: 'query', base: advertised.split('?')[0] ?? advertised } : { kind: 'path', root: advertised.endsWith('/') ? advertised : `${advertised}/` };
      const found = await this.tryRoot(style, signal, tried);
      if (found) return found;
    }
    throw new ConnectorError(`No WordPress REST API found at ${this.config.url} (tried ${tried.join(', ')})`, {
      kind: 'config',
      hint: 'Give the address of a WordPress site (4.7 or later). If it is one, the REST API may be turned off by a security plugin or the web server: /wp-json/ or /?rest_route=/ must answer with JSON.',
    });
  }

  private async tryRoot(style: RestStyle, signal: AbortSignal, tried: string[]): Promise<{ style: RestStyle; index: RestIndex } | undefined> {
    const url = style.kind === 'path' ? style.root : `${style.base}?rest_route=/`;
    tried.push(url);
    let body: unknown;
    try {
      body = await this.http.json({ url, headers: this.headers(), signal, what: `reading the REST index ${url}` });
    } catch (error) {
      if (error instanceof ConnectorError && (error.kind === 'config' || error.kind === 'transient' || error.kind === 'rate_limited')) throw error;
      if (error instanceof ConnectorError && error.kind === 'auth') throw remapWpError(error, 'reading the REST index');
      this.log('debug', `no REST index at ${url}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    const parsed = indexSchema.safeParse(body);
    if (!parsed.success || !parsed.data.namespaces.includes('wp/v2')) return undefined;
    const data = parsed.data;
    const auth = data.authentication;
    return {
      style,
      index: {
        name: data.name,
        description: data.description,
        url: data.url.replace(/\/+$/, ''),
        home: data.home.replace(/\/+$/, ''),
        gmtOffset: Number(data.gmt_offset) || 0,
        timezone: data.timezone_string,
        namespaces: data.namespaces,
        applicationPasswords: !Array.isArray(auth) && 'application-passwords' in auth,
        batchMax: batchMaxOf(data.routes),
      },
    };
  }
}

/** With FERRY_WP_REQUEST_STATS set: the same client, each request's time recorded by kind. */
export function withRequestStats(http: HttpClient, siteUrl: string): HttpClient {
  if (!process.env[REQUEST_STATS_ENV] && !process.env[REQUEST_TRACE_ENV]) return http;
  const site = new URL(siteUrl).host;
  const wrap =
    <A extends { url: string; method?: string }, R>(call: (request: A, ...rest: never[]) => Promise<R>) =>
    async (request: A, ...rest: never[]): Promise<R> => {
      const started = performance.now();
      try {
        return await call.call(http, request, ...rest);
      } finally {
        recordRequest(site, request.method ?? 'GET', request.url, performance.now() - started);
      }
    };
  return new Proxy(http, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property === 'json' || property === 'send' || property === 'text' || property === 'download') return wrap(value as (request: { url: string; method?: string }) => Promise<unknown>);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
