import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/ports.js';
import type { PostAction } from '../../src/sdk/connector.js';
import { fillWiki } from '../../src/generator/fill-wiki.js';
import { encodePng } from '../../src/generator/png.js';
import type { WikiInstance } from '../../src/harness/mediawiki.js';
import { ferry, json } from './cli.js';
import { snapshotWiki } from './wiki-snapshot.js';
import { addConnection, scratch, target, writePlan } from './wikis.js';

type RunJson = RunRecord & { actions: PostAction[] };

/** A PNG of noise: it does not compress, so its size is about width * height * 3. */
function noisePng(side: number): Buffer {
  const noise = randomBytes(side * side * 3);
  return encodePng({ width: side, height: side, pixel: (x, y) => {
    const at = (y * side + x) * 3;
    return [noise[at]!, noise[at + 1]!, noise[at + 2]!];
  } });
}

describe('a file over the target upload limit', () => {
  let root: string;
  let source: WikiInstance;
  let tgt: WikiInstance;
  let dataDir: string;
  const small = noisePng(24);
  const big = noisePng(200);

  beforeAll(async () => {
    root = scratch('e2e-limit');
    dataDir = join(root, 'data');
    source = await target(root, 'Limit Source');
    await fillWiki(source, {
      users: [{ name: 'Uploader', groups: [] }],
      pages: [],
      files: [
        { name: 'Small noise.png', bytes: small, mime: 'image/png', description: 'A small picture.', user: 'Uploader', olderVersions: [] },
        { name: 'Big noise.png', bytes: big, mime: 'image/png', description: 'A big picture.', user: 'Uploader', olderVersions: [] },
      ],
    });
    tgt = await target(root, 'Limit Target', { maxUploadBytes: 50_000 });
    await addConnection(dataDir, 'src', source);
    await addConnection(dataDir, 'tgt', tgt);
  }, 300_000);

  afterAll(async () => {
    await source?.stop();
    await tgt?.stop();
    if (!process.env.FERRY_KEEP_TEST_DIRS) rmSync(root, { recursive: true, force: true });
  });

  it('fails that item (run INCOMPLETE, a post-migration action names it); after raising the limit, rerun completes it', async () => {
    expect(big.length).toBeGreaterThan(50_000);
    const plan = writePlan(root, 'limit', 'name: limit\nsource: src\ntarget: tgt\n');
    const first = json<RunJson>(await ferry(dataDir, ['run', plan, '--json']));
    expect(first.status).toBe('INCOMPLETE');
    const failed = json<Array<{ label: string; reason: string }>>(await ferry(dataDir, ['items', String(first.id), '--status', 'FAILED', '--json']));
    expect(failed.map((i) => i.label)).toEqual(['File:Big noise.png']);
    expect(failed[0]!.reason).toMatch(/upload limit/);
    expect(first.actions.filter((a) => a.code === 'item-too_large').map((a) => a.label)).toEqual(['File:Big noise.png']);
    expect((await snapshotWiki(tgt.apiUrl, { tools: [] })).files.has('Big_noise.png')).toBe(false);

    await tgt.setSettings(`$wgMaxUploadSize = ${5 * 1024 * 1024};`);
    const rerun = json<RunJson>(await ferry(dataDir, ['rerun', String(first.id), '--json']));
    expect(rerun.status).toBe('FINISHED');
    const items = json<Array<{ label: string; status: string }>>(await ferry(dataDir, ['items', String(rerun.id), '--json']));
    expect(items.map((i) => [i.label, i.status])).toEqual([['File:Big noise.png', 'COMPLETE']]);
    const [s, t] = await Promise.all([snapshotWiki(source.apiUrl, { tools: [] }), snapshotWiki(tgt.apiUrl, { tools: [] })]);
    expect(t.files).toEqual(s.files);
  });
});
