/**
 * `npm run bench`: Ferry's throughput and memory, each case side by side with
 * a peer, in one run; results in bench/results/latest.json (issue 8's shape:
 * cases: [{ name, items, ferry, peer, ratio, extra }]) and as a table.
 *
 *   npm run bench                          # every case at its full size (the engine's 1m case takes about 45 minutes)
 *   npm run bench -- --quick               # every case at a small size, a smoke check (under 15 minutes)
 *   npm run bench -- --only engine         # some cases: engine, mediawiki, wordpress (comma-separated)
 *   npm run bench -- --engine 10k,100k     # engine sizes (default 10k,100k,1m)
 *   npm run bench -- --sizes 500,2000      # MediaWiki page counts
 *   npm run bench -- --files 3 --keep      # a few files in the source; keep the wiki folders
 *   npm run bench -- --wordpress 0         # skip the WordPress case (Ferry vs a minimal REST script)
 *
 * Cases (docs/performance.md says more):
 *  - engine-<size>: Ferry against the reference target, which only waits a
 *    fixed latency per write (bench/engine.ts); peer: the latency bound.
 *  - mediawiki-native / mediawiki-import-only: for each size a source wiki is
 *    started (folder under /dev/shm) and filled from the deterministic
 *    generator, files included (--files, default the generator's 22); then
 *     - Ferry: a fresh empty target wiki; `node bin/ferry.js run plan.yaml --json`
 *       in its own process (users + pages + files), wall clock and peak RSS
 *       (VmHWM polled from /proc every 100 ms; the bench builds first, so this
 *       is the bundled CLI a user runs); then `runJobs.php` on its target;
 *     - native: `dumpBackup.php --full` of the same source into a file,
 *       `importDump.php` of that file into another fresh empty target wiki,
 *       the source's current files copied out of its upload folder and
 *       `importImages.php` of them, then `runJobs.php` on that target; each
 *       php process measured the same way (peak RSS: the largest VmHWM).
 *    mediawiki-native times everything end to end; mediawiki-import-only is
 *    Ferry's run against importDump + the copy + importImages (no dump, no
 *    runJobs on either side).
 *  - wordpress-rest-script: Ferry vs a minimal script doing the same REST
 *    writes at the same concurrency (bench/wordpress.ts).
 *  - wordpress-native: the same Ferry run vs WordPress's own path, export_wp()
 *    to a WXR file + our WXR import into an empty site (bench/wordpress-native.ts;
 *    the import stands in for the WordPress Importer plugin, not installable here).
 *  - system-mediawiki / system-mediawiki-ssh / system-wordpress (issue 9):
 *    `ferry run` of a system plan copying a whole generated installation (+
 *    --system-blobs MB-sized files in its uploads) onto a fresh one, the whole
 *    process timed, vs the native commands for the same move (sqlite3 .backup
 *    + cp -a, the same piped through ssh, mariadb-dump | mariadb + cp -a +
 *    UPDATE siteurl/home); items are bytes moved (bench/system-*.ts).
 *    system-mediawiki-ssh@rtt20ms: the SSH case again with both sides' SSH
 *    clients behind a relay adding a 20 ms round trip (bench/latency-relay.ts;
 *    --system-rtt-ms), as between two servers in different places.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { fillWiki } from '../src/generator/fill-wiki.js';
import { DEFAULT_WIKI, generateWikiContent } from '../src/generator/mediawiki-content.js';
import { ensureMediaWikiPackages, startWiki, type WikiInstance } from '../src/harness/mediawiki.js';
import { MEDIAWIKI_ROOT } from '../src/harness/mediawiki-settings.js';
import { runCommand } from '../src/harness/run-command.js';
import { describeFailure, LoadSampler, measureProcess, parseJsonOutput, timed, type Measured } from './measure.js';
import { copyCurrentFiles, countRows, measuredPhp, type PhpStep } from './mediawiki-native.js';
import { fixed, int, mb, table } from './report.js';
import { formatWordPressResult, runWordPressBench, type WordPressBenchResult } from './wordpress.js';
import { ratioOf, type BenchCase } from './cases.js';
import { runEngineCase } from './engine.js';
import { runScaleCase, scaleNotes } from './scale.js';
import { runSystemMediaWikiCase, systemNotes } from './system-mediawiki.js';
import { runSystemWordPressCase } from './system-wordpress.js';
import { DEFAULT_SITE } from '../src/generator/wordpress-content.js';
import { ensureWordPressPackages } from '../src/harness/wordpress.js';

/** The system cases' generated wiki: the generator's default content without Scribunto (sized by --system-pages). */
const SYSTEM_WIKI = { ...DEFAULT_WIKI, scribunto: false };

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FERRY_BIN = join(REPO, 'bin', 'ferry.js');
const RESULTS_DIR = join(REPO, 'bench', 'results');
const SHM = existsSync('/dev/shm') ? '/dev/shm' : '/tmp';

// ---------------------------------------------------------------- options

const WORDPRESS_CASES = ['wordpress-native', 'wordpress-rest-script'] as const;
const SYSTEM_CASES = ['system-mediawiki', 'system-mediawiki-ssh', 'system-wordpress'] as const;

interface BenchOptions {
  sizes: number[];
  files: number;
  keep: boolean;
  out: string;
  /** Posts of the WordPress case (0: skip it). */
  wordpressPosts: number;
  /** Which families of cases run. */
  only: Set<'engine' | 'mediawiki' | 'wordpress' | 'system' | 'scale'>;
  /** Items of the scale-1w/2w/4w cases (issue 10). */
  scaleItems: number;
  /** The scale cases' write latency (ms), each worker's capacity (batches in flight; 0: none) and the target's limit over all workers. */
  scaleLatencyMs: number;
  scaleCapacity: number;
  scaleLimit: number;
  /** --max-old-space-size of the scale cases' processes (0: V8's default). */
  scaleHeapMB: number;
  /** Which system migration cases run (--only system-mediawiki..., or system for all). */
  systemCases: Set<string>;
  /** Source of the system cases: generated pages and MB-sized blobs added to its uploads. */
  systemPages: number;
  /** One round of the system cases per size; a second size's cases are named with it (system-mediawiki@4096MB). */
  systemBlobs: Array<{ count: number; mb: number }>;
  /** Round trips (ms) for extra system-mediawiki-ssh cases behind a latency relay, at the first size. */
  systemRtts: number[];
  /** Alternated rounds of Ferry and the native copy in each system case. */
  systemRounds: number;
  /** Which WordPress cases run (--only wordpress-native, wordpress-rest-script or wordpress for both). */
  wordpressCases: Set<string>;
  /** Items of each engine case. */
  engineSizes: number[];
  /** Engine cases up to this many items also measure a kill -9 at 90 % and the resume. */
  resumeUpTo: number;
  latencyMs: number;
  concurrency: number;
  /** The MediaWiki plan's options.concurrency / options.batchSize (default: the plan's own defaults). */
  mwConcurrency?: number;
  mwBatchSize?: number;
}

