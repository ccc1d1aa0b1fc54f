import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/ports.js';
import { spawnFerry } from './cli.js';
import { scratch } from './wikis.js';

/** `ferry demo` as the README runs it (smaller): the second run finds everything in place and creates nothing. */
describe('the demo command', () => {
  const root = scratch('e2e-demo');
  afterAll(() => void (process.env.FERRY_KEEP_TEST_DIRS || rmSync(root, { recursive: true, force: true })));

  const demo = () => spawnFerry(join(root, 'unused'), ['demo', '--dir', join(root, 'demo'), '--pages', '40']).done;
  const lastRun = async () => {
    const status = await spawnFerry(join(root, 'demo', 'data'), ['status', 'demo', '--json']).done;
    return (JSON.parse(status.stdout) as { runs: RunRecord[] }).runs[0]!;
  };

  it('migrates on the first run and creates nothing on the second', async () => {
    const first = await demo();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Run 1 (run) FINISHED');
    expect(first.stdout).toMatch(/Post-migration actions \(\d+\)/);
    expect(first.stdout).toMatch(/Log file: .*Ferry_\d{8}_\d{6}\.txt/);
    expect((await lastRun()).summary?.totals.created).toBeGreaterThan(40);

    const second = await demo();
    expect(second.code, second.stderr).toBe(0);
    const run = await lastRun();
    expect(run.id).toBe(2);
    expect(run.summary?.totals).toMatchObject({ created: 0, updated: 0, failed: 0 });
  });

  it('with --serve keeps the dashboard open on the demo, prints its address and setup token, and stops on Ctrl-C', async () => {
    const served = spawnFerry(join(root, 'unused'), ['demo', '--dir', join(root, 'demo'), '--pages', '40', '--serve', '--port', '0']);
    let stdout = '';
    served.child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const deadline = Date.now() + 300_000;
    while (!stdout.includes('Press Ctrl-C') && served.child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const url = /Ferry dashboard on (http:\/\/\S+?)\/ /.exec(stdout)?.[1];
    expect(url, stdout).toBeDefined();
    const token = /^\s+(setup_\S+)\s*$/m.exec(stdout)?.[1];
    expect(token, stdout).toBeDefined();
    // The dashboard's page is served; the API behind it wants the first admin, then shows the demo's runs.
    expect(await (await fetch(`${url}/`)).text()).toContain('<div id="root">');
    expect(await (await fetch(`${url}/api/setup`)).json()).toEqual({ needed: true });
    const setup = await fetch(`${url}/api/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, name: 'admin', password: 'demo-password-123' }) });
    expect(setup.status).toBe(201);
    const cookie = setup.headers.get('set-cookie')!.split(';')[0]!;
    const migrations = (await (await fetch(`${url}/api/migrations`, { headers: { cookie } })).json()) as Array<{ name: string; status: string }>;
    expect(migrations).toEqual([expect.objectContaining({ name: 'demo', status: 'FINISHED' })]);
    served.child.kill('SIGINT');
    const result = await served.done;
    expect(result.code, result.stderr).toBe(0);
  });
});
