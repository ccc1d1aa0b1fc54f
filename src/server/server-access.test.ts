import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_PER_MINUTE } from './routes-access.js';
import { adminToken, SECRET, startTestServer, type TestServer } from './test-server.js';

let t: TestServer;
let admin: string;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t.close());

/** Every operation of the OpenAPI document, path parameters filled in. */
function operations(doc: any): Array<{ method: string; url: string; public: boolean }> {
  return Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), url: path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'id' || name === 'actionId' ? '1' : 'x')), public: Array.isArray(op.security) && op.security.length === 0 })),
  );
}

describe('access to the API', () => {
  it('refuses an anonymous request on every endpoint of the OpenAPI document, with a body or without', async () => {
    const doc = (await import('./openapi.js')).openApiDocument(t.server.routes);
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThan(35);
    const publicOnes = ops.filter((o) => o.public).map((o) => `${o.method} ${o.url}`);
    expect(publicOnes.sort()).toEqual(['GET /api/setup', 'POST /api/session', 'POST /api/setup']);
    for (const op of ops.filter((o) => !o.public)) {
      const bare = await t.api(op.method, op.url);
      expect(bare.status, `${op.method} ${op.url}`).toBe(401);
      expect(bare.json.error).toBe('Sign in first');
      const withBody = await t.api(op.method, op.url, { raw: '{not json' });
      expect(withBody.status, `${op.method} ${op.url} with a malformed body`).toBe(401);
      const badToken = await t.api(op.method, op.url, { token: 'ferry_not-a-token' });
      expect(badToken.status).toBe(401);
    }
    // Public ones refuse without the right secret.
    expect((await t.api('POST', '/api/session', { body: { name: 'nobody', password: 'x' } })).status).toBe(401);
  });

  it('creates the first admin only with the one-time setup token', async () => {
    const wrong = await t.api('POST', '/api/setup', { body: { token: 'guess', name: 'root', password: 'root-password-123' } });
    expect(wrong.status).toBe(403);
    expect(wrong.json.field).toBe('body.token');
    admin = await adminToken(t);
    expect(admin).toMatch(/^ferry_/);
    const again = await t.api('POST', '/api/setup', { body: { token: 'setup-token-for-tests', name: 'evil', password: 'evil-password-123' } });
    expect(again.status).toBe(409);
    expect(t.server.setupToken).toBeUndefined();
  });

  it('sessions: an http-only SameSite=Strict cookie, and cookie writes need the CSRF token', async () => {
    const signIn = await t.api('POST', '/api/session', { body: { name: 'root', password: 'root-password-123' } });
    expect(signIn.status).toBe(200);
    const setCookie = String(signIn.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toMatch(/Secure/); // plain HTTP on 127.0.0.1; over HTTPS the flag is set
    const cookie = setCookie.split(';')[0]!;
    expect((await t.api('GET', '/api/session', { cookie })).json).toMatchObject({ user: { name: 'root', role: 'admin' }, csrf: signIn.json.csrf });
    const noCsrf = await t.api('POST', '/api/tokens', { cookie, body: { label: 'x' } });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.json.field).toBe('x-csrf-token');
    expect((await t.api('POST', '/api/tokens', { cookie, csrf: 'wrong', body: { label: 'x' } })).status).toBe(403);
    expect((await t.api('POST', '/api/tokens', { cookie, csrf: signIn.json.csrf, body: { label: 'x' } })).status).toBe(201);
    expect((await t.api('DELETE', '/api/session', { cookie, csrf: signIn.json.csrf })).status).toBe(204);
    expect((await t.api('GET', '/api/session', { cookie })).status).toBe(401);
    expect((await t.api('POST', '/api/session', { body: { name: 'root', password: 'wrong-password' } })).status).toBe(401);
  });

  it('limits sign-in attempts per address and user name: the eleventh in a minute is refused, other names are not', async () => {
    const tries = [];
    for (let i = 0; i < SIGN_IN_PER_MINUTE + 1; i++) tries.push(await t.api('POST', '/api/session', { body: { name: 'guessed', password: `guess-${i}` } }));
    expect(tries.slice(0, SIGN_IN_PER_MINUTE).map((r) => r.status)).toEqual(Array(SIGN_IN_PER_MINUTE).fill(401));
    const refused = tries.at(-1)!;
    expect(refused.status).toBe(429);
    expect(refused.json.error).toMatch(/Too many sign-in attempts/);
    expect(refused.json.hint).toMatch(/wait \d+ s/);
    // Even the right password waits: guessing cannot go on by luck.
    expect((await t.api('POST', '/api/session', { body: { name: 'GUESSED', password: 'x' } })).status).toBe(429);
    expect((await t.api('POST', '/api/session', { body: { name: 'root', password: 'root-password-123' } })).status).toBe(200);
  });

  it('behind a trusted proxy, a session over HTTPS gets a Secure cookie; without trust the header is ignored', async () => {
    const proxied = await startTestServer({ trustProxy: true });
    try {
      await adminToken(proxied);
      const https = await proxied.api('POST', '/api/session', { body: { name: 'root', password: 'root-password-123' }, headers: { 'x-forwarded-proto': 'https' } });
      expect(String(https.headers['set-cookie'])).toMatch(/; Secure/);
    } finally {
      await proxied.close();
    }
    const untrusted = await t.api('POST', '/api/session', { body: { name: 'root', password: 'root-password-123' }, headers: { 'x-forwarded-proto': 'https' } });
    expect(String(untrusted.headers['set-cookie'])).not.toMatch(/Secure/);
  });

  it('passwords are stored as scrypt hashes, tokens as SHA-256 only', async () => {
    const root = await t.ferry.store.access.userByName('root');
    expect(root?.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(root?.passwordHash).not.toContain('root-password-123');
    const files = readdirSync(t.dataDir).filter((f) => f.startsWith('ferry.sqlite'));
    expect(files).toContain('ferry.sqlite-wal'); // recent writes are there until a checkpoint
    for (const file of files) {
      const bytes = readFileSync(join(t.dataDir, file));
      expect(bytes.includes('root-password-123')).toBe(false);
      expect(bytes.includes(admin)).toBe(false);
    }
  });

  it('roles: a viewer cannot start a run, an operator cannot add a connection, only an admin manages users', async () => {
    for (const [name, role] of [['vera', 'viewer'], ['otto', 'operator']] as const) {
      expect((await t.api('POST', '/api/users', { token: admin, body: { name, password: `${name}-password-123`, role } })).status).toBe(201);
    }
    const tokenOf = async (name: string) => {
      const s = await t.api('POST', '/api/session', { body: { name, password: `${name}-password-123` } });
      const cookie = String(s.headers['set-cookie']).split(';')[0]!;
      return (await t.api('POST', '/api/tokens', { cookie, csrf: s.json.csrf, body: { label: 'mine' } })).json.token as string;
    };
    const viewer = await tokenOf('vera');
    const operator = await tokenOf('otto');
    const addConn = { name: 'src', platform: 'memsecret', config: { instance: 'src', password: SECRET } };
    const byOperator = await t.api('POST', '/api/connections', { token: operator, body: addConn });
    expect(byOperator.status).toBe(403);
    expect(byOperator.json.error).toMatch(/admin role/);
    expect((await t.api('POST', '/api/connections', { token: admin, body: addConn })).status).toBe(201);
    expect((await t.api('POST', '/api/connections', { token: admin, body: { ...addConn, name: 'tgt', config: { instance: 'tgt', password: SECRET } } })).status).toBe(201);
    expect((await t.api('POST', '/api/migrations', { token: operator, body: { yaml: 'name: m\nsource: src\ntarget: tgt\n' } })).status).toBe(201);
    const byViewer = await t.api('POST', '/api/migrations/m/runs', { token: viewer, body: {} });
    expect(byViewer.status).toBe(403);
    expect(byViewer.json.error).toMatch(/operator role/);
    expect((await t.api('GET', '/api/migrations', { token: viewer })).json.map((m: any) => m.name)).toEqual(['m']);
    expect((await t.api('GET', '/api/users', { token: operator })).status).toBe(403);
    expect((await t.api('POST', '/api/migrations/m/runs', { token: operator, body: { reset: true, confirmReset: 'tgt' } })).status).toBe(403);
    expect((await t.api('GET', '/api/connections', { token: viewer })).json.map((c: any) => c.name)).toEqual(['src', 'tgt']);
    const audit = await t.api('GET', '/api/audit', { token: admin });
    expect(audit.json.map((a: any) => `${a.actor} ${a.action} ${a.subject}`)).toEqual(expect.arrayContaining(['root user.add root', 'root user.add vera', 'root connection.add src', 'otto migration.save m']));
    expect((await t.api('GET', '/api/audit.csv', { token: admin })).text.split('\n')[0]).toBe('time,who,action,subject,detail');
    expect((await t.api('GET', '/api/audit', { token: viewer })).status).toBe(403);
  });

  it('malformed bodies get 400 with the field named', async () => {
    const cases: Array<[string, string, { body?: unknown; raw?: string }, string]> = [
      ['POST', '/api/connections', { body: { name: 'a b', platform: 'memsecret', config: {} } }, 'body.name'],
      ['POST', '/api/connections', { body: { name: 'c' } }, 'body.platform'],
      ['POST', '/api/connections', { body: { name: 'c', platform: 'nope', config: {} } }, 'body.platform'],
      ['POST', '/api/connections', { body: { name: 'c', platform: 'memsecret', config: { instance: 'src' } } }, 'body.config.password'],
      ['POST', '/api/connections', { raw: '{"name": "c",' }, 'body'],
      ['POST', '/api/users', { body: { name: 'x', password: 'short', role: 'viewer' } }, 'body.password'],
      ['POST', '/api/users', { body: { name: 'x', password: 'long-enough-password', role: 'king' } }, 'body.role'],
      ['POST', '/api/migrations', { body: { yaml: 42 } }, 'body.yaml'],
      ['POST', '/api/migrations', { body: { yaml: 'name: m2\nsource: src\n' } }, 'yaml.target'],
      ['POST', '/api/migrations/m/runs', { body: { reset: 'yes' } }, 'body.reset'],
      ['DELETE', '/api/migrations/m', { body: { confirm: 'not it' } }, 'body.confirm'],
      ['GET', '/api/runs/abc', {}, 'params.id'],
      ['GET', '/api/runs/1/items?status=NOPE', {}, 'query.status'],
      ['PUT', '/api/runs/1/actions/1', { body: { done: 'maybe' } }, 'body.done'],
    ];
    for (const [method, url, input, field] of cases) {
      const res = await t.api(method, url, { token: admin, ...input });
      expect(res.status, `${method} ${url} ${JSON.stringify(input)}: ${res.text}`).toBe(400);
      expect(res.json.field, `${method} ${url}`).toBe(field);
      expect(res.json.error.length).toBeGreaterThan(10);
    }
  });

  it('the OpenAPI document lists every route the server answers, and the reference page renders it', async () => {
    const doc = (await t.api('GET', '/api/openapi.json', { token: admin })).json;
    const listed = operations(doc).map((o) => `${o.method} ${o.url}`);
    expect(new Set(listed).size).toBe(t.server.routes.length);
    for (const r of t.server.routes) {
      expect(doc.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()], `${r.method} ${r.url}`).toBeDefined();
      expect(t.server.app.hasRoute({ method: r.method, url: r.url })).toBe(true);
    }
    expect(doc.openapi).toBe('3.1.0');
    // A validator that knows OpenAPI 3.1 (it dereferences, so it gets a copy).
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
    expect(doc.paths['/api/connections'].post.requestBody.content['application/json'].schema.required).toEqual(['name', 'platform', 'config']);
    const guide = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
    for (const r of t.server.routes) expect(guide, `docs/api.md lists ${r.method} ${r.url}`).toContain(`\`${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}\``);
    const page = await t.api('GET', '/api/docs', { token: admin });
    expect(page.headers['content-type']).toMatch(/text\/html/);
    for (const path of Object.keys(doc.paths)) expect(page.text).toContain(path);
  });
});
