import { writeFileSync } from 'node:fs';
import { ConnectorError } from '../../sdk/errors.js';
import type { HttpClient, LogFn } from '../../sdk/http.js';
import { MediaWikiApiError, isApiCode } from './api-errors.js';
import { asRecord, mergeQuery, stringRecord, type ApiResult } from './api-result.js';
import { apiUrlCandidates, apiUrlFromHtml, type MediaWikiConfig } from './config.js';
import { ExportXmlReader, type ExportedPage } from './export-read.js';

export type { ApiResult } from './api-result.js';

/**
 * The Action API of one wiki: login (bot password or main account), GET and
 * POST with MediaWiki's errors mapped to error kinds, tokens, continuation,
 * and one transparent re-login when the session expires mid-run.
 */

export type ApiValue = string | number | boolean | undefined | null | readonly (string | number)[];
export type ApiParams = Record<string, ApiValue>;

/** A file part of a multipart POST (import XML, upload). */
export interface ApiFile {
  blob: Blob;
  filename: string;
}

export interface PostOptions {
  signal: AbortSignal;
  files?: Record<string, ApiFile>;
  /** Words for error messages: 'import of 20 pages'. */
  what?: string;
  /** false: one attempt only. Default true (MediaWiki writes we use are safe to repeat). */
  retry?: boolean;
}

type TokenType = 'csrf' | 'createaccount' | 'userrights' | 'login';

/** Query results merged over continuation until MediaWiki says the batch is complete. */
export interface QueryBatch {
  query: ApiResult;
  /** The `continue` object that resumes after this batch, absent at the end. */
  next?: Record<string, string>;
}

export class MwApi {
  private apiUrlValue: string | undefined;
  private loggedInAs: string | undefined;
  private loggingIn: Promise<void> | undefined;
  /** Counts logins, so concurrent calls that all lost the session log in only once. */
  private generation = 0;
  private readonly tokens = new Map<TokenType, string>();

  constructor(
    private readonly config: MediaWikiConfig,
    private readonly http: HttpClient,
    private readonly log: LogFn,
  ) {}

  /** The user name the session is logged in as (after `login`). */
  get userName(): string {
    if (!this.loggedInAs) throw new ConnectorError('not logged in yet', { kind: 'bug' });
    return this.loggedInAs;
  }

  get apiUrl(): string {
    if (!this.apiUrlValue) throw new ConnectorError('the API URL is not known yet', { kind: 'bug' });
    return this.apiUrlValue;
  }

  /** Logs in once; later calls return at once. */
  async ensureLogin(signal: AbortSignal): Promise<void> {
    if (this.loggingIn) await this.loggingIn;
    else if (!this.loggedInAs) await this.login(signal);
  }

  /**
   * Logs in (again), dropping the old session and its tokens. Concurrent
   * callers share one login: a second one would clear the cookies of the first.
   */
  async login(signal: AbortSignal): Promise<void> {
    this.loggingIn ??= this.freshLogin(signal).finally(() => {
      this.loggingIn = undefined;
    });
    return this.loggingIn;
  }

