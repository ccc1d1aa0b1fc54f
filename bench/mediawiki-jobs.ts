/**
 * Which jobs a migration leaves in the target's queue, Ferry against
 * importDump.php, on the same generated wiki (users and pages, no files):
 * the queued jobs per type and namespace before runJobs.php, then what
 * runJobs.php ran. A diagnostic for issue 8 (Ferry's target ran 3-4x more
 * refreshLinks jobs than the native one).
 *
 *   npx tsx bench/mediawiki-jobs.ts [--pages 200]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fillWiki } from '../src/generator/fill-wiki.js';
import { DEFAULT_WIKI, generateWikiContent } from '../src/generator/mediawiki-content.js';
import { ensureMediaWikiPackages, startWiki, type WikiInstance } from '../src/harness/mediawiki.js';
import { migrateType, newDriver, openSession } from '../src/connectors/mediawiki/int-driver.js';
import { measuredPhp } from './mediawiki-native.js';

const SHM = '/dev/shm';

function db(wiki: WikiInstance, which: 'main' | 'jobs' = 'main'): Database.Database {
  const state = JSON.parse(readFileSync(join(wiki.dir, 'ferry-wiki.json'), 'utf8')) as { dbName: string };
  // The harness keeps the job queue in a database of its own (<db>_jobqueue.sqlite).
  const jobs = join(wiki.dir, 'db', `${state.dbName}_jobqueue.sqlite`);
  const file = which === 'jobs' && existsSync(jobs) ? jobs : join(wiki.dir, 'db', `${state.dbName}.sqlite`);
  return new Database(file, { readonly: true, fileMustExist: true });
}

/** Queued jobs by type and namespace; refreshLinks split into root (recursive, over backlinks) and per-page jobs. */
function queued(wiki: WikiInstance): Record<string, number> {
  const handle = db(wiki, 'jobs');
  try {
    const rows = handle.prepare('SELECT job_cmd AS cmd, job_namespace AS ns, job_params AS params FROM job').all() as Array<{ cmd: string; ns: number; params: Buffer | string }>;
    const out: Record<string, number> = {};
    for (const row of rows) {
      const params = String(row.params);
      const kind = row.cmd === 'refreshLinks' ? (params.includes('"recursive";b:1') ? ' recursive' : /"pages";a:/.test(params) ? ' pages' : ' page') : '';
      const cause = /"causeAction";s:\d+:"([^"]*)"/.exec(params)?.[1];
      const table = /"table";s:\d+:"([^"]*)"/.exec(params)?.[1];
      const key = `${row.cmd}${kind} ns=${row.ns}${table ? ` table=${table}` : ''}${cause ? ` cause=${cause}` : ''}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    if (process.argv.includes('--params')) {
      for (const row of rows.filter((r) => r.cmd === 'refreshLinks' && String(r.params).includes('"recursive";b:1'))) process.stderr.write(`${wiki.url} ${String(row.params)}\n`);
    }
    return Object.fromEntries(Object.entries(out).sort());
  } finally {
    handle.close();
  }
}

function revisionsOf(wiki: WikiInstance): { revisions: number; byPage: Record<string, number> } {
  const handle = db(wiki);
  try {
    const revisions = (handle.prepare('SELECT COUNT(*) AS n FROM revision').get() as { n: number }).n;
    const byPage: Record<string, number> = {};
    for (const row of handle.prepare('SELECT page_namespace AS ns, COUNT(*) AS n FROM revision JOIN page ON rev_page = page_id GROUP BY page_namespace').all() as Array<{ ns: number; n: number }>) {
      byPage[`ns=${row.ns}`] = row.n;
    }
    return { revisions, byPage };
  } finally {
    handle.close();
  }
}

async function main(): Promise<void> {
  const pagesArg = process.argv.indexOf('--pages');
  const pages = pagesArg > 0 ? Number(process.argv[pagesArg + 1]) : 200;
  await ensureMediaWikiPackages();
  const base = mkdtempSync(join(SHM, 'ferry-mw-jobs-'));
  const wikis: WikiInstance[] = [];
  try {
    const content = generateWikiContent({ ...DEFAULT_WIKI, pages, files: 0, bigPageBytes: 0 });
    const source = await startWiki({ name: 'Jobs Source', baseDir: join(base, 'source') });
    wikis.push(source);
    await fillWiki(source, content, {});
    const [ferryTarget, nativeTarget] = await Promise.all([
      startWiki({ name: 'Jobs Ferry', baseDir: join(base, 'ferry') }),
      startWiki({ name: 'Jobs Native', baseDir: join(base, 'native') }),
    ]);
    wikis.push(ferryTarget, nativeTarget);
    const before = { ferry: queued(ferryTarget), native: queued(nativeTarget) };

    const driver = newDriver();
    const from = await openSession(driver, source);
    const to = await openSession(driver, ferryTarget);
    for (const type of ['user', 'page']) await migrateType(from, to, type);
    await Promise.all([from.close(), to.close()]);

    const dump = join(base, 'dump.xml');
    await measuredPhp(source, 'dumpBackup.php', ['--full', '--quiet', `--output=file:${dump}`]);
    await measuredPhp(nativeTarget, 'importDump.php', [dump]);

    const after = { ferry: queued(ferryTarget), native: queued(nativeTarget) };
    const ran = {
      ferry: (await measuredPhp(ferryTarget, 'runJobs.php')).step.jobs,
      native: (await measuredPhp(nativeTarget, 'runJobs.php')).step.jobs,
    };
    const result = { pages, before, queuedAfterImport: after, ranByRunJobs: ran, revisions: { ferry: revisionsOf(ferryTarget), native: revisionsOf(nativeTarget) } };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await Promise.allSettled(wikis.map((w) => w.stop()));
    if (!process.argv.includes('--keep')) rmSync(base, { recursive: true, force: true });
  }
}

await main();
