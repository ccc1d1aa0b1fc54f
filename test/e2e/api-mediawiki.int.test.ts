import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WikiInstance } from '../../src/harness/mediawiki.js';
import { spawnFerry } from './cli.js';
import { expectSourceOnTarget, smallSource, TOOLS } from './small-wiki.js';
import { snapshotWiki, type WikiSnapshot } from './wiki-snapshot.js';
import { scratch, target, writePlan } from './wikis.js';

/**
 * A real MediaWiki migration through `ferry serve` (the real command, its own
 * process): sign in with the setup token it prints, add both wikis, run,
 * watch the run over SSE; then a run started by the CLI on the same data
 * folder is seen by the server too. No answer, SSE message, CSV, console
 * line or file holds a bot password.
 */
describe('the REST API drives a real MediaWiki migration', () => {
  let root: string;
  let source: WikiInstance;
  let tgt: WikiInstance;
  let sourceSnap: WikiSnapshot;
  let targetBefore: WikiSnapshot;
  let dataDir: string;
  let server: ReturnType<typeof spawnFerry>;
  let base = '';
  let token = '';
  const texts: string[] = [];

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    texts.push(text);
    return { status: res.status, text, json: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : undefined };
  };

  const stream = async (runId: number) => {
    const res = await fetch(`${base}/api/runs/${runId}/stream`, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    texts.push(text);
    return text.split('\n\n').filter((b) => b.includes('event: ')).map((b) => ({ event: /event: (\w+)/.exec(b)![1]!, data: JSON.parse(/data: (.*)/.exec(b)![1]!) }));
  };

  beforeAll(async () => {
    root = scratch('e2e-api');
    ({ source } = await smallSource(root, 'API Source'));
    tgt = await target(root, 'API Target');
    sourceSnap = await snapshotWiki(source.apiUrl, { tools: TOOLS });
    targetBefore = await snapshotWiki(tgt.apiUrl, { tools: TOOLS });
    dataDir = join(root, 'data');
    server = spawnFerry(dataDir, ['serve', '--port', '0']);
    let out = '';
    server.child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    for (let i = 0; i < 300 && !/setup_\S+/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    base = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
    const setupToken = /(setup_\S+)/.exec(out)![1]!;
    const setup = await fetch(`${base}/api/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: setupToken, name: 'admin', password: 'admin-password-123' }) });
    expect(setup.status).toBe(201);
    const cookie = setup.headers.get('set-cookie')!.split(';')[0]!;
    const { csrf } = (await setup.json()) as { csrf: string };
    const made = await fetch(`${base}/api/tokens`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: JSON.stringify({ label: 'e2e' }) });
    token = ((await made.json()) as { token: string }).token;
  }, 600_000);

  afterAll(async () => {
    server?.child.kill('SIGINT');
    const result = await server?.done;
    if (result) {
      texts.push(result.stdout, result.stderr);
      expect(result.code, result.stderr).toBe(0);
    }
    for (const wiki of [source, tgt]) await wiki?.stop();
    if (!process.env.FERRY_KEEP_TEST_DIRS) rmSync(root, { recursive: true, force: true });
  });

  it('adds and checks both wikis, runs the plan in the server, and the SSE feed shows every step turn Success', async () => {
    for (const [name, wiki] of [['src', source], ['tgt', tgt]] as const) {
      const added = await api('POST', '/api/connections', { name, platform: 'mediawiki', config: { url: wiki.url, username: wiki.botUser, password: wiki.botPassword } });
      expect(added.status, added.text).toBe(201);
      expect(added.json.identity.siteName).toBe(name === 'src' ? 'API Source' : 'API Target');
      expect((await api('POST', `/api/connections/${name}/check`)).json.platform).toBe('mediawiki');
    }
    const saved = await api('POST', '/api/migrations', { yaml: 'name: api-move\nsource: src\ntarget: tgt\n' });
    expect(saved.status, saved.text).toBe(201);
    const started = await api('POST', '/api/migrations/api-move/runs', {});
    expect(started.status, started.text).toBe(202);
    const events = await stream(started.json.id);
    const steps = events.filter((e) => e.event === 'step');
    expect(steps.some((e) => e.data.status === 'Running')).toBe(true);
    const finalSteps = (await api('GET', `/api/runs/${started.json.id}/steps`)).json as Array<{ type: string; status: string }>;
    for (const s of finalSteps.filter((s) => s.status !== 'Skipped')) {
      expect(s.status, s.type).toBe('Success');
      expect(steps.some((e) => e.data.idx !== undefined && e.data.type === s.type && e.data.status === 'Success'), `SSE showed ${s.type} Success`).toBe(true);
    }
    expect(events.at(-1)).toEqual({ event: 'end', data: { status: 'FINISHED' } });
    expectSourceOnTarget(sourceSnap, await snapshotWiki(tgt.apiUrl, { tools: TOOLS }), targetBefore);
    const csv = await api('GET', `/api/runs/${started.json.id}/items.csv`);
    const counts = (await api('GET', `/api/runs/${started.json.id}`)).json.counts as Record<string, number>;
    expect(csv.text.trim().split('\n').length - 1).toBe(Object.values(counts).reduce((a, b) => a + b, 0));
  });

  it('a run started by the CLI on the same data folder is seen by the server, and a verify through the API finds no damage', async () => {
    const plan = writePlan(root, 'api-move', 'name: api-move\nsource: src\ntarget: tgt\n');
    const cli = spawnFerry(dataDir, ['run', plan]);
    let runId: number | undefined;
    for (let i = 0; i < 600 && runId === undefined; i++) {
      const detail = (await api('GET', '/api/migrations/api-move')).json;
      const fresh = (detail.runs as Array<{ id: number; kind: string }>).find((r) => r.kind === 'run' && r.id > 1);
      runId = fresh?.id;
      if (runId === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    expect(runId).toBeDefined();
    const events = await stream(runId!);
    expect(events.at(-1)).toEqual({ event: 'end', data: { status: 'FINISHED' } });
    const result = await cli.done;
    texts.push(result.stdout, result.stderr);
    expect(result.code, result.stderr).toBe(0);
    const verify = await api('POST', '/api/migrations/api-move/verify');
    expect(verify.status, verify.text).toBe(202);
    const verifyEvents = await stream(verify.json.id);
    expect(verifyEvents.at(-1)?.event).toBe('end');
    const verified = (await api('GET', `/api/runs/${verify.json.id}`)).json;
    expect(verified.summary.verify.discrepancyCount, JSON.stringify(verified.summary.verify.discrepancies.slice(0, 3))).toBe(0);
    const audit = (await api('GET', '/api/audit')).json.map((a: { action: string }) => a.action);
    expect(audit).toEqual(expect.arrayContaining(['user.add', 'connection.add', 'migration.save', 'run.start', 'run.verify']));
  });

  it('no answer, SSE message, CSV, console line or file holds a bot password', async () => {
    const secrets = [source.botPassword, tgt.botPassword];
    for (const text of texts) for (const secret of secrets) expect(text.includes(secret)).toBe(false);
    const walk = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));
    const files = walk(dataDir);
    expect(files.some((f) => f.endsWith('ferry-process.log'))).toBe(true);
    for (const file of files) for (const secret of secrets) expect(readFileSync(file).includes(secret), file).toBe(false);
  });
});
