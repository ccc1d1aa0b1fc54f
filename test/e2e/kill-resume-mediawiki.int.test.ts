import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PostAction } from '../../src/sdk/connector.js';
import type { RunRecord } from '../../src/core/ports.js';
import { createRandom } from '../../src/generator/prng.js';
import type { WikiInstance } from '../../src/harness/mediawiki.js';
import { ferry, json, spawnFerry } from './cli.js';
import { expectSourceOnTarget, smallSource, TOOLS } from './small-wiki.js';
import { snapshotWiki, type WikiSnapshot } from './wiki-snapshot.js';
import { addConnection, scratch, target, writePlan } from './wikis.js';

const KILLS = 20;
/** The first step-start line: the checks are done and the run is about to write. */
const STARTED = /^> /m;

type RunResult = RunRecord & { actions: PostAction[] };

/** Actions in a stable order (the order of concurrent batches is not carried). */
function sorted(actions: PostAction[]): PostAction[] {
  return [...actions].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/**
 * Issue 6, point 6: a run killed with SIGKILL 20 times at seeded random
 * moments and resumed each time ends exactly like an uninterrupted run of
 * the same source on a fresh target: same wiki, same counts, same actions.
 * (Kills while the store itself is created are another test's.)
 */
describe('kill -9 twenty times, resume each time (MediaWiki)', () => {
  let root: string;
  let source: WikiInstance;
  let sourceSnap: WikiSnapshot;
  const wikis: WikiInstance[] = [];

  beforeAll(async () => {
    root = scratch('e2e-kill-resume');
    ({ source } = await smallSource(root, 'Kill Source'));
    wikis.push(source);
    sourceSnap = await snapshotWiki(source.apiUrl, { tools: TOOLS });
  }, 600_000);

  afterAll(async () => {
    for (const wiki of wikis) await wiki.stop();
    if (!process.env.FERRY_KEEP_TEST_DIRS) rmSync(root, { recursive: true, force: true });
  });

  it('the target equals the source, and the counts and actions equal an uninterrupted run', async () => {
    const [calm, killed] = await Promise.all([target(root, 'Calm Target'), target(root, 'Killed Target')]);
    wikis.push(calm, killed);
    const plan = (dir: string) => writePlan(dir, 'kill-resume', 'name: e2e-kill-resume\nsource: src\ntarget: tgt\n');

    const calmData = join(root, 'data-calm');
    await addConnection(calmData, 'src', source);
    await addConnection(calmData, 'tgt', calm);
    const reference = json<RunResult>(await ferry(calmData, ['run', plan(root), '--json']));
    expect(reference.status).toBe('FINISHED');

    // The store exists before the first kill: kills during its creation are not this test's.
    const data = join(root, 'data-killed');
    await addConnection(data, 'src', source);
    await addConnection(data, 'tgt', killed);
    const before = await snapshotWiki(killed.apiUrl, { tools: TOOLS });
    const random = createRandom(20_261_130);
    let kills = 0;
    let runId: number | undefined;
    const killedAt: string[] = [];
    // Kills spread over the steps: a few among the users, most among the pages, the rest among the files.
    const finished = new Set<string>();
    while (kills < KILLS) {
      const wanted = kills < 4 ? ['Users', 'Pages', 'Files'] : kills < 15 ? ['Pages', 'Files'] : ['Files'];
      const label = wanted.find((l) => !finished.has(l)) ?? 'Files';
      const delay = random.int(0, label === 'Files' ? 250 : 400);
      const run = spawnFerry(data, ['run', kills === 0 ? plan(root) : 'e2e-kill-resume']);
      let armed = false;
      const started = new RegExp(`^> [^:]+: ${label}$`, 'm');
      run.onStderr((stderr) => {
        if (armed || !started.test(stderr)) return;
        armed = true;
        setTimeout(() => run.child.exitCode === null && run.child.kill('SIGKILL'), delay);
      });
      const result = await run.done;
      expect(result.signal, `run ${kills + 1} ended before its kill:\n${result.stderr.slice(-2000)}`).toBe('SIGKILL');
      kills++;
      killedAt.push(`${label}+${delay}ms: ${result.stderr.trim().split('\n').at(-1) ?? ''}`);
      for (const [step, name] of [['user', 'Users'], ['page', 'Pages'], ['file', 'Files']]) if (result.stderr.includes(`  ${step}: Success`)) finished.add(name!);
      const status = json<{ runs: RunRecord[] }>(await ferry(data, ['status', 'e2e-kill-resume', '--json']));
      // Every resume continues the one run: no second run is started.
      runId ??= status.runs[0]!.id;
      expect(status.runs.map((r) => [r.id, r.status]), `after ${kills} kill(s), at: ${killedAt.join(' | ')}`).toEqual([[runId, 'RUNNING']]);
    }

    // Shown so a reader can see where the kills fell.
    console.log(`killed at: ${killedAt.join(' | ')}`);
    const final = json<RunResult>(await ferry(data, ['run', 'e2e-kill-resume', '--json']));
    expect(final.status).toBe('FINISHED');
    expect(final.id).toBe(runId);
    expectSourceOnTarget(sourceSnap, await snapshotWiki(killed.apiUrl, { tools: TOOLS }), before);
    expect(final.summary!.totals).toEqual(reference.summary!.totals);
    expect(final.summary!.types).toEqual(reference.summary!.types);
    expect(sorted(final.actions)).toEqual(sorted(reference.actions));
    expect(final.summary!.actions).toBe(reference.summary!.actions);
    // The run's own verify step, and verify on demand, find the target equal to the source.
    expect(final.summary!.verify?.discrepancyCount).toBe(0);
    expect(final.summary!.verify?.types).toEqual(reference.summary!.verify?.types);
    const verified = await ferry(data, ['verify', 'e2e-kill-resume']);
    expect(verified.code, verified.stdout).toBe(0);
  }, 600_000);
});
