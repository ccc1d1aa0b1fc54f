import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { WikiInstance } from '../../src/harness/mediawiki.js';
import { ferry, type CliResult } from './cli.js';
import { snapshotWiki } from './wiki-snapshot.js';
import { addConnection, scratch, target, writePlan } from './wikis.js';

/** A user error: non-zero exit, one clear message, no stack trace. */
function expectUserError(result: CliResult, pattern: RegExp): void {
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.stderr).toMatch(/^error: /m);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(result.stderr).not.toMatch(/internal error/);
}

describe('bad input gets a clear error and writes nothing', () => {
  let root: string;
  let dataDir: string;
  let source: WikiInstance;
  let noLua: WikiInstance;

  beforeAll(async () => {
    root = scratch('e2e-bad');
    dataDir = join(root, 'data');
    source = await target(root, 'Bad Source');
    await source.php('edit.php', ['--user', 'Admin', 'Module:Greeter'], { input: 'return { hello = function() return "hi" end }' });
    await source.php('edit.php', ['--user', 'Admin', 'Plain page'], { input: 'Some text.' });
    noLua = await target(root, 'No Lua Target', { scribunto: false });
    await addConnection(dataDir, 'src', source);
    await addConnection(dataDir, 'nolua', noLua);
  }, 300_000);

  afterAll(async () => {
    await source?.stop();
    await noLua?.stop();
    if (!process.env.FERRY_KEEP_TEST_DIRS) rmSync(root, { recursive: true, force: true });
  });

  it('malformed YAML names the line', async () => {
    const plan = writePlan(root, 'malformed', 'name: x\nsource: [src\ntarget: nolua\n');
    const result = await ferry(dataDir, ['plan', 'validate', plan]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/line \d+: YAML syntax/);
  });

  it('an unknown field names the field and the line', async () => {
    const plan = writePlan(root, 'unknown', 'name: x\nsource: src\ntarget: nolua\noptions:\n  colour: blue\n');
    const result = await ferry(dataDir, ['run', plan]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('line 5: options: unknown field "colour"');
  });

  it('a wrong password is refused and nothing is saved', async () => {
    const result = await ferry(dataDir, ['connection', 'add', 'wrong', '--platform', 'mediawiki', '--url', source.url, '--username', source.botUser, '--password-env', 'PW'], { PW: 'not-the-password' });
    expectUserError(result, /password|credentials|login/i);
    expect(result.stderr).not.toContain('not-the-password');
    const list = await ferry(dataDir, ['connection', 'list', '--json']);
    expect((JSON.parse(list.stdout) as Array<{ name: string }>).map((c) => c.name).sort()).toEqual(['nolua', 'src']);
  });

  it('an unreachable host is reported with the fix, and nothing is saved', async () => {
    const result = await ferry(dataDir, ['connection', 'add', 'gone', '--platform', 'mediawiki', '--url', 'http://127.0.0.1:9', '--username', 'A@b', '--password-env', 'PW'], { PW: 'x' });
    expectUserError(result, /127\.0\.0\.1:9/);
    const list = await ferry(dataDir, ['connection', 'list', '--json']);
    expect((JSON.parse(list.stdout) as Array<{ name: string }>).some((c) => c.name === 'gone')).toBe(false);
  });

  it('a namespace the target lacks blocks the run before anything is written', async () => {
    const before = await snapshotWiki(noLua.apiUrl, { tools: [] });
    const plan = writePlan(root, 'nolua', 'name: to-nolua\nsource: src\ntarget: nolua\n');
    const result = await ferry(dataDir, ['run', plan]);
    expectUserError(result, /828|Module/);
    expect(await snapshotWiki(noLua.apiUrl, { tools: [] })).toEqual(before);
    const status = await ferry(dataDir, ['status', '--json']);
    expect(JSON.parse(status.stdout)).toEqual([]);
  });

  it('a reset without a confirmation naming the target is refused, and nothing is written', async () => {
    const plan = writePlan(root, 'reset', 'name: reset\nsource: src\ntarget: nolua\nexclude:\n  - namespace: [828]\n');
    const before = await snapshotWiki(noLua.apiUrl, { tools: [] });
    for (const args of [['--reset'], ['--reset', '--confirm-reset', 'src']]) {
      const result = await ferry(dataDir, ['run', plan, ...args]);
      expectUserError(result, /nolua/);
      expect(result.stderr).toMatch(/--confirm-reset "nolua"/);
    }
    expect(await snapshotWiki(noLua.apiUrl, { tools: [] })).toEqual(before);
    expect(JSON.parse((await ferry(dataDir, ['status', '--json'])).stdout)).toEqual([]);
  });
});
