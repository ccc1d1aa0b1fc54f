/**
 * The native side of the MediaWiki cases: MediaWiki's own maintenance scripts,
 * each run as its own measured process (wall clock and VmHWM, like Ferry's),
 * and the copy of the source's current files that importImages.php reads.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { WikiInstance } from '../src/harness/mediawiki.js';
import { MEDIAWIKI_ROOT } from '../src/harness/mediawiki-settings.js';
import { describeFailure, measureProcess, type Measured } from './measure.js';

/** One maintenance script run: seconds and the php process's peak RSS. */
export interface PhpStep {
  script: string;
  seconds: number;
  peakRssMB: number;
  /** runJobs.php: the jobs it ran per type (from its output). */
  jobs?: Record<string, number>;
}

/** runJobs.php prints "<date> <time> <type> <title> ... STARTING" and then "... t=<ms> good" per job: the finished ones per type. */
export function jobsRun(stdout: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of stdout.split('\n')) {
    const match = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (\S+) .* (?:good|error)\b/.exec(line);
    if (match && !line.includes('STARTING')) out[match[1]!] = (out[match[1]!] ?? 0) + 1;
  }
  return out;
}

const toMB = (bytes: number): number => bytes / 1024 / 1024;

/**
 * Runs maintenance/<script> for a harness wiki the way WikiInstance.php()
 * does (same cwd and MW_CONFIG_FILE), but measured; throws when it fails.
 */
export async function measuredPhp(wiki: WikiInstance, script: string, args: string[] = []): Promise<{ step: PhpStep; measured: Measured }> {
  const measured = await measureProcess('php', [join(MEDIAWIKI_ROOT, 'maintenance', script), ...args], {
    cwd: wiki.dir,
    env: { ...process.env, MW_CONFIG_FILE: join(wiki.dir, 'LocalSettings.php') },
    pollMs: 50,
  });
  if (measured.exitCode !== 0) throw new Error(describeFailure(`php ${script}`, measured));
  const step: PhpStep = { script, seconds: measured.seconds, peakRssMB: toMB(measured.peakRssBytes) };
  if (script === 'runJobs.php') step.jobs = jobsRun(measured.stdout);
  return { step, measured };
}

/**
 * Copies the current version of every file in a wiki's upload folder
 * (images/<h>/<hh>/<name>: not archive/, thumb/, temp/, deleted/) into one
 * flat folder, the shape importImages.php reads. Returns the file count and bytes.
 */
export function copyCurrentFiles(wiki: WikiInstance, into: string): { files: number; bytes: number } {
  mkdirSync(into, { recursive: true });
  const root = join(wiki.dir, 'images');
  let files = 0;
  let bytes = 0;
  for (const a of readdirSync(root)) {
    if (!/^[0-9a-f]$/.test(a)) continue;
    for (const ab of readdirSync(join(root, a))) {
      if (!/^[0-9a-f]{2}$/.test(ab)) continue;
      for (const name of readdirSync(join(root, a, ab))) {
        const path = join(root, a, ab, name);
        const stat = statSync(path);
        if (!stat.isFile()) continue;
        copyFileSync(path, join(into, name));
        files++;
        bytes += stat.size;
      }
    }
  }
  return { files, bytes };
}

/** Rows of a table in a harness wiki's SQLite database (read-only). */
export function countRows(wiki: WikiInstance, table: 'revision' | 'image' | 'oldimage' | 'job' | 'categorylinks' | 'pagelinks'): number {
  const state = JSON.parse(readFileSync(join(wiki.dir, 'ferry-wiki.json'), 'utf8')) as { dbName: string };
  // The harness keeps the job queue in a database of its own.
  const jobs = join(wiki.dir, 'db', `${state.dbName}_jobqueue.sqlite`);
  const file = table === 'job' && existsSync(jobs) ? jobs : join(wiki.dir, 'db', `${state.dbName}.sqlite`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}
