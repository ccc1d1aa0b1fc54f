import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, SECRET, startTestServer, type TestServer } from './test-server.js';

let t: TestServer;
let admin: string;
let base: string;
const sse: string[] = [];

beforeAll(async () => {
  t = await startTestServer();
  admin = await adminToken(t);
  await t.server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.server.app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const src = t.instances.get('src')!;
  for (const p of ['ada', 'bob']) src.put('person', p, `${p} bio`);
  for (let i = 0; i < 12; i++) src.put('doc', `doc-${String(i).padStart(2, '0')}`, `body ${i}`, i % 2 ? 'ada' : 'bob');
  t.instances.get('tgt')!.faults.withoutAuthor = new Set(['doc-03']);
  t.instances.get('tgt')!.faults.failWrite = new Map([['doc-05', { kind: 'data', times: 1 }]]);
  for (const name of ['src', 'tgt']) {
    const added = await t.api('POST', '/api/connections', { token: admin, body: { name, platform: 'memsecret', config: { instance: name, password: SECRET } } });
    expect(added.status).toBe(201);
  }
});
afterAll(async () => t.close());

/** Reads a run's SSE stream to its end over real HTTP, the way a browser's EventSource does. */
async function readStream(runId: number): Promise<Array<{ event: string; data: any }>> {
  const res = await fetch(`${base}/api/runs/${runId}/stream`, { headers: { authorization: `Bearer ${admin}` } });
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const text = await res.text();
  sse.push(text);
  return text
    .split('\n\n')
    .filter((block) => block.includes('event: '))
    .map((block) => ({ event: /event: (\w+)/.exec(block)![1]!, data: JSON.parse(/data: (.*)/.exec(block)![1]!) }));
}

async function waitForEnd(runId: number) {
  for (let i = 0; i < 200; i++) {
    const run = (await t.api('GET', `/api/runs/${runId}`, { token: admin })).json;
    if (run.status !== 'RUNNING') return run;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`run ${runId} did not end`);
}