function usage(): never {
  process.stdout.write(`usage: npm run bench -- [--quick] [--sizes 1000,5000] [--files N] [--keep] [--out file.json]

  --quick         one size of 200 pages (smoke check, about a minute)
  --sizes a,b     page counts to measure (default 1000,5000)
  --files N       files in the generated source (default ${DEFAULT_WIKI.files}; 0: files off on both sides)
  --keep          keep the wiki folders and Ferry's data folder under ${SHM}
  --out file      where to write the JSON results (default bench/results/latest.json)
  --mw-concurrency N, --mw-batch N  the MediaWiki plan's options.concurrency and options.batchSize (default: the plan's defaults, 2 and the connector's)
  --wordpress N   posts in the WordPress case: Ferry vs a minimal REST-writing script (default 200; 60 with --quick; 0 skips it)
  --only a,b      case families to run: engine, mediawiki, wordpress, system, scale (default all); or cases by name: wordpress-native, wordpress-rest-script, ${SYSTEM_CASES.join(', ')}
  --scale-items N items of the scale-1w/2w/4w cases (default 10k; 1k with --quick)
  --scale-latency MS, --scale-capacity N, --scale-limit N  the scale cases' write latency (default 100 ms), each
                  worker's --concurrency (default 4; 0: none) and the target's limit over all workers (default 16,
                  the most a plan allows: 4 workers' worth).
                  The CPU-bound variant (all of the machine's cores): --scale-latency 5 --scale-capacity 0 --scale-limit 16
  --scale-heap MB  --max-old-space-size of the scale cases' coordinator and workers (default 512, as docs/operations.md
                  advises; 0: V8's default, whose heap grows to about 4x what is live before a full collection)
  --engine a,b    items of the engine cases, e.g. 10k,100k,1m (default; 2k with --quick)
  --resume-up-to N  engine cases up to N items also measure a kill -9 at 90 % and the resume (default 100k)
  --system-pages N  pages of the system cases' generated source (default ${DEFAULT_WIKI.pages}; 150 with --quick)
  --system-rtt-ms N   system-mediawiki-ssh again at the first size with this round trip (ms) between the SSH clients and the sshd, through a relay (default 20: two servers in different places; several separated by commas; 0: none)
  --system-rounds N  rounds of each side in each system case, Ferry and the native copy alternated, each side's target put back
                  between its rounds (Ferry: ferry undo); the median of each side is reported, every round kept (default 3; 1 with --quick)
  --system-blobs CxM  MB-sized random files added to the system source's uploads; several sizes separated by commas run the system cases once each (default 16x64,64x64: about 1 GB and 4 GB, typical sites of a few hundred MB to a few GB; 4x4 with --quick)
  --latency MS    the reference target's wait per write (default 20)
  --concurrency N the engine cases' concurrency (default 8)
`);
  process.exit(0);
}

function parseOptions(argv: string[]): BenchOptions {
  const options: BenchOptions = {
    sizes: [1000, 5000], files: DEFAULT_WIKI.files, keep: false, out: join(RESULTS_DIR, 'latest.json'), wordpressPosts: 200,
    only: new Set(['engine', 'mediawiki', 'wordpress', 'system', 'scale']), scaleItems: 10_000, scaleLatencyMs: 100, scaleCapacity: 4, scaleLimit: 16, scaleHeapMB: 512, wordpressCases: new Set(WORDPRESS_CASES), systemCases: new Set(SYSTEM_CASES), systemPages: DEFAULT_WIKI.pages, systemBlobs: [{ count: 16, mb: 64 }, { count: 64, mb: 64 }], systemRtts: [20], systemRounds: 3, engineSizes: [10_000, 100_000, 1_000_000], resumeUpTo: 100_000, latencyMs: 20, concurrency: 8,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--quick':
        options.sizes = [200];
        options.wordpressPosts = 60;
        options.engineSizes = [2000];
        options.scaleItems = 1000;
        options.systemPages = 150;
        options.systemBlobs = [{ count: 4, mb: 4 }];
        options.systemRounds = 1;
        break;
      case '--only': {
        let families = value().split(',').map((s) => s.trim());
        // WordPress cases by name: the wordpress family with only those cases.
        const wpNamed = families.filter((f) => (WORDPRESS_CASES as readonly string[]).includes(f));
        if (wpNamed.length > 0) {
          options.wordpressCases = new Set(wpNamed);
          families = [...new Set(families.map((f) => (wpNamed.includes(f) ? 'wordpress' : f)))];
        }
        const sysNamed = families.filter((f) => (SYSTEM_CASES as readonly string[]).includes(f));
        if (sysNamed.length > 0) {
          options.systemCases = new Set(sysNamed);
          families = [...new Set(families.map((f) => (sysNamed.includes(f) ? 'system' : f)))];
        }
        const known = ['engine', 'mediawiki', 'wordpress', 'system', 'scale'] as const;
        if (families.some((f) => !(known as readonly string[]).includes(f))) throw new Error(`--only takes engine, mediawiki, wordpress, system and/or scale (or the cases ${[...WORDPRESS_CASES, ...SYSTEM_CASES].join(', ')})`);
        options.only = new Set(families as Array<(typeof known)[number]>);
        break;
      }
      case '--scale-items':
        options.scaleItems = count(value(), '--scale-items');
        break;
      case '--scale-latency':
        options.scaleLatencyMs = count(value(), '--scale-latency');
        break;
      case '--scale-capacity':
        options.scaleCapacity = count(value(), '--scale-capacity');
        break;
      case '--scale-limit':
        options.scaleLimit = count(value(), '--scale-limit');
        break;
      case '--scale-heap':
        options.scaleHeapMB = count(value(), '--scale-heap');
        break;
      case '--engine':
        options.engineSizes = value().split(',').map((s) => count(s, '--engine'));
        break;
      case '--resume-up-to':
        options.resumeUpTo = count(value(), '--resume-up-to');
        break;
      case '--latency':
        options.latencyMs = Number(value());
        if (!(options.latencyMs >= 0)) throw new Error('--latency takes milliseconds');
        break;
      case '--concurrency':
        options.concurrency = Number(value());
        if (!Number.isInteger(options.concurrency) || options.concurrency < 1 || options.concurrency > 16) throw new Error('--concurrency takes 1-16 (a plan\'s limits)');
        break;
      case '--wordpress':
        options.wordpressPosts = Number(value());
        if (!Number.isInteger(options.wordpressPosts) || options.wordpressPosts < 0) throw new Error('--wordpress takes a post count (0 skips the WordPress case)');
        break;
      case '--sizes':
        options.sizes = value().split(',').map((s) => Number(s.trim()));
        if (options.sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--sizes takes page counts such as 1000,5000');
        break;
      case '--files':
        options.files = Number(value());
        if (!Number.isInteger(options.files) || options.files < 0) throw new Error('--files takes a count');
        break;
      case '--system-pages':
        options.systemPages = count(value(), '--system-pages');
        break;
      case '--system-rounds':
        options.systemRounds = Number(value());
        if (!Number.isInteger(options.systemRounds) || options.systemRounds < 1) throw new Error('--system-rounds takes a number of rounds, 1 or more');
        break;
      case '--system-rtt-ms':
        options.systemRtts = value().split(',').map(Number).filter((n) => n > 0);
        break;
      case '--system-blobs': {
        options.systemBlobs = value().split(',').map((size) => {
          const match = /^(\d+)x(\d+)$/.exec(size.trim());
          if (!match) throw new Error('--system-blobs takes COUNTxMB, or several separated by commas, e.g. 16x64,64x64');
          return { count: Number(match[1]), mb: Number(match[2]) };
        });
        break;
      }
      case '--keep':
        options.keep = true;
        break;
      case '--mw-concurrency':
        options.mwConcurrency = Number(value());
        if (!Number.isInteger(options.mwConcurrency) || options.mwConcurrency < 1 || options.mwConcurrency > 16) throw new Error('--mw-concurrency takes 1-16');
        break;
      case '--mw-batch':
        options.mwBatchSize = Number(value());
        if (!Number.isInteger(options.mwBatchSize) || options.mwBatchSize < 1 || options.mwBatchSize > 500) throw new Error('--mw-batch takes 1-500');
        break;
      case '--out':
        options.out = resolve(value());
        break;
      case '--help':
      case '-h':
        usage();
      // falls through (usage exits)
      default:
        throw new Error(`unknown option ${arg} (see --help)`);
    }
  }
  return options;
}