  private async freshLogin(signal: AbortSignal): Promise<void> {
    await this.resolveApiUrl(signal);
    this.http.cookies.clear();
    this.tokens.clear();
    this.loggedInAs = undefined;
    const botPassword = this.config.username.includes('@');
    let result: ApiResult | undefined;
    // A response of a call still in flight can replace the session cookie between
    // the login token and the login itself (WrongToken): fetch a new token and try again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const token = await this.token('login', signal);
      result = botPassword
        ? await this.rawPost({ action: 'login', lgname: this.config.username, lgpassword: this.config.password, lgtoken: token }, { signal, what: 'login' })
        : await this.rawPost(
            { action: 'clientlogin', username: this.config.username, password: this.config.password, logintoken: token, loginreturnurl: this.apiUrl },
            { signal, what: 'login' },
          );
      if (asRecord(result.login).result !== 'WrongToken') break;
      this.tokens.delete('login');
    }
    this.loggedInAs = loginOutcome(result!, this.config.username, botPassword);
    this.tokens.clear();
    this.generation++;
    this.log('debug', `logged in to ${this.apiUrl} as ${this.loggedInAs}`);
  }

  async logout(signal: AbortSignal): Promise<void> {
    if (!this.loggedInAs) return;
    const token = await this.token('csrf', signal);
    await this.rawPost({ action: 'logout', token }, { signal, what: 'logout', retry: false });
    this.loggedInAs = undefined;
    this.tokens.clear();
  }

  /** A read request (logged in first). */
  async get(params: ApiParams, signal: AbortSignal, what = describeParams(params)): Promise<ApiResult> {
    return this.withSession(signal, () => this.rawGet({ ...params, assert: 'user' }, signal, what));
  }

  /** A write request with a CSRF token (added here), multipart when files are given. */
  async post(params: ApiParams, options: PostOptions): Promise<ApiResult> {
    return this.postWithToken('csrf', params, options);
  }

  /** Like `post`, with another token type (createaccount, userrights). */
  async postWithToken(type: TokenType, params: ApiParams, options: PostOptions): Promise<ApiResult> {
    return this.withSession(options.signal, async () => {
      const token = await this.token(type, options.signal);
      const name = type === 'createaccount' ? 'createtoken' : 'token';
      return this.rawPost({ ...params, [name]: token, assert: 'user' }, options);
    });
  }

  /**
   * Runs a query with continuation, yielding merged batches: pages met in
   * several answers (long revision lists, big texts) come out once, whole.
   */
  async *query(params: ApiParams, signal: AbortSignal, start?: Record<string, string>): AsyncGenerator<QueryBatch> {
    let cont: Record<string, string> | undefined = start;
    let merged: ApiResult = {};
    for (;;) {
      const result = await this.get({ action: 'query', ...params, ...(cont ?? { continue: '' }) }, signal);
      mergeQuery(merged, asRecord(result.query));
      const next = result.continue === undefined ? undefined : stringRecord(result.continue);
      if (result.batchcomplete === true || next === undefined) {
        yield next ? { query: merged, next } : { query: merged };
        merged = {};
      }
      if (!next) return;
      cont = next;
    }
  }

  /** All batches of a query merged into one (for short answers). */
  async queryAll(params: ApiParams, signal: AbortSignal): Promise<ApiResult> {
    const all: ApiResult = {};
    for await (const batch of this.query(params, signal)) mergeQuery(all, batch.query);
    return all;
  }

  /**
   * Special:Export of these pages with their full history (index.php next to
   * api.php, one request for all of them), parsed as the answer streams in.
   * undefined when the wiki answers with something that is not export XML
   * (a private wiki sends its login page: bot-password sessions are valid
   * for the API only). Pages the wiki leaves out are simply absent.
   */
  async exportHistories(titles: readonly string[], signal: AbortSignal): Promise<ExportedPage[] | undefined> {
    await this.ensureLogin(signal);
    if (!/\/api\.php$/.test(this.apiUrl)) return undefined;
    const url = this.apiUrl.replace(/api\.php$/, 'index.php');
    const what = `exporting the history of ${titles.length} page(s)`;
    return counted(this.apiUrl, 'GET index.php Special:Export history', () =>
      this.http.send(
        // GET, not POST: a POST with history=1 orders by timestamp but pages by revision id, which repeats
        // (or past 50,000 revisions, skips) revisions whose ids are not in time order (history imported late).
        { url, query: { title: 'Special:Export', pages: titles.join('\n'), history: '1' }, signal, what },
        async (response) => {
          if (!/xml/i.test(response.headers.get('content-type') ?? '') || !response.body) return undefined;
          const reader = new ExportXmlReader();
          const decoder = new TextDecoder();
          const pages: ExportedPage[] = [];
          for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) pages.push(...reader.push(decoder.decode(chunk, { stream: true })));
          pages.push(...reader.push(decoder.decode()));
          if (!reader.isExport) return undefined;
          // A cut answer throws here: the send loop retries it like a network failure.
          reader.end();
          return pages;
        },
      ),
    );
  }

  async token(type: TokenType, signal: AbortSignal): Promise<string> {
    const cached = this.tokens.get(type);
    if (cached) return cached;
    await this.resolveApiUrl(signal);
    const result = await this.rawGet({ action: 'query', meta: 'tokens', type }, signal, `getting a ${type} token`);
    const token = asRecord(asRecord(result.query).tokens)[`${type}token`];
    if (typeof token !== 'string') throw new ConnectorError(`the wiki gave no ${type} token`, { kind: 'transient' });
    this.tokens.set(type, token);
    return token;
  }

  /** Finds api.php from the configured URL (base URL, api.php URL, or any page with an EditURI link). */
  async resolveApiUrl(signal: AbortSignal): Promise<string> {
    if (this.apiUrlValue) return this.apiUrlValue;
    const failures: string[] = [];
    for (const candidate of apiUrlCandidates(this.config.url)) {
      if (await this.isApi(candidate, signal, failures)) return (this.apiUrlValue = candidate);
    }
    const html = await this.http.text({ url: this.config.url, signal, what: `reading ${this.config.url}` }).catch(() => '');
    const discovered = apiUrlFromHtml(html, this.config.url);
    if (discovered && (await this.isApi(discovered, signal, failures))) return (this.apiUrlValue = discovered);
    throw new ConnectorError(`No MediaWiki API found at ${this.config.url} (${failures.join('; ')})`, {
      kind: 'config',
      hint: 'Give the wiki\'s base URL (like http://127.0.0.1:8080) or its api.php URL.',
    });
  }

  private async isApi(candidate: string, signal: AbortSignal, failures: string[]): Promise<boolean> {
    try {
      const body = await this.http.json({ url: candidate, query: { action: 'query', meta: 'siteinfo', format: 'json' }, signal, what: `probing ${candidate}` });
      if (asRecord(asRecord(body).query).general !== undefined) return true;
      failures.push(`${candidate}: not a MediaWiki API`);
    } catch (error) {
      // Unreachable hosts are fatal now: trying other paths on them would only repeat it.
      if (error instanceof ConnectorError && error.kind === 'config') throw error;
      if (signal.aborted) throw error;
      failures.push(`${candidate}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return false;
  }

  /** One re-login when the session was lost (expired cookie, server restart). */
  private async withSession<T>(signal: AbortSignal, call: () => Promise<T>): Promise<T> {
    await this.ensureLogin(signal);
    const generation = this.generation;
    try {
      return await call();
    } catch (error) {
      if (!isApiCode(error, 'assertuserfailed', 'assertbotfailed', 'badtoken', 'notloggedin')) throw error;
      // Another call may have logged in again meanwhile: then its session is the one to use.
      if (this.generation === generation) {
        this.log('info', `the wiki session ended (${error.code}); logging in again`);
        await this.login(signal);
      } else if (this.loggingIn) {
        await this.loggingIn;
      }
      return call();
    }
  }

  private async rawGet(params: ApiParams, signal: AbortSignal, what: string): Promise<ApiResult> {
    return counted(this.apiUrl, `GET ${describeParams(params)}`, () =>
      this.http.send(
        { url: this.apiUrl, query: encodeParams({ ...params, format: 'json', formatversion: 2 }), signal, what },
        (response) => readResult(response, what),
      ),
    );
  }

  private async rawPost(params: ApiParams, options: PostOptions): Promise<ApiResult> {
    const what = options.what ?? describeParams(params);
    const fields = encodeParams({ ...params, format: 'json', formatversion: 2 });
    const body = (): FormData | URLSearchParams => {
      if (!options.files) return new URLSearchParams(fields as Record<string, string>);
      const form = new FormData();
      for (const [key, value] of Object.entries(fields)) if (value !== undefined) form.append(key, value);
      for (const [key, file] of Object.entries(options.files)) form.append(key, file.blob, file.filename);
      return form;
    };
    // action and format also ride in the URL: when PHP drops a body over post_max_size,
    // the answer is still a JSON error ("token must be set") instead of the HTML help page.
    const query = { action: fields.action, format: 'json', formatversion: '2' };
    return counted(this.apiUrl, `POST ${describeParams(params)}`, () =>
      this.http.send(
        { url: this.apiUrl, method: 'POST', query, body, signal: options.signal, what, ...(options.retry === false ? { retry: false } : {}) },
        (response) => readResult(response, what),
      ),
    );
  }
}

// Request statistics for the benchmark (bench/run.ts): with FERRY_MW_REQUEST_STATS
// set to a file path, every API call (retries included) is counted and timed per
// wiki and kind ("POST API import"), and the table is written there at exit.
// Off (no cost beyond one check) otherwise.
const STATS_FILE = process.env.FERRY_MW_REQUEST_STATS;
const stats = new Map<string, { api: string; kind: string; count: number; failed: number; ms: number }>();
if (STATS_FILE) {
  process.on('exit', () => {
    try {
      writeFileSync(STATS_FILE, `${JSON.stringify([...stats.values()].sort((a, b) => b.ms - a.ms), null, 2)}\n`);
    } catch {
      // statistics only
    }
  });
}

async function counted<T>(api: string, kind: string, call: () => Promise<T>): Promise<T> {
  if (!STATS_FILE) return call();
  const started = performance.now();
  let failed = false;
  try {
    return await call();
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    const key = `${api} ${kind}`;
    const row = stats.get(key) ?? { api, kind, count: 0, failed: 0, ms: 0 };
    row.count++;
    if (failed) row.failed++;
    row.ms += performance.now() - started;
    stats.set(key, row);
  }
}

async function readResult(response: Response, what: string): Promise<ApiResult> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ConnectorError(`${what}: the wiki answered with something that is not JSON: ${text.slice(0, 200)}`, { kind: 'transient' });
  }
  const result = asRecord(body);
  const error = result.error === undefined ? undefined : asRecord(result.error);
  if (error) {
    const retryAfter = Number(response.headers.get('retry-after') ?? error.lag);
    throw new MediaWikiApiError(what, {
      code: String(error.code ?? 'unknown'),
      info: String(error.info ?? 'no details'),
      details: error,
      ...(Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {}),
    });
  }
  return result;
}

function loginOutcome(result: ApiResult, username: string, botPassword: boolean): string {
  if (botPassword) {
    const login = asRecord(result.login);
    if (login.result === 'Success' && typeof login.lgusername === 'string') return login.lgusername;
    const reason = typeof login.reason === 'string' ? login.reason : String(login.result ?? 'no reason given');
    if (login.result === 'Throttled') {
      throw new ConnectorError(`Too many login attempts for "${username}": ${reason}`, { kind: 'rate_limited', retryAfterMs: 60_000 });
    }
    throw new ConnectorError(`The wiki rejected the login of "${username}": ${reason}`, {
      kind: 'auth',
      hint: 'Check the bot password: the user name is "User@appid" and the password is the one Special:BotPasswords showed once. Create a new one if in doubt.',
    });
  }
  const login = asRecord(result.clientlogin);
  if (login.status === 'PASS' && typeof login.username === 'string') return login.username;
  const message = typeof login.message === 'string' ? login.message : String(login.status ?? 'no reason given');
  throw new ConnectorError(`The wiki rejected the login of "${username}": ${message}`, {
    kind: 'auth',
    hint:
      login.status === 'UI' || login.status === 'REDIRECT'
        ? 'This account needs an interactive step (two-factor?): use a bot password (User@appid) from Special:BotPasswords.'
        : 'Check the user name and password, or use a bot password (User@appid) from Special:BotPasswords.',
  });
}

/** MediaWiki's parameter encoding: lists joined by "|", booleans present or absent. */
export function encodeParams(params: ApiParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === false) continue;
    if (value === true) out[key] = '1';
    else if (Array.isArray(value)) {
      const parts = value.map(String);
      // A value holding "|" needs the unit-separator form.
      out[key] = parts.some((p) => p.includes('|')) ? `\x1f${parts.join('\x1f')}` : parts.join('|');
    } else out[key] = String(value);
  }
  return out;
}

function describeParams(params: ApiParams): string {
  const action = String(params.action ?? 'query');
  const detail = params.list ?? params.prop ?? params.meta ?? params.generator;
  return detail ? `API ${action} ${String(detail)}` : `API ${action}`;
}
