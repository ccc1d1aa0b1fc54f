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
});