/** 2000, 10k, 1m, 1_000_000. */
function count(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim().replaceAll('_', ''));
  const n = match ? Number(match[1]) * (match[2]?.toLowerCase() === 'k' ? 1e3 : match[2]?.toLowerCase() === 'm' ? 1e6 : 1) : NaN;
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} takes item counts such as 10k,100k,1m`);
  return n;
}

/** 2000 -> 2k, 1000000 -> 1m: the engine cases' names. */
function sizeName(n: number): string {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}m`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}k`;
  return String(n);
}

// ---------------------------------------------------------------- helpers

const say = (message: string): void => {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

/** Wikis this process started, so Ctrl-C and errors stop every one of them. */
const running = new Set<WikiInstance>();

async function start(name: string, baseDir: string): Promise<WikiInstance> {
  const wiki = await startWiki({ name, baseDir });
  running.add(wiki);
  return wiki;
}

async function stop(wiki: WikiInstance | undefined): Promise<void> {
  if (!wiki || !running.has(wiki)) return;
  running.delete(wiki);
  await wiki.stop();
}

/** Revisions in a harness wiki's SQLite database (read directly, read-only). */
function countRevisions(wiki: WikiInstance): number {
  const state = JSON.parse(readFileSync(join(wiki.dir, 'ferry-wiki.json'), 'utf8')) as { dbName: string };
  const db = new Database(join(wiki.dir, 'db', `${state.dbName}.sqlite`), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM revision').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function mediaWikiVersion(): string {
  const defines = readFileSync(join(MEDIAWIKI_ROOT, 'includes', 'Defines.php'), 'utf8');
  return /MW_VERSION',\s*'([^']+)'/.exec(defines)?.[1] ?? 'unknown';
}

async function phpVersion(): Promise<string> {
  const { stdout } = await runCommand('php', ['-r', 'echo PHP_VERSION;']);
  return stdout.trim();
}


// ---------------------------------------------------------------- results

interface StepTiming {
  step: string;
  status: string;
  done: number;
  total: number;
  seconds: number | null;
}

interface FerryResult {
  ok: boolean;
  status: string | null;
  exitCode: number | null;
  seconds: number;
  revisionsPerSecond: number | null;
  peakRssMB: number;
  /** Peak RSS of any child process of the ferry process (0: none seen). */
  peakChildRssMB: number;
  rssSamples: number;
  /** User + system CPU seconds of the ferry process itself (the wikis' PHP is not counted). */
  cpuSeconds: number;
  /** 1-minute load average during the run (mean, max): other work on the machine skews the figures. */
  load: { mean: number; max: number };
  /** Seconds from process start to the first step starting: tsx + store + connection checks + inventory + pre-checks. */
  beforeFirstStepSeconds: number | null;
  steps: StepTiming[];
  /** Created/updated/... per type, from the run's summary. */
  summary: unknown;
  /** Revisions the target gained (Ferry's import adds one null revision per imported page). */
  targetRevisionsAdded: number;
  /** Files (current versions, the image table) and old versions the target ended with. */
  targetFiles: number;
  targetOldFiles: number;
  /** Rows of the target's job table when the run ended (few: a row may stand for many jobs), and runJobs.php run to the end on it. */
  jobsQueued: number;
  runJobs: PhpStep | null;
  /** API requests of the run per wiki and kind: count, failed, total ms (concurrent requests overlap). */
  requests: RequestRow[];
  /** The run alone (the import-only case) and run + runJobs (the end-to-end case). */
  runSeconds: number;
  logFile: string | null;
  error?: string;
}

interface NativeResult {
  ok: boolean;
  dumpSeconds: number;
  importSeconds: number;
  /** Copying the source's current files out of its upload folder into one flat folder. */
  copySeconds: number;
  imagesSeconds: number;
  runJobsSeconds: number;
  /** Everything: dump + import + copy + importImages + runJobs. */
  seconds: number;
  revisionsPerSecond: number | null;
  /** import + copy + importImages (the import-only case). */
  importOnlySeconds: number;
  /** Each maintenance script's php process: seconds and peak RSS. */
  steps: PhpStep[];
  /** Largest VmHWM of all its php processes, and of the import-only ones (importDump, importImages). */
  peakRssMB: number | null;
  importPeakRssMB: number | null;
  dumpBytes: number;
  filesCopied: number;
  filesBytes: number;
  jobsQueued: number;
  targetRevisionsAdded: number;
  targetFiles: number;
  targetOldFiles: number;
  /** 1-minute load average during dump + import (mean, max). */
  load: { mean: number; max: number };
  error?: string;
}

interface SizeResult {
  pages: number;
  users: number;
  files: number;
  generatedRevisions: number;
  /** Revisions in the source database after filling (the generated ones + the installer's Main Page). */
  sourceRevisions: number;
  fillSeconds: number;
  ferry: FerryResult;
  native: NativeResult;
  /** Files (current versions) and old versions in the source. */
  sourceFiles: number;
  sourceOldFiles: number;
  /** Ferry (run + runJobs) revisions/s divided by the native pair's (dump + import + importImages + runJobs). */
  throughputRatio: number | null;
  /** Ferry's run alone divided by importDump + importImages. */
  importOnlyRatio: number | null;
}

// ---------------------------------------------------------------- Ferry

interface RequestRow {
  wiki: 'source' | 'target' | string;
  kind: string;
  count: number;
  failed: number;
  ms: number;
}

/** The per-request table the MediaWiki client wrote at exit (FERRY_MW_REQUEST_STATS). */
function readRequestStats(file: string, source: WikiInstance, target: WikiInstance): RequestRow[] {
  if (!existsSync(file)) return [];
  const rows = JSON.parse(readFileSync(file, 'utf8')) as Array<{ api: string; kind: string; count: number; failed: number; ms: number }>;
  const wikiOf = (api: string): string => (api.startsWith(source.url) ? 'source' : api.startsWith(target.url) ? 'target' : api);
  return rows.map((r) => ({ wiki: wikiOf(r.api), kind: r.kind, count: r.count, failed: r.failed, ms: Math.round(r.ms) }));
}

function benchPlan(name: string, files: boolean, tuning: { concurrency?: number; batchSize?: number } = {}): string {
  const options = [
    ...(tuning.concurrency !== undefined ? [`  concurrency: ${tuning.concurrency}`] : []),
    ...(tuning.batchSize !== undefined ? [`  batchSize: ${tuning.batchSize}`] : []),
  ];
  return `# Written by bench/run.ts: users, pages with their full history${files ? ' and files' : '; files off'}.
