import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import type { WikiInstance } from '../../src/harness/mediawiki.js';
import { startPostgres, type PrivatePostgres } from '../../src/harness/postgres.js';
import { smallSource, TOOLS } from './small-wiki.js';
import { snapshotWiki, type WikiSnapshot } from './wiki-snapshot.js';
import { scratch } from './wikis.js';

/** What a PostgreSQL-store e2e file shares between its tests; filled in by beforeAll. */
export interface PgWikis {
  root: string;
  server: PrivatePostgres;
  source: WikiInstance;
  sourceSnap: WikiSnapshot;
  /** Every wiki started for the file (targets too): stopped in afterAll. */
  wikis: WikiInstance[];
}

/**
 * Registers the file's beforeAll/afterAll for issue 10's MediaWiki e2e tests:
 * a private PostgreSQL and a small generated source wiki started side by
 * side, the source's snapshot, and their teardown. Call it inside `describe`.
 *
 * @example
 * const f = pgWikis('e2e-workers', 'Workers Source');
 * it('...', async () => { const { server, source } = f; ... });
 */
export function pgWikis(scratchName: string, sourceLabel: string): PgWikis {
  const fixture = { wikis: [] as WikiInstance[] } as PgWikis;
  let pgDir: string | undefined;
  beforeAll(async () => {
    fixture.root = scratch(scratchName);
    // A folder of its own: the server runs as the postgres account, which may not enter root's.
    pgDir = mkdtempSync(`/dev/shm/ferry-${scratchName}-pg-`);
    const [server, wiki] = await Promise.all([startPostgres({ dir: pgDir }), smallSource(fixture.root, sourceLabel)]);
    fixture.server = server;
    fixture.source = wiki.source;
    fixture.wikis.push(wiki.source);
    fixture.sourceSnap = await snapshotWiki(wiki.source.apiUrl, { tools: TOOLS });
  }, 600_000);
  afterAll(async () => {
    for (const wiki of fixture.wikis) await wiki.stop();
    await fixture.server?.stop();
    if (pgDir) rmSync(pgDir, { recursive: true, force: true });
    if (fixture.root && !process.env.FERRY_KEEP_TEST_DIRS) rmSync(fixture.root, { recursive: true, force: true });
  });
  return fixture;
}
