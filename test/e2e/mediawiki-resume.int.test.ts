import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../src/core/ports.js';
import type { WikiInstance } from '../../src/harness/mediawiki.js';
import type { GeneratedWiki } from '../../src/generator/mediawiki-content.js';
import { ferry, json, killWhen, progressOf, spawnFerry } from './cli.js';
import { snapshotWiki, type WikiSnapshot } from './wiki-snapshot.js';
import { addConnection, filledSource, scratch, target, writePlan } from './wikis.js';

const TOOLS = ['Admin', 'Maintenance script', 'MediaWiki default'];

function expectEqualWikis(source: WikiSnapshot, after: WikiSnapshot, before: WikiSnapshot): void {
  for (const [key, revisions] of source.pages) {
    if (before.pages.has(key)) continue;
    expect(after.pages.get(key), key).toEqual(revisions);
  }
  expect(after.files).toEqual(source.files);
}


describe('resume, stop and undo between real wikis', () => {
  let root: string;
  let source: WikiInstance;
  let content: GeneratedWiki;
  let sourceSnap: WikiSnapshot;
  const wikis: WikiInstance[] = [];

  beforeAll(async () => {
    root = scratch('e2e-resume');
    ({ source, content } = await filledSource(root));
    wikis.push(source);
    sourceSnap = await snapshotWiki(source.apiUrl, { tools: TOOLS });
  }, 600_000);

  afterAll(async () => {
    for (const wiki of wikis) await wiki.stop();
    if (!process.env.FERRY_KEEP_TEST_DIRS) rmSync(root, { recursive: true, force: true });
  });

  it('survives kill -9 at three points: the resumed run leaves the target equal to the source, nothing duplicated', async () => {
    const dataDir = join(root, 'data-kill');
    const tgt = await target(root, 'Kill Target');
    wikis.push(tgt);
    await addConnection(dataDir, 'src', source);
    await addConnection(dataDir, 'tgt', tgt);
    const plan = writePlan(root, 'kill', 'name: e2e-kill\nsource: src\ntarget: tgt\n');
    const before = await snapshotWiki(tgt.apiUrl, { tools: TOOLS });

    await killWhen(dataDir, plan, (err) => progressOf(err, 'user') >= 1 || progressOf(err, 'page') >= 0);
    await killWhen(dataDir, plan, (err) => progressOf(err, 'page') >= 120);
    await killWhen(dataDir, plan, (err) => progressOf(err, 'file') >= 0);
    const status = json<{ runs: RunRecord[] }>(await ferry(dataDir, ['status', 'e2e-kill', '--json']));
    expect(status.runs[0]?.status).toBe('RUNNING');

    const final = json<RunRecord>(await ferry(dataDir, ['run', 'e2e-kill', '--json']));
    expect(final.status).toBe('FINISHED');
    expect(final.id).toBe(status.runs[0]!.id);
    expectEqualWikis(sourceSnap, await snapshotWiki(tgt.apiUrl, { tools: TOOLS }), before);
    const again = json<RunRecord>(await ferry(dataDir, ['run', 'e2e-kill', '--json']));
    expect(again.summary?.totals).toMatchObject({ created: 0, updated: 0 });
  });

  it('stops with STOPPED, completes on the next run, and undo returns the target to its state before', async () => {
    const dataDir = join(root, 'data-stop');
    const tgt = await target(root, 'Stop Target');
    wikis.push(tgt);
    await addConnection(dataDir, 'src', source);
    await addConnection(dataDir, 'tgt', tgt);
    // A page that exists on the target before the migration: adopted, and it must survive the undo.
    const kept = content.pages.find((p) => p.namespace === 0 && p.title !== 'Main Page')!;
    await tgt.php('edit.php', ['--user', 'Admin', '--summary', 'made on the target', kept.title], { input: 'The target had this page first.' });
    const before = await snapshotWiki(tgt.apiUrl, { tools: TOOLS });
    const plan = writePlan(root, 'stop', 'name: e2e-stop\nsource: src\ntarget: tgt\n');

    const running = spawnFerry(dataDir, ['run', plan]);
    let stopAsked = false;
    running.onStderr((err) => {
      if (!stopAsked && progressOf(err, 'page') >= 40) {
        stopAsked = true;
        void ferry(dataDir, ['stop', 'e2e-stop']);
      }
    });
    const stopped = await running.done;
    expect(stopped.code, stopped.stderr).toBe(4);
    const status = json<{ runs: RunRecord[] }>(await ferry(dataDir, ['status', 'e2e-stop', '--json']));
    const firstRun = status.runs[0]!;
    expect(firstRun.status).toBe('STOPPED');
    const ready = json<unknown[]>(await ferry(dataDir, ['items', String(firstRun.id), '--status', 'READY', '--json']));
    expect(ready.length).toBeGreaterThan(0);

    const second = json<RunRecord>(await ferry(dataDir, ['run', 'e2e-stop', '--json']));
    expect(second.status).toBe('FINISHED');
    const after = await snapshotWiki(tgt.apiUrl, { tools: TOOLS });
    expectEqualWikis(sourceSnap, after, before);
    expect(after.pages.get(`0:${kept.title}`)).toEqual(before.pages.get(`0:${kept.title}`));

    const undoSecond = json<RunRecord>(await ferry(dataDir, ['undo', String(second.id), '--json']));
    expect(undoSecond.status).toBe('FINISHED');
    const undoFirst = json<RunRecord & { actions: Array<{ code: string }> }>(await ferry(dataDir, ['undo', String(firstRun.id), '--json']));
    expect(undoFirst.status).toBe('FINISHED');
    const undone = await snapshotWiki(tgt.apiUrl, { tools: TOOLS });
    expect([...undone.pages.keys()].sort()).toEqual([...before.pages.keys()].sort());
    expect(undone.pages.get(`0:${kept.title}`)).toEqual(before.pages.get(`0:${kept.title}`));
    expect(undone.files).toEqual(before.files);
  });
});
