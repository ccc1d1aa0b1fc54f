import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../src/core/ports.js';
import type { WikiInstance } from '../../src/harness/mediawiki.js';
import { ferry, json } from './cli.js';
import { expectSourceOnTarget, smallSource, TOOLS } from './small-wiki.js';
import { snapshotWiki, type WikiSnapshot } from './wiki-snapshot.js';
import { addConnection, scratch, target, writePlan } from './wikis.js';

/**
 * Issue 6, points 4 and 5 against real wikis: the ID map belongs to the
 * instances it was written for, and a plan never reads and writes one instance.
 */
describe('target identity and same-instance plans (MediaWiki)', () => {
  let root: string;
  let source: WikiInstance;
  let sourceSnap: WikiSnapshot;
  const wikis: WikiInstance[] = [];

  beforeAll(async () => {
    root = scratch('e2e-identity');
    ({ source } = await smallSource(root, 'Identity Source'));
    wikis.push(source);
    sourceSnap = await snapshotWiki(source.apiUrl, { tools: TOOLS });
  }, 600_000);

  afterAll(async () => {
    for (const wiki of wikis) await wiki.stop();
    if (!process.env.FERRY_KEEP_TEST_DIRS) rmSync(root, { recursive: true, force: true });
  });

  it('refuses a plan whose source and target are one wiki, under one name or two, at validation and at run time; --reset leaves the source alone', async () => {
    const dataDir = join(root, 'data-same');
    await addConnection(dataDir, 'src', source);
    await addConnection(dataDir, 'src-again', source);
    const sameName = writePlan(root, 'same-name', 'name: same-name\nsource: src\ntarget: src\n');
    const twoNames = writePlan(root, 'two-names', 'name: two-names\nsource: src\ntarget: src-again\n');

    for (const plan of [sameName, twoNames]) {
      const validate = await ferry(dataDir, ['plan', 'validate', plan]);
      expect([1, 2], validate.stderr).toContain(validate.code);
      expect(validate.stderr).toContain('source and target are the same instance');
    }
    const reset = await ferry(dataDir, ['run', twoNames, '--reset', '--confirm-reset', 'src-again']);
    expect([1, 2], reset.stderr).toContain(reset.code);
    expect(reset.stderr).toContain('source and target are the same instance');
    expect(await snapshotWiki(source.apiUrl, { tools: TOOLS })).toEqual(sourceSnap);
    const status = await ferry(dataDir, ['status', '--json']);
    expect(json<unknown[]>(status)).toEqual([]);
  });

  it('a target rebuilt at the same address is refused with the choice named; after --forget-map everything is migrated again', async () => {
    const dataDir = join(root, 'data-rebuilt');
    let tgt = await target(root, 'Rebuilt Target');
    wikis.push(tgt);
    await addConnection(dataDir, 'src', source);
    await addConnection(dataDir, 'tgt', tgt);
    const plan = writePlan(root, 'rebuilt', 'name: e2e-rebuilt\nsource: src\ntarget: tgt\n');
    const first = json<RunRecord>(await ferry(dataDir, ['run', plan, '--json']));
    expect(first.status).toBe('FINISHED');
    expect(first.summary!.totals.created).toBeGreaterThan(50);

    // The same address, installed afresh: an empty wiki the ID map knows nothing of.
    const { port, url } = tgt;
    await tgt.stop();
    wikis.splice(wikis.indexOf(tgt), 1);
    rmSync(join(root, 'rebuilt-target'), { recursive: true, force: true });
    tgt = await target(root, 'Rebuilt Target', { port });
    wikis.push(tgt);
    expect(tgt.url).toBe(url);
    // A fresh install has a new bot password: the connection is added again under its old name.
    await addConnection(dataDir, 'tgt', tgt);
    const empty = await snapshotWiki(tgt.apiUrl, { tools: TOOLS });

    const refused = await ferry(dataDir, ['run', 'e2e-rebuilt']);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain('The target "tgt" is not the instance the ID map of "src" -> "tgt" was written for');
    expect(refused.stderr).toContain('ferry run e2e-rebuilt --forget-map');
    expect(refused.stderr).toContain('point "tgt" back');
    const dry = await ferry(dataDir, ['run', 'e2e-rebuilt', '--dry-run']);
    expect(dry.code).toBe(1);
    expect(dry.stderr).toContain('is not the instance the ID map');
    expect(await snapshotWiki(tgt.apiUrl, { tools: TOOLS })).toEqual(empty);

    const again = json<RunRecord>(await ferry(dataDir, ['run', 'e2e-rebuilt', '--forget-map', '--json']));
    expect(again.status).toBe('FINISHED');
    expect(again.summary!.totals).toEqual(first.summary!.totals);
    expectSourceOnTarget(sourceSnap, await snapshotWiki(tgt.apiUrl, { tools: TOOLS }), empty);
    // The map is bound to the new wiki now: the next run trusts it and writes nothing.
    const third = json<RunRecord>(await ferry(dataDir, ['run', 'e2e-rebuilt', '--json']));
    expect(third.summary!.totals).toMatchObject({ created: 0, updated: 0 });
  });
});
