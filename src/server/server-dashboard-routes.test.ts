import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, SECRET, startTestServer, type TestServer } from './test-server.js';

let t: TestServer;
let admin: string;

beforeAll(async () => {
  t = await startTestServer();
  admin = await adminToken(t);
  const src = t.instances.get('src')!;
  src.put('person', 'ada', 'ada bio');
  for (let i = 0; i < 4; i++) src.put('doc', `doc-${i}`, `body ${i}`, 'ada');
  t.instances.get('tgt')!.faults.failWrite = new Map([['doc-2', { kind: 'data', times: 1 }]]);
  for (const name of ['src', 'tgt']) {
    expect((await t.api('POST', '/api/connections', { token: admin, body: { name, platform: 'memsecret', config: { instance: name, password: SECRET } } })).status).toBe(201);
    expect((await t.api('POST', `/api/connections/${name}/discover`, { token: admin })).status).toBe(200);
  }
});
afterAll(async () => t.close());

async function waitForEnd(runId: number) {
  for (let i = 0; i < 200; i++) {
    const run = (await t.api('GET', `/api/runs/${runId}`, { token: admin })).json;
    if (run.status !== 'RUNNING') return run;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`run ${runId} did not end`);
}

describe('what the dashboard pages read', () => {
  it('pre-checks a saved migration without running it, and a run keeps its findings as events', async () => {
    // An inventory older than 3.6 ms is stale: the checks warn, and the run still starts.
    const yaml = 'name: dash\nsource: src\ntarget: tgt\noptions:\n  inventoryMaxAgeHours: 0.000001\n';
    expect((await t.api('POST', '/api/migrations', { token: admin, body: { yaml } })).status).toBe(201);
    const checked = await t.api('POST', '/api/migrations/dash/prechecks', { token: admin, body: {} });
    expect(checked.status).toBe(200);
    expect(checked.json.findings.filter((f: { code: string }) => f.code === 'inventory-stale')).toHaveLength(2);
    expect(checked.json.findings.every((f: { level: string }) => f.level === 'warning')).toBe(true);
    expect(checked.json.jobs.flatMap((j: { steps: Array<{ type: string }> }) => j.steps.map((s) => s.type))).toEqual(expect.arrayContaining(['person', 'doc']));
    expect((await t.api('GET', '/api/migrations/dash', { token: admin })).json.runs).toEqual([]);

    const started = await t.api('POST', '/api/migrations/dash/runs', { token: admin, body: {} });
    expect(started.status).toBe(202);
    const run = await waitForEnd(started.json.id);
    expect(run.migrationName).toBe('dash');
    expect(run.typeCounts.doc).toMatchObject({ COMPLETE: 3, FAILED: 1 });
    expect(run.typeCounts.person).toMatchObject({ COMPLETE: 1 });
    const events = (await t.api('GET', `/api/runs/${run.id}/events?afterId=0&limit=50`, { token: admin })).json as Array<{ step: string | null; level: string; message: string }>;
    const findings = events.filter((e) => e.step === 'pre-checks');
    expect(findings).toHaveLength(2);
    expect(findings.every((e) => e.level === 'warn' && /^Pre-check warning: The (source|target) inventory/.test(e.message))).toBe(true);
  });

  it('refuses pre-checks to a viewer and names an unknown migration', async () => {
    expect((await t.api('POST', '/api/migrations/nope/prechecks', { token: admin, body: {} })).status).toBe(404);
    expect((await t.api('POST', '/api/users', { token: admin, body: { name: 'vic', password: 'a long password 1', role: 'viewer' } })).status).toBe(201);
    const session = await t.api('POST', '/api/session', { body: { name: 'vic', password: 'a long password 1' } });
    const cookie = String(session.headers['set-cookie']).split(';')[0]!;
    const viewerToken = (await t.api('POST', '/api/tokens', { cookie, csrf: session.json.csrf, body: { label: 'v' } })).json.token;
    expect((await t.api('POST', '/api/migrations/dash/prechecks', { token: viewerToken, body: {} })).status).toBe(403);
  });
});