describe('runs through the API', () => {
  it('checks and discovers a connection; secrets are not returned', async () => {
    const checked = await t.api('POST', '/api/connections/src/check', { token: admin });
    expect(checked.json).toMatchObject({ platform: 'memory', siteName: 'Source' });
    const found = await t.api('POST', '/api/connections/src/discover', { token: admin });
    expect(found.json.types).toContainEqual({ type: 'doc', count: 12 });
    const one = await t.api('GET', '/api/connections/src', { token: admin });
    expect(one.json.config).toEqual({ instance: 'src' });
    expect(one.json.discoveredAt).not.toBeNull();
    const platforms = await t.api('GET', '/api/platforms', { token: admin });
    expect(platforms.json.find((p: any) => p.platform === 'memsecret')).toMatchObject({ secretFields: ['password'], configSchema: { required: ['instance', 'password'] } });
    const refused = await t.api('POST', '/api/connections', { token: admin, body: { name: 'bad', platform: 'memsecret', config: { instance: 'src', password: 'wrong' } } });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatch(/password was refused/);
    expect((await t.api('GET', '/api/connections', { token: admin })).json.map((c: any) => c.name)).toEqual(['src', 'tgt']);
  });

  it('validates and previews a plan, saves it as a migration', async () => {
    const yaml = 'name: move\nsource: src\ntarget: tgt\n';
    expect((await t.api('POST', '/api/plans/validate', { token: admin, body: { yaml } })).json).toMatchObject({ valid: true, name: 'move', warnings: [] });
    const same = await t.api('POST', '/api/plans/validate', { token: admin, body: { yaml: 'name: x\nsource: src\ntarget: src\n' } });
    expect(same.status).toBe(400);
    expect(same.json.error).toMatch(/same instance/);
    const preview = await t.api('POST', '/api/plans/preview', { token: admin, body: { yaml } });
    expect(preview.status).toBe(200);
    expect(preview.json.rows.filter((r: any) => r.type === 'doc')).toHaveLength(12);
    expect((await t.api('GET', '/api/migrations', { token: admin })).json).toEqual([]);
    const saved = await t.api('POST', '/api/migrations', { token: admin, body: { yaml } });
    expect(saved.status).toBe(201);
    expect((await t.api('GET', '/api/migrations', { token: admin })).json).toMatchObject([{ name: 'move', status: 'SAVED', lastRunId: null }]);
  });

  it('starts a run in the background, streams its progress as SSE, and keeps its record for the CLI', async () => {
    // Slow writes (about 1 s of doc writes), so the run is still going when the request answers and the stream, which polls every 300 ms, sees it progress even on a loaded machine.
    t.instances.get('tgt')!.faults.writeDelayMs = 200;
    const started = await t.api('POST', '/api/migrations/move/runs', { token: admin, body: {} });
    expect(started.status).toBe(202);
    expect(started.json).toMatchObject({ kind: 'run', status: 'RUNNING' });
    const runId = started.json.id as number;
    const events = await readStream(runId);
    const steps = events.filter((e) => e.event === 'step');
    expect(steps.some((e) => e.data.type === 'doc' && e.data.status === 'Running')).toBe(true);
    expect(events.filter((e) => e.event === 'event').length).toBeGreaterThan(0);
    expect(events.at(-1)).toEqual({ event: 'end', data: { status: 'INCOMPLETE' } });
    t.instances.get('tgt')!.faults.writeDelayMs = 0;
    // The store holds what `ferry status` reads: the run, its steps, its items.
    const run = await t.ferry.store.getRun(runId);
    expect(run?.status).toBe('INCOMPLETE');
    expect((await t.api('GET', '/api/runs/' + runId, { token: admin })).json.counts).toMatchObject({ COMPLETE: 13, FAILED: 1 });
    expect(t.instances.get('tgt')!.get('doc', 'doc-00')?.body).toBe('body 0');
    const listed = await t.api('GET', '/api/migrations', { token: admin });
    expect(listed.json[0]).toMatchObject({ status: 'INCOMPLETE', lastRunId: runId });
  });

  it('lists items by status a page at a time, as JSON and CSV; steps and events', async () => {
    const runId = (await t.api('GET', '/api/migrations', { token: admin })).json[0].lastRunId;
    const failed = await t.api('GET', `/api/runs/${runId}/items?status=FAILED`, { token: admin });
    expect(failed.json.items.map((i: any) => i.sourceId)).toEqual(['doc-05']);
    const page = await t.api('GET', `/api/runs/${runId}/items?type=doc&limit=5&offset=5`, { token: admin });
    expect(page.json.items.map((i: any) => i.sourceId)).toEqual(['doc-05', 'doc-06', 'doc-07', 'doc-08', 'doc-09']);
    const csv = await t.api('GET', `/api/runs/${runId}/items.csv`, { token: admin });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('type,source_id,key,label,status,outcome,target_id,reason,attempts,updated_at');
    expect(lines).toHaveLength(15);
    expect(lines.find((l) => l.startsWith('doc,doc-05,'))).toMatch(/,FAILED,/);
    const steps = await t.api('GET', `/api/runs/${runId}/steps`, { token: admin });
    expect(steps.json.map((s: any) => [s.type, s.status])).toEqual([['person', 'Success'], ['doc', 'Error']]);
    expect((await t.api('GET', `/api/runs/${runId}/events`, { token: admin })).json.length).toBeGreaterThan(0);
    expect((await t.api('GET', `/api/runs/${runId}/events.csv`, { token: admin })).text.split('\n')[0]).toBe('time,level,run,step,item,message');
    expect((await t.api('GET', `/api/runs/${runId}/log`, { token: admin })).text).toMatch(/migration "move", run/);
  });

  it('post-migration actions carry a done flag that is stored', async () => {
    const runId = (await t.api('GET', '/api/migrations', { token: admin })).json[0].lastRunId;
    const actions = (await t.api('GET', `/api/runs/${runId}/actions`, { token: admin })).json;
    const missing = actions.find((a: any) => a.sourceId === 'doc-03');
    expect(missing).toMatchObject({ doneAt: null });
    expect((await t.api('PUT', `/api/runs/${runId}/actions/${missing.id}`, { token: admin, body: { done: true } })).json).toEqual({ id: missing.id, done: true });
    const again = (await t.ferry.store.listStoredActions(runId)).find((a) => a.id === missing.id);
    expect(again).toMatchObject({ doneBy: 'root' });
    expect((await t.api('PUT', `/api/runs/${runId}/actions/999999`, { token: admin, body: { done: true } })).status).toBe(404);
  });

  it('re-runs the failed item, verifies, undoes, and audits each', async () => {
    const runId = (await t.api('GET', '/api/migrations', { token: admin })).json[0].lastRunId;
    const unknown = await t.api('POST', `/api/runs/${runId}/rerun`, { token: admin, body: { sourceIds: ['doc-00'] } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.field).toBe('body.sourceIds');
    const rerun = await t.api('POST', `/api/runs/${runId}/rerun`, { token: admin, body: {} });
    expect(rerun.status).toBe(202);
    expect(await waitForEnd(rerun.json.id)).toMatchObject({ status: 'FINISHED', counts: { COMPLETE: 1 } });
    expect(t.instances.get('tgt')!.get('doc', 'doc-05')?.body).toBe('body 5');
    const verify = await t.api('POST', '/api/migrations/move/verify', { token: admin });
    expect(verify.status).toBe(202);
    const verified = await waitForEnd(verify.json.id);
    expect(verified.kind).toBe('verify');
    expect(verified.summary.verify).toBeDefined();
    const undo = await t.api('POST', `/api/runs/${runId}/undo`, { token: admin, body: { type: 'doc' } });
    expect(undo.status).toBe(202);
    expect((await waitForEnd(undo.json.id)).status).toBe('FINISHED');
    expect(t.instances.get('tgt')!.get('doc', 'doc-00')).toBeUndefined();
    const audit = (await t.api('GET', '/api/audit', { token: admin })).json.map((a: any) => a.action);
    expect(audit).toEqual(expect.arrayContaining(['run.start', 'run.rerun', 'run.verify', 'run.undo']));
  });

  it('stops a run and cancels items; a second start while one runs is refused', async () => {
    t.instances.get('tgt')!.faults.writeDelayMs = 150;
    const started = await t.api('POST', '/api/migrations/move/runs', { token: admin, body: {} });
    expect(started.status).toBe(202);
    expect((await t.api('POST', '/api/migrations/move/runs', { token: admin, body: {} })).status).toBe(409);
    const cancelled = await t.api('POST', `/api/runs/${started.json.id}/cancel`, { token: admin, body: { type: 'doc' } });
    expect(cancelled.status).toBe(200);
    expect((await t.api('POST', '/api/migrations/move/stop', { token: admin })).json.id).toBe(started.json.id);
    expect((await waitForEnd(started.json.id)).status).toBe('STOPPED');
    t.instances.get('tgt')!.faults.writeDelayMs = 0;
    const audit = (await t.api('GET', '/api/audit', { token: admin })).json.map((a: any) => a.action);
    expect(audit).toEqual(expect.arrayContaining(['run.stop', 'run.cancel-items']));
  });

  it('reset needs its confirmation naming the target', async () => {
    const unconfirmed = await t.api('POST', '/api/migrations/move/runs', { token: admin, body: { reset: true } });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.json.field).toBe('body.confirmReset');
    expect(unconfirmed.json.error).toMatch(/"tgt"/);
  });

  it('workers on the SQLite store: a 400 that says to serve on PostgreSQL with --workers, and no run starts', async () => {
    const before = (await t.api('GET', '/api/migrations/move', { token: admin })).json.runs.length;
    const refused = await t.api('POST', '/api/migrations/move/runs', { token: admin, body: { workers: true } });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ field: 'body.workers', error: expect.stringMatching(/need the store on PostgreSQL/) });
    expect(refused.json.hint).toMatch(/ferry serve --store postgres:\/\/.* --workers/);
    const rerun = await t.api('POST', `/api/runs/${(await t.ferry.store.lastRun((await t.ferry.migrations.byName('move')).id))!.id}/rerun`, { token: admin, body: { workers: true } });
    expect(rerun.status).toBe(400);
    expect(rerun.json.field).toBe('body.workers');
    expect((await t.api('GET', '/api/migrations/move', { token: admin })).json.runs.length).toBe(before);
    // A run done in the server is not a run on workers.
    const last = (await t.api('GET', '/api/migrations/move', { token: admin })).json.runs[0];
    expect((await t.api('GET', `/api/runs/${last.id}`, { token: admin })).json.workers).toBeNull();
  });

  it('copies, archives, unarchives and deletes a migration with a confirmation naming it', async () => {
    const copy = await t.api('POST', '/api/migrations/move/copy', { token: admin, body: { name: 'move-2' } });
    expect(copy.status).toBe(201);
    expect((await t.api('GET', '/api/migrations/move-2', { token: admin })).json.planYaml).toMatch(/^name: move-2$/m);
    expect((await t.api('POST', '/api/migrations/move/copy', { token: admin, body: { name: 'move-2' } })).status).toBe(400);
    await t.api('POST', '/api/migrations/move-2/archive', { token: admin });
    expect((await t.api('GET', '/api/migrations', { token: admin })).json.map((m: any) => m.name)).toEqual(['move']);
    expect((await t.api('GET', '/api/migrations?archived=true', { token: admin })).json.map((m: any) => m.name)).toEqual(['move-2']);
    await t.api('POST', '/api/migrations/move-2/unarchive', { token: admin });
    expect((await t.api('DELETE', '/api/migrations/move-2', { token: admin, body: { confirm: 'move-2' } })).status).toBe(204);
    expect((await t.api('GET', '/api/migrations/move-2', { token: admin })).status).toBe(404);
    const inUse = await t.api('DELETE', '/api/connections/src', { token: admin });
    expect(inUse.status).toBe(400);
    expect(inUse.json.error).toMatch(/"move"/);
  });

  it('the live migrations feed shows a run started outside the API (as by the CLI) with its outcome', async () => {
    const abort = new AbortController();
    const res = await fetch(`${base}/api/stream`, { headers: { authorization: `Bearer ${admin}` }, signal: abort.signal });
    const reader = res.body!.getReader();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before ${pattern}: ${text}`);
        text += Buffer.from(value).toString();
      }
    };
    await until(/event: ready/);
    expect(text).toMatch(/"name":"move"/);
    const run = await t.ferry.run(await t.ferry.migrations.byName('move'));
    await until(new RegExp(`"lastRun":\\{"id":${run.id},"kind":"run","status":"${run.status}"`));
    abort.abort();
    sse.push(text);
  });

  it('no response, SSE message, CSV or log line contains a connection\'s password', async () => {
    expect(t.seen.length).toBeGreaterThan(50);
    expect(sse.length).toBeGreaterThan(0);
    for (const text of [...t.seen, ...sse]) expect(text).not.toContain(SECRET);
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else files.push(path);
      }
    };
    await new Promise<void>((resolve, reject) => t.ferry.logger.flush((error) => (error ? reject(error) : resolve())));
    walk(t.dataDir);
    // The process log, the run logs and the store itself (secrets are sealed there).
    expect(files.filter((f) => f.endsWith('ferry-process.log'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.txt')).length).toBeGreaterThan(4);
    expect(files.filter((f) => f.endsWith('ferry.sqlite'))).toHaveLength(1);
    for (const file of files) expect(readFileSync(file).includes(SECRET), file).toBe(false);
  });
});