name: ${name}
source: bench-source
target: bench-target
conflict: skip
types:
  user: true
  page: true
  file: ${files}
users:
  default: create
${options.length > 0 ? `options:\n${options.join('\n')}\n` : ''}`;
}

async function ferryCli(dataDir: string, args: string[], env: NodeJS.ProcessEnv): Promise<Measured> {
  return measureProcess(process.execPath, [FERRY_BIN, '--data-dir', dataDir, ...args], { cwd: REPO, env });
}

async function runFerry(pages: number, source: WikiInstance, base: string, sourceRevisions: number, files: boolean, tuning: { concurrency?: number; batchSize?: number } = {}): Promise<FerryResult> {
  const target = await start(`Bench Ferry Target ${pages}`, join(base, 'ferry-target'));
  try {
    const before = countRevisions(target);
    const dataDir = join(base, 'ferry-data');
    mkdirSync(dataDir, { recursive: true });
    const statsFile = join(base, 'ferry-requests.json');
    const env = { ...process.env, FERRY_BENCH_SOURCE_PW: source.botPassword, FERRY_BENCH_TARGET_PW: target.botPassword };
    for (const [name, wiki, variable] of [
      ['bench-source', source, 'FERRY_BENCH_SOURCE_PW'],
      ['bench-target', target, 'FERRY_BENCH_TARGET_PW'],
    ] as const) {
      const added = await ferryCli(dataDir, ['connection', 'add', name, '--platform', 'mediawiki', '--url', wiki.url, '--username', wiki.botUser, '--password-env', variable], env);
      if (added.exitCode !== 0) throw new Error(describeFailure(`ferry connection add ${name}`, added));
    }
    const planName = `bench-${pages}`;
    const planFile = join(base, 'plan.yaml');
    writeFileSync(planFile, benchPlan(planName, files, tuning));

    say(`Ferry: node bin/ferry.js --data-dir ${dataDir} run ${planFile} --json`);
    const startedAt = Date.now();
    const sampler = new LoadSampler();
    const measured = await ferryCli(dataDir, ['run', planFile, '--json'], { ...env, FERRY_MW_REQUEST_STATS: statsFile });
    const requests = readRequestStats(statsFile, source, target);
    const run = parseJsonOutput(measured.stdout);
    const status = typeof run?.status === 'string' ? run.status : null;
    let ok = measured.exitCode === 0 && status === 'FINISHED';
    // The target's job queue (links, categories...) to the end, as on the native side.
    const jobsQueued = countRows(target, 'job');
    let runJobs: PhpStep | null = null;
    let runJobsError: string | undefined;
    if (ok) {
      say('Ferry: runJobs.php on its target');
      try {
        runJobs = (await measuredPhp(target, 'runJobs.php')).step;
      } catch (error) {
        ok = false;
        runJobsError = String(error);
      }
    }
    const load = sampler.stop();
    const seconds = measured.seconds + (runJobs?.seconds ?? 0);

    // Phase timings from the store (not timed: the run is over).
    let steps: StepTiming[] = [];
    let beforeFirstStepSeconds: number | null = null;
    const statusOut = await ferryCli(dataDir, ['status', planName, '--json'], env);
    const report = statusOut.exitCode === 0 ? parseJsonOutput(statusOut.stdout) : undefined;
    if (report && Array.isArray(report.steps)) {
      const rows = report.steps as Array<{ label: string; status: string; done: number; total: number; startedAt: string | null; endedAt: string | null }>;
      steps = rows.map((s) => ({
        step: s.label,
        status: s.status,
        done: s.done,
        total: s.total,
        seconds: s.startedAt && s.endedAt ? (Date.parse(s.endedAt) - Date.parse(s.startedAt)) / 1000 : null,
      }));
      const firstStart = rows.map((s) => s.startedAt).filter((t): t is string => t !== null).map(Date.parse).sort((a, b) => a - b)[0];
      if (firstStart !== undefined) beforeFirstStepSeconds = (firstStart - startedAt) / 1000;
    }

    const logFile = typeof run?.logFile === 'string' ? run.logFile : null;
    if (logFile && existsSync(logFile)) {
      mkdirSync(RESULTS_DIR, { recursive: true });
      copyFileSync(logFile, join(RESULTS_DIR, `ferry-run-${pages}.log`));
    }
    return {
      ok,
      status,
      exitCode: measured.exitCode,
      seconds,
      runSeconds: measured.seconds,
      revisionsPerSecond: ok ? sourceRevisions / seconds : null,
      peakRssMB: mb(measured.peakRssBytes)!,
      peakChildRssMB: mb(measured.peakChildRssBytes)!,
      rssSamples: measured.samples,
      cpuSeconds: measured.cpuSeconds,
      load,
      beforeFirstStepSeconds,
      steps,
      summary: run?.summary ?? null,
      targetRevisionsAdded: countRevisions(target) - before,
      targetFiles: countRows(target, 'image'),
      targetOldFiles: countRows(target, 'oldimage'),
      jobsQueued,
      runJobs,
      requests,
      logFile,
      ...(ok ? {} : { error: runJobsError ?? describeFailure('ferry run', measured) }),
    };
  } finally {
    await stop(target);
  }
}

// ---------------------------------------------------------------- native

async function runNative(pages: number, source: WikiInstance, base: string, sourceRevisions: number, files: boolean): Promise<NativeResult> {
  const target = await start(`Bench Native Target ${pages}`, join(base, 'native-target'));
  const dumpFile = join(base, 'dump.xml');
  const filesDir = join(base, 'native-files');
  const steps: PhpStep[] = [];
  let copySeconds = 0;
  let copied = { files: 0, bytes: 0 };
  let jobsQueued = 0;
  const secondsOf = (script: string): number => steps.filter((s) => s.script === script).reduce((sum, s) => sum + s.seconds, 0);
  const sums = (): Pick<NativeResult, 'dumpSeconds' | 'importSeconds' | 'copySeconds' | 'imagesSeconds' | 'runJobsSeconds' | 'seconds' | 'importOnlySeconds' | 'peakRssMB' | 'importPeakRssMB'> => {
    const peak = (list: PhpStep[]): number | null => (list.length > 0 ? Math.max(...list.map((s) => s.peakRssMB)) : null);
    return {
      dumpSeconds: secondsOf('dumpBackup.php'),
      importSeconds: secondsOf('importDump.php'),
      copySeconds,
      imagesSeconds: secondsOf('importImages.php'),
      runJobsSeconds: secondsOf('runJobs.php'),
      seconds: steps.reduce((sum, s) => sum + s.seconds, 0) + copySeconds,
      importOnlySeconds: secondsOf('importDump.php') + copySeconds + secondsOf('importImages.php'),
      peakRssMB: peak(steps),
      importPeakRssMB: peak(steps.filter((s) => s.script === 'importDump.php' || s.script === 'importImages.php')),
    };
  };
  const sampler = new LoadSampler();
  try {
    const before = countRevisions(target);
    say(`native: dumpBackup.php --full --quiet --output=file:${dumpFile}`);
    steps.push((await measuredPhp(source, 'dumpBackup.php', ['--full', '--quiet', `--output=file:${dumpFile}`])).step);
    const dumpBytes = statSync(dumpFile).size;
    say(`native: importDump.php ${dumpFile} (${fixed(mb(dumpBytes))} MB)`);
    steps.push((await measuredPhp(target, 'importDump.php', [dumpFile])).step);
    if (files) {
      const copy = await timed(async () => copyCurrentFiles(source, filesDir));
      copySeconds = copy.seconds;
      copied = copy.value;
      say(`native: importImages.php ${filesDir} (${copied.files} files, ${fixed(mb(copied.bytes))} MB, copied in ${fixed(copySeconds, 2)} s)`);
      steps.push((await measuredPhp(target, 'importImages.php', [filesDir])).step);
    }
    jobsQueued = countRows(target, 'job');
    say('native: runJobs.php on its target');
    steps.push((await measuredPhp(target, 'runJobs.php')).step);
    const sum = sums();
    return {
      ok: true,
      load: sampler.stop(),
      ...sum,
      revisionsPerSecond: sourceRevisions / sum.seconds,
      steps,
      dumpBytes,
      filesCopied: copied.files,
      filesBytes: copied.bytes,
      jobsQueued,
      targetRevisionsAdded: countRevisions(target) - before,
      targetFiles: countRows(target, 'image'),
      targetOldFiles: countRows(target, 'oldimage'),
    };
  } catch (error) {
    return { ok: false, ...sums(), revisionsPerSecond: null, steps, dumpBytes: 0, filesCopied: copied.files, filesBytes: copied.bytes, jobsQueued, targetRevisionsAdded: 0, targetFiles: 0, targetOldFiles: 0, load: sampler.stop(), error: String(error) };
  } finally {
    await stop(target);
  }
}

// ---------------------------------------------------------------- one size

async function benchSize(pages: number, options: BenchOptions): Promise<SizeResult> {
  const base = mkdtempSync(join(SHM, `ferry-bench-${pages}-`));
  say(`=== ${pages} pages (folder ${base})`);
  let source: WikiInstance | undefined;
  try {
    const content = generateWikiContent({ ...DEFAULT_WIKI, pages, files: options.files });
    const generatedRevisions = content.pages.reduce((sum, page) => sum + page.revisions.length, 0);
    source = await start(`Bench Source ${pages}`, join(base, 'source'));
    say(`filling the source: ${content.pages.length} pages, ${generatedRevisions} revisions, ${content.users.length} users, ${content.files.length} files`);
    const fill = await timed(() => fillWiki(source!, content, { onProgress: (m) => say(`  ${m}`) }));
    const sourceRevisions = countRevisions(source);
    say(`source holds ${sourceRevisions} revisions (filled in ${fixed(fill.seconds)} s)`);

    const sourceFiles = countRows(source, 'image');
    const sourceOldFiles = countRows(source, 'oldimage');
    const ferry = await runFerry(pages, source, base, sourceRevisions, options.files > 0, { concurrency: options.mwConcurrency, batchSize: options.mwBatchSize });
    say(ferry.ok
      ? `Ferry: ${ferry.status} in ${fixed(ferry.runSeconds)} s + runJobs ${fixed(ferry.runJobs?.seconds)} s = ${fixed(ferry.seconds)} s, ${fixed(ferry.revisionsPerSecond ?? undefined)} rev/s, peak RSS ${fixed(ferry.peakRssMB)} MB`
      : `Ferry FAILED (${ferry.status ?? 'no status'}) after ${fixed(ferry.seconds)} s:\n${ferry.error}`);

    const native = await runNative(pages, source, base, sourceRevisions, options.files > 0);
    say(native.ok
      ? `native: dump ${fixed(native.dumpSeconds)} s + import ${fixed(native.importSeconds)} s + copy ${fixed(native.copySeconds, 2)} s + importImages ${fixed(native.imagesSeconds)} s + runJobs ${fixed(native.runJobsSeconds)} s = ${fixed(native.seconds)} s, ${fixed(native.revisionsPerSecond ?? undefined)} rev/s, peak RSS ${fixed(native.peakRssMB ?? undefined)} MB`
      : `native FAILED: ${native.error}`);

    return {
      pages,
      users: content.users.length,
      files: content.files.length,
      generatedRevisions,
      sourceRevisions,
      fillSeconds: fill.seconds,
      sourceFiles,
      sourceOldFiles,
      ferry,
      native,
      throughputRatio: ferry.revisionsPerSecond && native.revisionsPerSecond ? ferry.revisionsPerSecond / native.revisionsPerSecond : null,
      importOnlyRatio: ferry.ok && native.ok ? native.importOnlySeconds / ferry.runSeconds : null,
    };
  } finally {
    await stop(source);
    if (options.keep) say(`kept ${base}`);
    else rmSync(base, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- output

/** Peak RSS of the CLI doing nearly nothing (`connection list` on an empty data folder): node + Ferry's modules. */
async function idleCliRssMB(): Promise<number> {
  const dataDir = mkdtempSync(join(SHM, 'ferry-bench-idle-'));
  try {
    const m = await measureProcess(process.execPath, [FERRY_BIN, '--data-dir', dataDir, 'connection', 'list'], { cwd: REPO, pollMs: 20 });
    if (m.exitCode !== 0) throw new Error(describeFailure('ferry connection list', m));
    return mb(m.peakRssBytes)!;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function printResults(results: SizeResult[], environment: Record<string, string | number>, idleRssMB: number): void {
  const out = (text = ''): void => void process.stdout.write(`${text}\n`);
  out();
  out('Ferry (run + runJobs.php) vs MediaWiki dumpBackup.php + importDump.php + importImages.php + runJobs.php: users, pages with full history and files');
  out(`(${Object.entries(environment).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  out();
  const columns = ['PAGES', 'REVISIONS', 'FILES', 'FERRY RUN S', 'FERRY +JOBS S', 'NATIVE IMPORT S', 'NATIVE ALL S', 'END-TO-END', 'IMPORT-ONLY', 'FERRY RSS MB', 'NATIVE RSS MB', 'LOAD'];
  out(table(
    results.map((r) => ({
      PAGES: int(r.pages),
      REVISIONS: int(r.sourceRevisions),
      FILES: int(r.sourceFiles),
      'FERRY RUN S': r.ferry.ok ? fixed(r.ferry.runSeconds) : `FAILED (${r.ferry.status ?? `exit ${r.ferry.exitCode}`})`,
      'FERRY +JOBS S': fixed(r.ferry.seconds),
      'NATIVE IMPORT S': fixed(r.native.importOnlySeconds),
      'NATIVE ALL S': r.native.ok ? fixed(r.native.seconds) : 'FAILED',
      'END-TO-END': r.throughputRatio === null ? '-' : `${fixed(r.throughputRatio, 2)}x`,
      'IMPORT-ONLY': r.importOnlyRatio === null ? '-' : `${fixed(r.importOnlyRatio, 2)}x`,
      'FERRY RSS MB': fixed(r.ferry.peakRssMB),
      'NATIVE RSS MB': `${fixed(r.native.importPeakRssMB ?? undefined)} (${fixed(r.native.peakRssMB ?? undefined)})`,
      LOAD: `${fixed(r.ferry.load.mean, 1)}/${fixed(r.native.load.mean, 1)}`,
    })),
    columns,
    new Set(columns.slice(0, 11)),
  ));
  out('END-TO-END: Ferry run + runJobs vs dump + import + file copy + importImages + runJobs; IMPORT-ONLY: Ferry run vs import + file copy + importImages. Ratios are Ferry\'s speed over native\'s.');
  out('NATIVE RSS MB: the largest php VmHWM of importDump/importImages (of every native php process, dump and runJobs included). LOAD: mean 1-min load during Ferry / during native.');
  out();
  if (results.length >= 2) {
    const first = results[0]!;
    const last = results[results.length - 1]!;
    out(`Ferry peak RSS ${int(last.pages)}/${int(first.pages)} pages: ${fixed(last.ferry.peakRssMB / first.ferry.peakRssMB, 2)}x (${fixed(first.ferry.peakRssMB)} MB -> ${fixed(last.ferry.peakRssMB)} MB for ${fixed(last.sourceRevisions / first.sourceRevisions, 1)}x the revisions)`);
  }
  out(`Idle CLI baseline (\`node bin/ferry.js connection list\`, same loader): ${fixed(idleRssMB)} MB peak RSS; the runs used ${results.map((r) => `${fixed(r.ferry.peakRssMB - idleRssMB)} MB`).join(', ')} above it.`);
  const busiest = Math.max(...results.flatMap((r) => [r.ferry.load.mean, r.native.load.mean]));
  if (busiest > cpus().length) {
    out(`WARNING: the machine was busy while measuring (mean 1-min load average up to ${fixed(busiest)} on ${cpus().length} CPUs during a measured phase, see Details): absolute figures are slowed and noisy; compare runs made on a quiet machine.`);
  }
  out('Peak RSS is the VmHWM of the `node bin/ferry.js run` process (the bundled build, build/cli/ferry.js).');
  out('Ferry run seconds are the wall clock of that one command: startup, connection checks, inventory, pre-checks, the users, pages and files steps, and verify; runJobs.php on its target comes on top in the end-to-end figure.');
  out('Revisions/s = source revisions (the database count, incl. the installer\'s Main Page) / seconds, for both.');
  out();
  out('Details:');
  for (const r of results) {
    const steps = r.ferry.steps.map((s) => `${s.step} ${s.status} ${s.done}/${s.total}${s.seconds === null ? '' : ` ${fixed(s.seconds)} s`}`).join('; ');
    out(`  ${int(r.pages)} pages: generated ${int(r.generatedRevisions)} revisions, ${r.users} users, ${r.files} files; source filled in ${fixed(r.fillSeconds)} s`);
    const pagesStep = r.ferry.steps.find((s) => s.step === 'Pages' && s.seconds !== null);
    out(`    Ferry: status ${r.ferry.status ?? '-'}, before first step ${fixed(r.ferry.beforeFirstStepSeconds ?? undefined)} s; steps: ${steps || '-'}${pagesStep?.seconds ? `; pages step alone ${fixed(r.sourceRevisions / pagesStep.seconds)} rev/s` : ''}`);
    out(`    Ferry target gained ${int(r.ferry.targetRevisionsAdded)} revisions (import adds one null revision per page); ferry process CPU ${fixed(r.ferry.cpuSeconds)} s of ${fixed(r.ferry.seconds)} s wall; child-process peak RSS ${r.ferry.peakChildRssMB > 0 ? `${fixed(r.ferry.peakChildRssMB)} MB` : 'none'}; ${r.ferry.rssSamples} RSS samples`);
    if (r.ferry.requests.length > 0) {
      out(`    Ferry's API requests (count, failed, total ms; concurrent requests overlap, so the ms add up to more than the wall clock):`);
      for (const q of r.ferry.requests) out(`      ${q.wiki.padEnd(6)} ${q.kind.padEnd(40)} ${String(q.count).padStart(6)} ${String(q.failed).padStart(4)} ${String(q.ms).padStart(9)} ms  (${fixed(q.ms / q.count, 1)} ms each)`);
    }
    const jobs = (step: PhpStep | null | undefined): string => Object.entries(step?.jobs ?? {}).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
    out(`    Ferry: run ${fixed(r.ferry.runSeconds)} s + runJobs.php ${fixed(r.ferry.runJobs?.seconds)} s (ran ${jobs(r.ferry.runJobs)}; php peak RSS ${fixed(r.ferry.runJobs?.peakRssMB)} MB); target files ${r.ferry.targetFiles} + ${r.ferry.targetOldFiles} old versions (source ${r.sourceFiles} + ${r.sourceOldFiles})`);
    out(`    native: ${r.native.steps.map((s) => `${s.script} ${fixed(s.seconds)} s / ${fixed(s.peakRssMB)} MB`).join(', ')}; file copy ${fixed(r.native.copySeconds, 2)} s (${r.native.filesCopied} files); runJobs ran ${jobs(r.native.steps.find((s) => s.script === 'runJobs.php'))}`);
    out(`    native: dump ${fixed(mb(r.native.dumpBytes))} MB XML; target gained ${int(r.native.targetRevisionsAdded)} revisions, files ${r.native.targetFiles} + ${r.native.targetOldFiles} old versions (importImages carries the current version only)${r.native.ok ? '' : `; FAILED: ${r.native.error}`}`);
    out(`    machine load (1-min average, mean/max; ${cpus().length} CPUs): during Ferry ${fixed(r.ferry.load.mean)}/${fixed(r.ferry.load.max)}, during dump+import ${fixed(r.native.load.mean)}/${fixed(r.native.load.max)}`);
  }
}

// ---------------------------------------------------------------- main

/** The two MediaWiki cases of one size: end to end with runJobs, and the import alone. */
function mediawikiCases(r: SizeResult): BenchCase[] {
  const { ferry: ferryDetails, native, throughputRatio: _ratio, importOnlyRatio: _importRatio, ...rest } = r;
  const ok = r.ferry.ok && r.native.ok;
  const withFiles = r.files > 0;
  const rate = (seconds: number, good: boolean): number | null => (good && seconds > 0 ? r.sourceRevisions / seconds : null);
  const ferry = { seconds: r.ferry.seconds, itemsPerSecond: r.ferry.revisionsPerSecond, peakRssMB: r.ferry.peakRssMB };
  const peer = { name: `dumpBackup.php + importDump.php${withFiles ? ' + importImages.php' : ''} + runJobs.php`, seconds: r.native.seconds, itemsPerSecond: r.native.revisionsPerSecond, peakRssMB: r.native.peakRssMB };
  const ferryImport = { seconds: r.ferry.runSeconds, itemsPerSecond: rate(r.ferry.runSeconds, r.ferry.ok), peakRssMB: r.ferry.peakRssMB };
  const peerImport = { name: `importDump.php${withFiles ? ' + importImages.php' : ''}`, seconds: r.native.importOnlySeconds, itemsPerSecond: rate(r.native.importOnlySeconds, r.native.ok), peakRssMB: r.native.importPeakRssMB };
  const extra = { unit: 'revisions (files carried besides)', ...rest, load: { ferry: r.ferry.load, native: r.native.load, cpus: cpus().length } };
  return [
    { name: 'mediawiki-native', items: r.sourceRevisions, ferry, peer, ratio: ratioOf(ferry, peer), ok, extra: { ...extra, ferryDetails, native } },
    { name: 'mediawiki-import-only', items: r.sourceRevisions, ferry: ferryImport, peer: peerImport, ratio: ratioOf(ferryImport, peerImport), ok, extra: { ...extra, note: 'Ferry\'s run alone vs importDump + the file copy + importImages: no dump, no runJobs on either side; details in mediawiki-native of the same size' } },
  ];
}

function wordpressCases(r: WordPressBenchResult): BenchCase[] {
  const ferry = { seconds: r.ferry.seconds, itemsPerSecond: r.ferry.itemsPerSecond, peakRssMB: r.ferry.peakRssMB };
  const { ferry: ferryDetails, baseline, native, throughputRatio: _ratio, ...rest } = r;
  const cases: BenchCase[] = [];
  if (native) {
    // The same items on both sides (Ferry's objects written): the ratio is native seconds / Ferry seconds.
    const peer = { name: 'export_wp() + WXR import (stand-in for the WordPress Importer)', seconds: native.seconds, itemsPerSecond: native.ok ? r.ferry.items / native.seconds : null, peakRssMB: native.peakRssMB };
    const note = 'WordPress Importer plugin not installable here (not in Debian or npm): bench/wordpress-wxr-import.php stands in for it, calling the same core functions (wp_insert_user/term/post/comment/attachment, media fetched over HTTP from the source). Peer items/s = Ferry\'s items / the peer\'s seconds; the peer creates fewer objects (no settings, no users without posts, no roles, no link rewriting): see nativeObjects.';
    cases.push({ name: 'wordpress-native', items: r.ferry.items, ferry, peer, ratio: ratioOf(ferry, peer), ok: r.ferry.ok && native.ok, extra: { note, nativeObjects: native.objects, native, posts: r.posts, concurrency: r.concurrency, load: { ferry: r.ferry.load, native: native.load } } });
  }
  if (baseline) {
    const peer = { name: 'minimal REST script', seconds: baseline.seconds, itemsPerSecond: baseline.itemsPerSecond, peakRssMB: null };
    cases.push({ name: 'wordpress-rest-script', items: r.ferry.items, ferry, peer, ratio: ratioOf(ferry, peer), ok: r.ferry.ok && baseline.ok, extra: { ...rest, ferryDetails, baseline } });
  }
  return cases;
}

/** The one table of every case (the same figures as latest.json's cases). */
export function casesTable(cases: BenchCase[]): string {
  const columns = ['CASE', 'ITEMS', 'FERRY S', 'FERRY ITEMS/S', 'FERRY PEAK RSS MB', 'PEER', 'PEER S', 'PEER ITEMS/S', 'FERRY/PEER', 'OK'];
  const right = new Set(['ITEMS', 'FERRY S', 'FERRY ITEMS/S', 'FERRY PEAK RSS MB', 'PEER S', 'PEER ITEMS/S', 'FERRY/PEER']);
  return table(
    cases.map((c) => ({
      CASE: c.name,
      ITEMS: int(c.items),
      'FERRY S': fixed(c.ferry.seconds),
      'FERRY ITEMS/S': fixed(c.ferry.itemsPerSecond ?? undefined),
      'FERRY PEAK RSS MB': fixed(c.ferry.peakRssMB ?? undefined),
      PEER: c.peer.name,
      'PEER S': fixed(c.peer.seconds),
      'PEER ITEMS/S': fixed(c.peer.itemsPerSecond ?? undefined),
      'FERRY/PEER': c.ratio === null ? '-' : `${fixed(c.ratio, 2)}x`,
      OK: c.ok ? 'yes' : 'NO',
    })),
    columns,
    right,
  );
}

function engineNotes(cases: BenchCase[]): string[] {
  const engine = cases.filter((c) => c.name.startsWith('engine-'));
  if (engine.length === 0) return [];
  const lines = ['Engine cases (reference target: a fixed wait per write; the peer is the latency bound, items x latency / concurrency; Ferry seconds are the run, from Ferry.run() to FINISHED, inside the measured process):'];
  for (const c of engine) {
    const x = c.extra as { processSeconds: number; processRatio: number | null; perfectClient: { itemsPerSecond: number }; ratioToPerfectClient: number | null; storeBytesPerItem: number; cpuSeconds: number; load: { mean: number; max: number }; resume?: { ok: boolean; resumeSeconds?: number; killedAtItems?: number; created?: number | null; expected?: number; error?: string } };
    const resume = x.resume
      ? x.resume.ok
        ? `resume after kill -9 at ${int(x.resume.killedAtItems)}: ${fixed(x.resume.resumeSeconds)} s to FINISHED, ${int(x.resume.created ?? undefined)}/${int(x.resume.expected)} created`
        : `resume FAILED: ${x.resume.error ?? '-'}`
      : 'resume not measured';
    lines.push(`  ${c.name}: the whole process ${fixed(x.processSeconds)} s with node + CLI start-up (${x.processRatio === null ? '-' : `${fixed(x.processRatio, 3)}x`} the bound), a perfect client right after: ${fixed(x.perfectClient.itemsPerSecond)} items/s (Ferry ${x.ratioToPerfectClient === null ? '-' : `${fixed(x.ratioToPerfectClient, 3)}x`} that), process CPU ${fixed(x.cpuSeconds)} s, store ${fixed(x.storeBytesPerItem, 0)} bytes/item, load ${fixed(x.load.mean)}/${fixed(x.load.max)}; ${resume}`);
  }
  if (engine.length >= 2) {
    const rss = engine.map((c) => c.ferry.peakRssMB ?? 0);
    lines.push(`  peak RSS ${engine.map((c) => `${c.name} ${fixed(c.ferry.peakRssMB ?? undefined)} MB`).join(', ')}: largest/smallest ${fixed(Math.max(...rss) / Math.min(...rss), 3)}x`);
  }
  return lines;
}

/** Newest modification time of the files under a folder. */
function newestUnder(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const path = join(dir, entry.name);
    return Math.max(latest, entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs);
  }, 0);
}

