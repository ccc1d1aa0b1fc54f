import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../sdk/http.js';
import { MwApi, encodeParams } from './api-client.js';
import { isApiCode, kindForApiCode } from './api-errors.js';

/**
 * The API client against a small fake of MediaWiki's api.php: logins, a
 * session that expires, continuation and error answers.
 */

interface FakeState {
  logins: number;
  sessions: Set<string>;
  /** The next request with this action answers as if the session had expired. */
  expireOnce?: string;
}

const state: FakeState = { logins: 0, sessions: new Set() };
let server: Server;
let apiUrl: string;

function answer(params: URLSearchParams, cookie: string | undefined): unknown {
  const session = /fake_session=(\w+)/.exec(cookie ?? '')?.[1];
  const loggedIn = session !== undefined && state.sessions.has(session);
  const action = params.get('action');
  if (action === 'query' && params.get('meta') === 'tokens') {
    return { query: { tokens: { [`${params.get('type') ?? 'csrf'}token`]: loggedIn ? 'csrf+\\' : 'login-token' } } };
  }
  if (action === 'query' && params.get('meta') === 'siteinfo') return { query: { general: { sitename: 'Fake' } } };
  if (action === 'login') {
    if (params.get('lgpassword') !== 'right-password-123') return { login: { result: 'Failed', reason: 'Incorrect username or password entered.' } };
    return { login: { result: 'Success', lgusername: 'Admin' } };
  }
  if (action === 'clientlogin') {
    return params.get('password') === 'main-password' ? { clientlogin: { status: 'PASS', username: 'Admin' } } : { clientlogin: { status: 'FAIL', message: 'Wrong password' } };
  }
  if (params.get('assert') === 'user' && (!loggedIn || state.expireOnce === action)) {
    state.expireOnce = undefined;
    return { error: { code: 'assertuserfailed', info: 'You are no longer logged in' } };
  }
  if (action === 'query' && params.get('list') === 'allpages') {
    // Three answers: pages 1-2, then 3 with a prop continuation, then its second half.
    const cont = params.get('apcontinue');
    if (!cont) return { continue: { apcontinue: 'B', continue: '-||' }, batchcomplete: true, query: { pages: [{ pageid: 1, title: 'A' }, { pageid: 2, title: 'A2' }] } };
    if (cont === 'B' && !params.get('rvcontinue')) return { continue: { apcontinue: 'B', rvcontinue: 'x', continue: 'ap||' }, query: { pages: [{ pageid: 3, title: 'B', revisions: [{ revid: 1 }] }] } };
    return { batchcomplete: true, query: { pages: [{ pageid: 3, title: 'B', revisions: [{ revid: 2 }] }] } };
  }
  if (action === 'edit') return params.get('token') === 'csrf+\\' ? { edit: { result: 'Success' } } : { error: { code: 'badtoken', info: 'Invalid CSRF token.' } };
  return { error: { code: 'unknown_action', info: `Unrecognized value for parameter "action": ${action}.` } };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const params = new URLSearchParams(url.search);
      for (const [key, value] of new URLSearchParams(body)) params.set(key, value);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const action = params.get('action');
      if ((action === 'login' || action === 'clientlogin') && (params.get('lgpassword') === 'right-password-123' || params.get('password') === 'main-password')) {
        state.logins++;
        const id = `s${state.logins}`;
        state.sessions.add(id);
        headers['set-cookie'] = `fake_session=${id}; path=/; HttpOnly`;
      }
      res.writeHead(200, headers).end(JSON.stringify(answer(params, req.headers.cookie)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api.php`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function api(username: string, password: string): MwApi {
  const http = new HttpClient({ userAgent: 'Ferry-test', secrets: [password], minRetryDelayMs: 10, retries: 1 });
  return new MwApi({ url: apiUrl, username, password }, http, () => undefined);
}

const signal = () => AbortSignal.timeout(10_000);

describe('MwApi', () => {
  it('logs in with a bot password and with a main account (clientlogin)', async () => {
    const bot = api('Admin@ferry', 'right-password-123');
    await bot.login(signal());
    expect(bot.userName).toBe('Admin');
    const main = api('Admin', 'main-password');
    await main.login(signal());
    expect(main.userName).toBe('Admin');
  });

  it('turns a rejected login into an auth error without the password', async () => {
    const wrong = api('Admin@ferry', 'wrong-password-456');
    const error = await wrong.login(signal()).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'auth', message: expect.stringContaining('Incorrect username or password') });
    expect(String((error as Error).message)).not.toContain('wrong-password-456');
    const main = await api('Admin', 'nope-nope-nope').login(signal()).catch((e: unknown) => e);
    expect(main).toMatchObject({ kind: 'auth', message: expect.stringContaining('Wrong password') });
  });

  it('logs in again once when the session expires in the middle of a run', async () => {
    const client = api('Admin@ferry', 'right-password-123');
    await client.ensureLogin(signal());
    const before = state.logins;
    state.expireOnce = 'edit';
    const result = await client.post({ action: 'edit', title: 'X', text: 'y' }, { signal: signal() });
    expect(result).toEqual({ edit: { result: 'Success' } });
    expect(state.logins).toBe(before + 1);
  });

  it('logs in once for concurrent calls, first and after the session is lost', async () => {
    const client = api('Admin@ferry', 'right-password-123');
    const before = state.logins;
    const call = () => client.get({ action: 'query', list: 'allpages' }, signal());
    await Promise.all([call(), call(), call()]);
    expect(state.logins).toBe(before + 1);
    state.sessions.clear();
    await Promise.all([call(), call(), call()]);
    expect(state.logins).toBe(before + 2);
  });

  it('merges pages over continuation until each batch is complete', async () => {
    const client = api('Admin@ferry', 'right-password-123');
    const batches = [];
    for await (const batch of client.query({ list: 'allpages' }, signal())) batches.push(batch);
    expect(batches).toHaveLength(2);
    expect(batches[0]!.next).toEqual({ apcontinue: 'B', continue: '-||' });
    expect(batches[1]!.query.pages).toEqual([{ pageid: 3, title: 'B', revisions: [{ revid: 1 }, { revid: 2 }] }]);
    expect(batches[1]!.next).toBeUndefined();
  });

  it('maps API error codes to kinds and keeps the code', async () => {
    const client = api('Admin@ferry', 'right-password-123');
    const error = await client.get({ action: 'nonsense' }, signal()).catch((e: unknown) => e);
    expect(isApiCode(error, 'unknown_action')).toBe(true);
    expect(error).toMatchObject({ kind: 'config' });
    expect(kindForApiCode('ratelimited')).toBe('rate_limited');
    expect(kindForApiCode('internal_api_error_DBQueryError')).toBe('transient');
    expect(kindForApiCode('filetoobig')).toBe('too_large');
    expect(kindForApiCode('permissiondenied')).toBe('auth');
    expect(kindForApiCode('something-new')).toBe('data');
  });
});

describe('encodeParams', () => {
  it('joins lists, drops false and undefined, and uses the unit separator when a value holds "|"', () => {
    expect(encodeParams({ a: ['x', 'y'], b: true, c: false, d: undefined, e: 3, f: ['p|q', 'r'] })).toEqual({
      a: 'x|y',
      b: '1',
      e: '3',
      f: '\x1fp|q\x1fr',
    });
  });
});
