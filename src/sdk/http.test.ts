import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from './errors.js';
import { CookieJar, HttpClient, kindForStatus, parseRetryAfter } from './http.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

let server: Server;
let base: string;
const handlers = new Map<string, Handler>();
const hits = new Map<string, number>();

function route(path: string, handler: Handler): string {
  handlers.set(path, handler);
  hits.set(path, 0);
  return `${base}${path}`;
}

function client(extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): HttpClient {
  return new HttpClient({ userAgent: 'Ferry-test/1.0', minRetryDelayMs: 10, maxRetryDelayMs: 2_000, retries: 3, ...extra });
}

const signal = () => AbortSignal.timeout(10_000);

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ConnectorError)) throw new Error(`expected a ConnectorError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      hits.set(path, (hits.get(path) ?? 0) + 1);
      const handler = handlers.get(path);
      if (handler) handler(req, res, body);
      else res.writeHead(404).end('no such route');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('HttpClient', () => {
  it('keeps session cookies and sends the user agent', async () => {
    const login = route('/login', (_req, res) => res.writeHead(200, { 'set-cookie': ['wiki_session=abc123; path=/; HttpOnly', 'other=1; Max-Age=0'] }).end('{}'));
    const me = route('/me', (req, res) => res.writeHead(200).end(JSON.stringify({ cookie: req.headers.cookie, ua: req.headers['user-agent'] })));
    const http = client();
    await http.json({ url: login, signal: signal() });
    expect(await http.json({ url: me, signal: signal() })).toEqual({ cookie: 'wiki_session=abc123', ua: 'Ferry-test/1.0' });
  });

  it('retries 5xx answers, then succeeds', async () => {
    const url = route('/flaky', (_req, res) => {
      if ((hits.get('/flaky') ?? 0) < 3) res.writeHead(503).end('busy');
      else res.writeHead(200).end('{"ok":true}');
    });
    expect(await client().json({ url, signal: signal() })).toEqual({ ok: true });
    expect(hits.get('/flaky')).toBe(3);
  });

  it('honours Retry-After on 429', async () => {
    const url = route('/slow-down', (_req, res) => {
      if ((hits.get('/slow-down') ?? 0) === 1) res.writeHead(429, { 'retry-after': '1' }).end('too many');
      else res.writeHead(200).end('"done"');
    });
    const started = Date.now();
    expect(await client().json({ url, signal: signal() })).toBe('done');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('maps statuses to kinds without retrying the ones that will not change', async () => {
    const missing = route('/missing', (_req, res) => res.writeHead(404).end('<html><b>Not</b> here</html>'));
    const denied = route('/denied', (_req, res) => res.writeHead(403).end('no'));
    const notFound = await failure(client().text({ url: missing, signal: signal() }));
    expect(notFound.kind).toBe('not_found');
    expect(notFound.message).toContain('HTTP 404');
    expect(notFound.message).toContain('Not here');
    expect(hits.get('/missing')).toBe(1);
    expect((await failure(client().text({ url: denied, signal: signal() }))).kind).toBe('auth');
    expect(hits.get('/denied')).toBe(1);
  });

  it('gives up after the retries with kind "transient", and "rate_limited" keeps its retry-after', async () => {
    const down = route('/down', (_req, res) => res.writeHead(502).end('bad gateway'));
    const error = await failure(client({ retries: 2 }).text({ url: down, signal: signal() }));
    expect(error.kind).toBe('transient');
    expect(hits.get('/down')).toBe(3);
    const limited = route('/limited', (_req, res) => res.writeHead(429, { 'retry-after': '0' }).end(''));
    const rate = await failure(client({ retries: 1 }).text({ url: limited, signal: signal() }));
    expect(rate.kind).toBe('rate_limited');
    expect(rate.retryAfterMs).toBe(0);
  });

  it('does not retry when asked not to', async () => {
    const once = route('/once', (_req, res) => res.writeHead(500).end('boom'));
    await failure(client().text({ url: once, method: 'POST', body: 'x', retry: false, signal: signal() }));
    expect(hits.get('/once')).toBe(1);
  });

  it('reports an unreachable server as a config problem with a hint', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(client().text({ url: `http://127.0.0.1:${port}/api.php`, signal: signal() }));
    expect(error.kind).toBe('config');
    expect(error.hint).toBe('Is the URL right and the server running?');
  });

  it('treats a refused connection to a server that answered before as an outage to retry', async () => {
    const once = createServer((_req, res) => res.writeHead(200).end('"up"'));
    await new Promise<void>((resolve) => once.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(once.address() as AddressInfo).port}/`;
    const http = client({ retries: 1 });
    expect(await http.json({ url, signal: signal() })).toBe('up');
    await new Promise((resolve) => once.close(resolve));
    const error = await failure(http.json({ url, signal: signal() }));
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('never puts secrets in error messages', async () => {
    const echo = route('/echo', (_req, res, body) => res.writeHead(400).end(`you sent ${body}`));
    const error = await failure(
      client({ secrets: ['hunter2&secret'] }).text({ url: echo, method: 'POST', body: new URLSearchParams({ password: 'hunter2&secret' }), signal: signal() }),
    );
    expect(error.kind).toBe('data');
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain('hunter2');
  });

  it('retries when the answer reader reports a retriable error', async () => {
    const body = route('/body', (_req, res) => res.writeHead(200).end(String(hits.get('/body'))));
    const result = await client().send({ url: body, signal: signal() }, async (response) => {
      const text = await response.text();
      if (text !== '2') throw new ConnectorError('database is locked', { kind: 'transient' });
      return text;
    });
    expect(result).toBe('2');
  });

  it('stops at once when the caller aborts', async () => {
    const hang = route('/hang', () => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stopped by the user')), 100);
    const started = Date.now();
    await expect(client().text({ url: hang, signal: controller.signal })).rejects.toThrow('stopped by the user');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(hits.get('/hang')).toBe(1);
  });

  it('times out a single attempt as transient', async () => {
    const slow = route('/slow', (_req, res) => setTimeout(() => res.writeHead(200).end('late'), 1_000));
    const error = await failure(client({ timeoutMs: 100, retries: 0 }).text({ url: slow, signal: signal() }));
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/no answer within/);
  });

  it('streams a download to a file and hashes it', async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 7, 'ab');
    const file = route('/file.bin', (_req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes));
    const dir = mkdtempSync(join(tmpdir(), 'ferry-http-'));
    try {
      const path = join(dir, 'out.bin');
      const result = await client().download({ url: file, signal: signal() }, { path, hash: 'sha1' });
      expect(result).toEqual({ bytes: bytes.length, digest: createHash('sha1').update(bytes).digest('hex') });
      expect(readFileSync(path).equals(bytes)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CookieJar', () => {
  it('matches host, path, domain and expiry', () => {
    const jar = new CookieJar();
    jar.store(new URL('http://wiki.example.org/w/api.php'), [
      'a=1; Path=/w',
      'b=2; Domain=example.org; Path=/',
      'c=3; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
      'd=4; Secure',
    ]);
    expect(jar.header(new URL('http://wiki.example.org/w/index.php'))).toBe('a=1; b=2');
    expect(jar.header(new URL('http://other.example.org/'))).toBe('b=2');
    expect(jar.header(new URL('http://wiki.example.org/wx'))).toBe('b=2');
    expect(jar.header(new URL('https://wiki.example.org/w/'))).toContain('d=4');
    expect(jar.header(new URL('http://elsewhere.net/'))).toBeUndefined();
    jar.store(new URL('http://wiki.example.org/w/api.php'), ['a=gone; Path=/w; Max-Age=0']);
    expect(jar.header(new URL('http://wiki.example.org/w/index.php'))).toBe('b=2');
  });
});

describe('CookieJar sessions', () => {
  it('ignores cookies from answers to requests sent before the jar was cleared', () => {
    const jar = new CookieJar();
    const url = new URL('http://wiki/api.php');
    const before = jar.epoch;
    jar.clear();
    jar.store(url, ['session=new; path=/'], jar.epoch);
    jar.store(url, ['session=old; path=/'], before);
    expect(jar.header(url)).toBe('session=new');
  });
});

describe('status and Retry-After helpers', () => {
  it('maps statuses', () => {
    expect([401, 403, 404, 408, 409, 413, 429, 500, 503, 400].map(kindForStatus)).toEqual([
      'auth',
      'auth',
      'not_found',
      'transient',
      'conflict',
      'too_large',
      'rate_limited',
      'transient',
      'transient',
      'data',
    ]);
  });

  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const inTwoSeconds = new Date(Date.now() + 2_000).toUTCString();
    expect(parseRetryAfter(inTwoSeconds)).toBeGreaterThan(0);
  });
});