/**
 * bin/ferry.js runs the bundled build when it is newer than the sources and compiles the TypeScript
 * on the fly otherwise (0.5-0.8 s more per start, and more memory). A user's installation runs the
 * build, so the bench measures the build: it builds first when the sources changed since.
 */
function ensureFreshBuild(): void {
  const marker = join(REPO, 'build', '.built');
  if (existsSync(marker) && statSync(marker).mtimeMs >= newestUnder(join(REPO, 'src'))) return;
  say('the build is older than the sources: `npm run build` first, so the bench measures the CLI a user runs');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  ensureFreshBuild();
  process.on('SIGINT', () => {
    process.stderr.write('\ninterrupted: stopping the wikis...\n');
    void Promise.allSettled([...running].map((w) => w.stop())).then(() => process.exit(130));
  });
  const environment: Record<string, string | number> = {
    node: process.version,
    CPUs: cpus().length,
    'CPU': cpus()[0]?.model.trim() ?? 'unknown',
    RAM: `${Math.round(totalmem() / 1024 ** 3)} GB`,
  };
  const started = Date.now();
  const cases: BenchCase[] = [];
  const write = (): void => {
    mkdirSync(dirname(options.out), { recursive: true });
    const { only, wordpressCases, systemCases, ...rest } = options;
    writeFileSync(options.out, `${JSON.stringify({ at: new Date().toISOString(), totalSeconds: (Date.now() - started) / 1000, environment, options: { ...rest, only: [...only], wordpressCases: [...wordpressCases], systemCases: [...systemCases] }, cases }, null, 2)}\n`);
  };

  if (options.only.has('engine')) {
    for (const items of options.engineSizes) {
      cases.push(await runEngineCase({ name: `engine-${sizeName(items)}`, items, latencyMs: options.latencyMs, concurrency: options.concurrency, resume: items <= options.resumeUpTo, keep: options.keep, say }));
      write();
    }
  }

  if (options.only.has('scale')) {
    for (const workers of [1, 2, 4]) {
      cases.push(await runScaleCase({ name: `scale-${workers}w`, items: options.scaleItems, workers, latencyMs: options.scaleLatencyMs, concurrency: options.scaleLimit, workerConcurrency: options.scaleCapacity, heapMB: options.scaleHeapMB, keep: options.keep, say }));
      write();
    }
  }

  if (options.only.has('mediawiki') && options.sizes.length > 0) {
    await ensureMediaWikiPackages();
    environment.MediaWiki = mediaWikiVersion();
    environment.PHP = await phpVersion();
    const idleRssMB = await idleCliRssMB();
    const results: SizeResult[] = [];
    try {
      for (const pages of options.sizes) {
        results.push(await benchSize(pages, options));
        cases.push(...mediawikiCases(results[results.length - 1]!));
        write();
      }
    } finally {
      for (const wiki of [...running]) await stop(wiki);
    }
    printResults(results, environment, idleRssMB);
  }

  if (options.only.has('wordpress') && options.wordpressPosts > 0) {
    process.stdout.write(`\nWordPress: Ferry vs a minimal script doing the same REST writes at the same concurrency (${options.wordpressPosts} posts)...\n`);
    const wordpress = await runWordPressBench({ posts: options.wordpressPosts, concurrency: 4, keep: options.keep, native: options.wordpressCases.has('wordpress-native'), baseline: options.wordpressCases.has('wordpress-rest-script'), onProgress: (m) => process.stderr.write(`  ${m}\n`) });
    process.stdout.write(`${formatWordPressResult(wordpress)}\n`);
    cases.push(...wordpressCases(wordpress));
  }

  if (options.only.has('system')) {
    await ensureMediaWikiPackages();
    // The first size keeps the plain case names; Ferry's fixed second weighs less as the installation grows.
    for (const [round, blobs] of options.systemBlobs.entries()) {
      const suffix = round === 0 ? '' : `@${blobs.count * blobs.mb}MB`;
      if (options.systemCases.has('system-mediawiki')) {
        cases.push(await runSystemMediaWikiCase({ content: { ...SYSTEM_WIKI, pages: options.systemPages }, blobs, keep: options.keep, say, suffix, rounds: options.systemRounds }));
        write();
      }
      if (options.systemCases.has('system-mediawiki-ssh')) {
        cases.push(await runSystemMediaWikiCase({ content: { ...SYSTEM_WIKI, pages: options.systemPages }, blobs, keep: options.keep, say, ssh: true, suffix, rounds: options.systemRounds }));
        write();
        // Over loopback the copy is bound by the CPU of one machine running both servers; between servers it is bound by round trips.
        for (const rttMs of round === 0 ? options.systemRtts : []) {
          cases.push(await runSystemMediaWikiCase({ content: { ...SYSTEM_WIKI, pages: options.systemPages }, blobs, keep: options.keep, say, ssh: true, suffix, rttMs, rounds: options.systemRounds }));
          write();
        }
      }
      if (options.systemCases.has('system-wordpress')) {
        await ensureWordPressPackages();
        const quick = options.systemPages < DEFAULT_WIKI.pages;
        const content = quick ? { ...DEFAULT_SITE, posts: 40, pages: 10, media: 12, comments: 60 } : DEFAULT_SITE;
        cases.push(await runSystemWordPressCase({ content, blobs, keep: options.keep, say, suffix, rounds: options.systemRounds }));
        write();
      }
    }
  }

  write();
  const out = (text = ''): void => void process.stdout.write(`${text}\n`);
  out();
  out(`All cases (${Object.entries(environment).map(([k, v]) => `${k} ${v}`).join(', ')}; load average now ${loadavg().map((l) => fixed(l, 2)).join(' ')}):`);
  out(casesTable(cases));
  for (const line of engineNotes(cases)) out(line);
  for (const line of scaleNotes(cases)) out(line);
  const system = systemNotes(cases);
  if (system.length > 0) out(['System migration cases (items: bytes moved; Ferry: the whole `ferry run` process; per-operation seconds from the run\'s steps):', ...system].join('\n'));
  out(`\nResults: ${options.out}; total ${fixed((Date.now() - started) / 1000)} s`);
  if (cases.some((c) => !c.ok)) process.exitCode = 1;
}

main().catch(async (error: unknown) => {
  for (const wiki of [...running]) await stop(wiki).catch(() => undefined);
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
