import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WikiInstance } from '../../src/harness/mediawiki.js';
import { ferry, json } from './cli.js';
import { smallSource } from './small-wiki.js';
import { scratch, target } from './wikis.js';

/**
 * `ferry wizard --system` on the terminal with scripted answers, on real
 * wikis: declining at Confirmation saves and writes nothing; typing the
 * target's URL copies the whole wiki, and the result says FINISHED.
 */

type Json = Record<string, any>;
const BIN = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url));
const DOWN = '\x1b[B';

/** Runs the wizard, answering each question once its text shows on stdout. */
function wizard(dataDir: string, answers: Array<[RegExp, string]>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, 'wizard', '--system'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let out = '';
    let from = 0;
    let next = 0;
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const waiting = answers[next];
      if (waiting && waiting[0].test(out.slice(from))) {
        from = out.length;
        next++;
        // The prompt renders before it listens: answer on the next tick.
        setTimeout(() => child.stdin.write(waiting[1]), 150);
        if (next === answers.length) setTimeout(() => child.stdin.end(), 400);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => resolve({ code, out }));
  });
}

async function sitename(wiki: WikiInstance): Promise<string> {
  const response = await fetch(`${wiki.apiUrl}?action=query&meta=siteinfo&format=json&formatversion=2`);
  return ((await response.json()) as Json).query.general.sitename as string;
}

describe('ferry wizard --system', () => {
  let root: string;
  let source: WikiInstance;
  let tgt: WikiInstance;
  beforeAll(async () => {
    root = scratch('e2e-cli-system-wizard');
    ({ source } = await smallSource(root, 'CLI Wizard Source'));
    tgt = await target(root, 'CLI Wizard Target');
  }, 300_000);
  afterAll(async () => {
    await source?.stop();
    await tgt?.stop();
    if (!process.env.FERRY_KEEP_TEST_DIRS) rmSync(root, { recursive: true, force: true });
  });

  const answers = (confirm: string): Array<[RegExp, string]> => [
    [/Step 2 of 7: Source[\s\S]*Platform/, '\r'],
    [/Where is the source\?/, '\r'],
    [/The source's LocalSettings\.php/, `${join(source.dir, 'LocalSettings.php')}\r`],
    [/work folder on that host/, `${join(root, 'source-work')}\r`],
    [/Code folder/, '\r'],
    [/Environment PHP needs/, '\r'],
    [/Where is the target\?/, '\r'],
    [/The target's LocalSettings\.php/, `${join(tgt.dir, 'LocalSettings.php')}\r`],
    [/work folder on that host/, `${join(root, 'target-work')}\r`],
    [/Code folder/, '\r'],
    [/Environment PHP needs/, '\r'],
    [/Is this the installation you mean to copy\?/, '\r'],
    [/Step 4 of 7: Options[\s\S]*Settings/, '\r'],
    [/Migrate the licence/, '\r'],
    [/Copy user traffic logs/, '\r'],
    [/New public URL/, '\r'],
    [/What the source is left in/, `${DOWN}${DOWN}\r`],
    [/Name of this migration/, 'cli-move\r'],
    [/Type the target's URL/, `${confirm}\r`],
  ];

  it('shows the source info, declines without saving, then copies the wiki when the target URL is typed', async () => {
    const data = join(root, 'data');
    const declined = await wizard(data, answers('no'));
    expect(declined.code, declined.out).toBe(0);
    expect(declined.out).toMatch(/Step 3 of 7: Source info/);
    expect(declined.out).toMatch(/Platform\s+MediaWiki 1\.\d+/);
    expect(declined.out).toMatch(/Licence keys\s+\$wgSecretKey, \$wgUpgradeKey present \(values not shown\)/);
    expect(declined.out).toMatch(/The system is a standalone type\./);
    expect(declined.out).toMatch(/Pre-checks: all passed\./);
    expect(declined.out).toMatch(/Not executed\. Nothing was saved or written\./);
    const secret = /\$wgSecretKey = ["']([0-9a-f]+)["']/.exec(readFileSync(join(source.dir, 'LocalSettings.php'), 'utf8'))?.[1];
    expect(declined.out.includes(secret!)).toBe(false);
    expect(json<Json[]>(await ferry(data, ['status', '--json']))).toEqual([]);
    expect(existsSync(join(root, 'target-work'))).toBe(false);
    expect(await sitename(tgt)).toBe('CLI Wizard Target');

    const done = await wizard(data, answers(tgt.url));
    expect(done.code, done.out).toBe(0);
    expect(done.out).toMatch(/Saved as "cli-move"/);
    expect(done.out).toMatch(/Step 7 of 7: Result/);
    expect(done.out).toMatch(/FINISHED/);
    expect(done.out).toMatch(/Setup process was successful!/);
    expect(done.out).toMatch(/Special:UserLogin/);
    expect(await sitename(tgt)).toBe('CLI Wizard Source');
    const status = json<Json[]>(await ferry(data, ['status', '--json']));
    expect(status.map((m) => m.name)).toEqual(['cli-move']);
  });
});
