import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, SECRET, startTestServer, type TestServer } from './test-server.js';

let t: TestServer;
let admin: string;
let viewer: string;

const plan = `# the wiki move, split by title
name: jm
source: src
target: tgt
options:
  verify: false # fast
`;

beforeAll(async () => {
  t = await startTestServer();
  admin = await adminToken(t);
  const src = t.instances.get('src')!;
  for (const p of ['ada', 'bob']) src.put('person', p, `${p} bio`);
  for (let i = 0; i < 12; i++) src.put('doc', `doc-${String(i).padStart(2, '0')}`, `body ${i}`, i % 2 ? 'ada' : 'bob');
  for (const name of ['src', 'tgt']) {
    expect((await t.api('POST', '/api/connections', { token: admin, body: { name, platform: 'memsecret', config: { instance: name, password: SECRET } } })).status).toBe(201);
  }
  expect((await t.api('POST', '/api/migrations', { token: admin, body: { yaml: plan } })).status).toBe(201);
  expect((await t.api('POST', '/api/users', { token: admin, body: { name: 'vera', password: 'vera-password-123', role: 'viewer' } })).status).toBe(201);
  const s = await t.api('POST', '/api/session', { body: { name: 'vera', password: 'vera-password-123' } });
  viewer = (await t.api('POST', '/api/tokens', { cookie: String(s.headers['set-cookie']).split(';')[0]!, csrf: s.json.csrf, body: { label: 'v' } })).json.token;
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

const split = [
  { name: 'People', steps: ['person'] },
  { name: 'Early docs', steps: ['doc'], scope: [{ pattern: 'doc-0*' }] },
  { name: 'Late docs', steps: ['doc'], scope: [{ pattern: 'doc-1*' }] },
];

describe('jobs through the API', () => {
  it('GET jobs answers the standard jobs of a plan without jobs, with the types a step can take', async () => {
    const got = await t.api('GET', '/api/migrations/jm/jobs', { token: viewer });
    expect(got.status).toBe(200);
    expect(got.json.standard).toBe(true);
    expect(got.json.jobs.map((j: any) => [j.name, j.steps.map((s: any) => s.type)])).toEqual([['Users and groups', ['person']], ['Content', ['doc']]]);
    expect(got.json.types.map((x: any) => x.name)).toEqual(['person', 'doc']);
    expect((await t.api('PUT', '/api/migrations/jm/jobs', { token: viewer, body: { jobs: split } })).status).toBe(403);
  });

  it('PUT jobs refuses what the planner refuses, naming the field, and keeps the plan text otherwise', async () => {
    const unknown = await t.api('PUT', '/api/migrations/jm/jobs', { token: admin, body: { jobs: [{ name: 'A', steps: ['person'] }, { name: 'B', steps: ['doc', 'page'] }] } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.field).toBe('body.jobs.1.steps.1');
    expect(unknown.json.error).toMatch(/unknown step "page"/);
    const twice = await t.api('PUT', '/api/migrations/jm/jobs', { token: admin, body: { jobs: [{ name: 'A', steps: ['person'] }, { name: 'A', steps: ['doc'] }] } });
    expect(twice.status).toBe(400);
    expect(twice.json.field).toBe('body.jobs.1.name');
    const shape = await t.api('PUT', '/api/migrations/jm/jobs', { token: admin, body: { jobs: [{ name: 'A', steps: [] }] } });
    expect(shape.status).toBe(400);
    expect(shape.json.field).toBe('body.jobs.0.steps');
    const badScope = await t.api('PUT', '/api/migrations/jm/jobs', { token: admin, body: { jobs: [{ name: 'A', steps: ['doc'], scope: [{ modifiedSince: 'yesterday' }] }] } });
    expect(badScope.status).toBe(400);
    expect(badScope.json.field).toBe('body.jobs.0.scope.0.modifiedSince');
    expect((await t.api('GET', '/api/migrations/jm', { token: admin })).json.planYaml).toBe(plan);
  });

  it('PUT jobs saves two jobs of one type with their scopes; an out-of-order job warns, not refuses', async () => {
    const saved = await t.api('PUT', '/api/migrations/jm/jobs', { token: admin, body: { jobs: split } });
    expect(saved.status).toBe(200);
    expect(saved.json.standard).toBe(false);
    expect(saved.json.jobs.map((j: any) => [j.name, j.scope])).toEqual([['People', []], ['Early docs', [{ pattern: 'doc-0*' }]], ['Late docs', [{ pattern: 'doc-1*' }]]]);
    const yaml = (await t.api('GET', '/api/migrations/jm', { token: admin })).json.planYaml as string;
    expect(yaml).toContain('# the wiki move, split by title');
    expect(yaml).toContain('verify: false # fast');
    expect(yaml).toMatch(/jobs:\n\s+- name: People/);
    const reordered = await t.api('PUT', '/api/migrations/jm/jobs', { token: admin, body: { jobs: [split[1], split[0], split[2]] } });
    expect(reordered.status).toBe(200);
    expect(reordered.json.warnings[0]).toMatch(/Step "doc" \(job "Early docs"\) runs before "person"/);
    expect((await t.api('PUT', '/api/migrations/jm/jobs', { token: admin, body: { jobs: split } })).status).toBe(200);
    const audit = (await t.api('GET', '/api/audit', { token: admin })).json.map((a: any) => `${a.action} ${a.subject}`);
    expect(audit).toContain('migration.jobs jm');
  });

  it('runs one job: the others are Skipped; an unknown job is a 400 naming the jobs', async () => {
    const bad = await t.api('POST', '/api/migrations/jm/runs', { token: admin, body: { job: 'Nope' } });
    expect(bad.status).toBe(400);
    expect(bad.json.field).toBe('body.job');
    expect(bad.json.hint).toBe('its jobs are: "People", "Early docs", "Late docs"');
    const started = await t.api('POST', '/api/migrations/jm/runs', { token: admin, body: { job: 'People' } });
    expect(started.status).toBe(202);
    await waitForEnd(started.json.id);
    const steps = (await t.api('GET', `/api/runs/${started.json.id}/steps`, { token: admin })).json;
    expect(steps.map((s: any) => [s.job, s.status, s.reason])).toEqual([
      ['People', 'Success', null],
      ['Early docs', 'Skipped', "not in this run's jobs"],
      ['Late docs', 'Skipped', "not in this run's jobs"],
    ]);
    expect(t.instances.get('tgt')!.get('person', 'ada')).toBeDefined();
    expect(t.instances.get('tgt')!.get('doc', 'doc-00')).toBeUndefined();
  });

  it('undoes one job of a run, or one step in one job; unknown ones are 400 naming the field', async () => {
    const full = await t.api('POST', '/api/migrations/jm/runs', { token: admin, body: {} });
    const run = await waitForEnd(full.json.id);
    expect(run.status).toBe('FINISHED');
    const tgt = t.instances.get('tgt')!;
    expect(tgt.get('doc', 'doc-11')).toBeDefined();
    const badJob = await t.api('POST', `/api/runs/${run.id}/undo`, { token: admin, body: { job: 'Nope' } });
    expect([badJob.status, badJob.json.field]).toEqual([400, 'body.job']);
    const badStep = await t.api('POST', `/api/runs/${run.id}/undo`, { token: admin, body: { job: 'People', step: 'doc' } });
    expect([badStep.status, badStep.json.field]).toEqual([400, 'body.step']);
    const undoLate = await t.api('POST', `/api/runs/${run.id}/undo`, { token: admin, body: { job: 'Late docs' } });
    expect(undoLate.status).toBe(202);
    expect((await waitForEnd(undoLate.json.id)).summary.totals.removed).toBe(2);
    expect(tgt.get('doc', 'doc-11')).toBeUndefined();
    expect(tgt.get('doc', 'doc-09')).toBeDefined();
    const undoStep = await t.api('POST', `/api/runs/${run.id}/undo`, { token: admin, body: { job: 'Early docs', step: 'doc' } });
    expect((await waitForEnd(undoStep.json.id)).summary.totals.removed).toBe(10);
    expect(tgt.get('doc', 'doc-00')).toBeUndefined();
    // People were migrated by the first run (the People job alone): this run adopted nothing of them to remove.
    expect(tgt.get('person', 'ada')).toBeDefined();
    const audit = (await t.api('GET', '/api/audit', { token: admin })).json.map((a: any) => `${a.action} ${a.detail ?? ''}`);
    expect(audit).toContain(`run.undo as run ${undoLate.json.id}, job Late docs`);
  });

  it('PUT migration replaces the plan, renames it, and refuses a name taken', async () => {
    expect((await t.api('POST', '/api/migrations', { token: admin, body: { yaml: 'name: other\nsource: src\ntarget: tgt\n' } })).status).toBe(201);
    const taken = await t.api('PUT', '/api/migrations/jm', { token: admin, body: { yaml: 'name: other\nsource: src\ntarget: tgt\n' } });
    expect(taken.status).toBe(400);
    expect(taken.json.field).toBe('body.yaml.name');
    const invalid = await t.api('PUT', '/api/migrations/jm', { token: admin, body: { yaml: 'name: jm\nsource: src\n' } });
    expect(invalid.status).toBe(400);
    expect(invalid.json.field).toMatch(/target/);
    const byViewer = await t.api('PUT', '/api/migrations/jm', { token: viewer, body: { yaml: plan } });
    expect(byViewer.status).toBe(403);
    const renamed = await t.api('PUT', '/api/migrations/jm', { token: admin, body: { yaml: plan.replace('name: jm', 'name: jm2').replace('verify: false', 'verify: true') } });
    expect(renamed.status).toBe(200);
    expect(renamed.json.name).toBe('jm2');
    const got = (await t.api('GET', '/api/migrations/jm2', { token: admin })).json;
    expect(got.planYaml).toContain('verify: true # fast');
    expect(got.runs.length).toBeGreaterThan(0);
    expect((await t.api('GET', '/api/migrations/jm', { token: admin })).status).toBe(404);
  });
});
