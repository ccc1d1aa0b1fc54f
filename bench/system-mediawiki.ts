/**
 * The system-mediawiki case (issue 9): a whole generated MediaWiki (SQLite,
 * with files, plus a few MB-sized blobs in its upload folder so the copy
 * weighs something) copied onto a fresh wiki by `ferry run <system plan>`
 * (local path), against the native way for SQLite on the same machine in the
 * same sitting: `sqlite3 .backup` of the source database into the target's
 * database folder, `cp -a` of the uploads, the site's settings and secret
 * keys written into the target's config, the target's object cache emptied.
 *
 * Ferry's seconds: the whole `node bin/ferry.js run plan.yaml` process (start-
 * up, discovery, pre-checks, the target snapshot, maintenance, the copies with
 * their SHA-256 checks, the config, final checks over HTTP). Items: bytes
 * moved (the source database + the uploads), the same figure on both sides.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFilledWiki } from '../src/generator/filled-wiki-cache.js';
import type { WikiContentOptions } from '../src/generator/mediawiki-content.js';
import { startWiki, type WikiInstance } from '../src/harness/mediawiki.js';
import { startSshd, type Sshd } from '../src/harness/sshd.js';
import { ratioOf, type BenchCase } from './cases.js';
import { describeFailure, LoadSampler, measureProcess, parseJsonOutput, type Measured } from './measure.js';
import { startLatencyRelay, type LatencyRelay } from './latency-relay.js';
import { fixed, mb } from './report.js';
import { alternate, freshState, medianRound, roundsText } from './system-rounds.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FERRY_BIN = join(REPO, 'bin', 'ferry.js');
const SHM = process.platform === 'linux' ? '/dev/shm' : '/tmp';
/**
 * Where the installations of the system cases live: tmpfs by default; FERRY_BENCH_SYSTEM_DIR=/var/tmp puts them on
 * the disk, as a server's /var/www is. FERRY_BENCH_SYSTEM_SYNC=1 adds a `sync` after each side (Ferry's run, the native
 * commands) inside its measured time, so both sides pay for making the copy durable, not only for the page cache.
 */
export const SYSTEM_DIR = process.env.FERRY_BENCH_SYSTEM_DIR || SHM;
export const SYSTEM_SYNC = process.env.FERRY_BENCH_SYSTEM_SYNC === '1';
/**
 * FERRY_BENCH_SYSTEM_COLD=1: before each side, write everything out and drop the kernel's page cache (root only,
 * /proc/sys/vm/drop_caches), so each side reads the source installation from the disk, as on a server whose
 * uploads have not all been read lately, and the side measured second does not find the files the first one
 * read already in memory. Not measured inside either side's time. Needs FERRY_BENCH_SYSTEM_DIR on a disk.
 */
export const SYSTEM_COLD = process.env.FERRY_BENCH_SYSTEM_COLD === '1';

/**
 * Before a side: with FERRY_BENCH_SYSTEM_SYNC=1 or _COLD=1, a `sync` outside the measured time, so that
 * neither side pays for writing out what came before it (the source just generated, the other side's copy);
 * with _COLD=1, the page cache emptied too. True when it was emptied (false: not asked, or the kernel refused).
 */
export async function dropCaches(): Promise<boolean> {
  if (!SYSTEM_COLD && !SYSTEM_SYNC) return false;
  await measureProcess('sync', []);
  if (!SYSTEM_COLD) return false;
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3\n');
    return true;
  } catch {
    return false;
  }
}

/** Seconds of a `sync` (0 without FERRY_BENCH_SYSTEM_SYNC=1). */
export async function syncSeconds(): Promise<number> {
  if (!SYSTEM_SYNC) return 0;
  const m = await measureProcess('sync', []);
  if (m.exitCode !== 0) throw new Error(describeFailure('sync', m));
  return m.seconds;
}

export interface SystemMediaWikiOptions {
  /** Generated wiki content of the source. */
  content: WikiContentOptions;
  /** MB-sized random blobs added to the source's upload folder (count x MB). */
  blobs: { count: number; mb: number };
  keep: boolean;
  say: (message: string) => void;
  /** Both wikis reached through a private OpenSSH server on a loopback port (system-mediawiki-ssh). */
  ssh?: boolean;
  /** Added to the case's name (a second size: '@4096MB'). */
  suffix?: string;
  /** Alternated rounds of each side (system-rounds.ts); the case reports each side's median round. */
  rounds: number;
  /**
   * With ssh: a round trip of this many ms between the SSH clients (Ferry's and the native pipe's) and the sshd,
   * through bench/latency-relay.ts, as between two servers in different places; the case is named '...@rttNms'.
   */
  rttMs?: number;
}

export interface StepSeconds {
  step: string;
  status: string;
  seconds: number | null;
  /** When the step ran (epoch ms), for steps of the run; the bench's own `sync` has none. */
  startMs?: number;
  endMs?: number;
}

/**
 * Wall-clock seconds that the steps cover together: steps that ran side by side (the database and the
 * file copy) count once. Steps without times (the bench's `sync`, after the run) add their seconds.
 */
export function wallSeconds(steps: StepSeconds[]): number {
  const spans = steps.filter((s) => s.startMs !== undefined && s.endMs !== undefined).map((s) => [s.startMs!, s.endMs!] as const).sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let reached = -Infinity;
  for (const [start, end] of spans) {
    covered += Math.max(0, end - Math.max(start, reached));
    reached = Math.max(reached, end);
  }
  return covered / 1000 + steps.filter((s) => s.startMs === undefined).reduce((n, s) => n + (s.seconds ?? 0), 0);
}

/** The database file of a harness wiki (db/<dbName>.sqlite). */
export function wikiDbFile(wiki: WikiInstance): string {
  const state = JSON.parse(readFileSync(join(wiki.dir, 'ferry-wiki.json'), 'utf8')) as { dbName: string };
  return join(wiki.dir, 'db', `${state.dbName}.sqlite`);
}

export function treeSize(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        files++;
        bytes += statSync(full).size;
      }
    }
  };
  walk(dir);
  return { files, bytes };
}

/** Per-operation seconds of a finished system run, from `ferry status <name> --json`. */
export async function stepSeconds(dataDir: string, planName: string): Promise<StepSeconds[]> {
  const status = await measureProcess(process.execPath, [FERRY_BIN, '--data-dir', dataDir, 'status', planName, '--json'], { env: { ...process.env, FORCE_COLOR: '0' } });
  const report = status.exitCode === 0 ? parseJsonOutput(status.stdout) : undefined;
  const rows = (report?.steps ?? []) as Array<{ type: string; status: string; startedAt: string | null; endedAt: string | null }>;
  return rows.map((s) => (s.startedAt && s.endedAt
    ? { step: s.type, status: s.status, seconds: (Date.parse(s.endedAt) - Date.parse(s.startedAt)) / 1000, startMs: Date.parse(s.startedAt), endMs: Date.parse(s.endedAt) }
    : { step: s.type, status: s.status, seconds: null }));
}

/** Wall clock of an idle `ferry --help` (node + the bundled CLI): the floor of any ferry run here. */
export async function cliStartSeconds(): Promise<number> {
  const m = await measureProcess(process.execPath, [FERRY_BIN, '--help'], { env: { ...process.env, FORCE_COLOR: '0' } });
  return m.seconds;
}

/**
 * Ferry's side of a system case's rounds (system-rounds.ts): a round is the whole `ferry run` of the plan, its
 * steps and the check that the target serves the source; before the next round the way back Ferry itself
 * offers puts the target back (`ferry undo` restores it from its snapshot and takes the source out of
 * maintenance), and the run's work folder goes.
 */
export function ferryRounds(side: { dataDir: string; workDir: string; planFile: string; planName: string; serves: () => Promise<string | undefined> }) {
  const env = { ...process.env, FORCE_COLOR: '0' };
  return {
    async ferry() {
      const cold = await dropCaches();
      const sampler = new LoadSampler();
      const run = await measureProcess(process.execPath, [...(process.env.FERRY_BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.FERRY_BENCH_PROF] : []), FERRY_BIN, '--data-dir', side.dataDir, 'run', side.planFile, '--json'], { env, pollMs: 50 });
      const sync = await syncSeconds();
      const load = sampler.stop();
      const runJson = parseJsonOutput(run.stdout);
      const steps: StepSeconds[] = [...(await stepSeconds(side.dataDir, side.planName)), ...(SYSTEM_SYNC ? [{ step: 'sync', status: 'Success', seconds: sync }] : [])];
      const problem = run.exitCode !== 0 || runJson?.status !== 'FINISHED' ? describeFailure('ferry run', run) : await side.serves();
      return { seconds: run.seconds + sync, run, runId: runJson?.id as number | undefined, cold, load, steps, ...(problem ? { problem } : {}) };
    },
    async resetFerry(last: { runId: number | undefined }) {
      const undo = await measureProcess(process.execPath, [FERRY_BIN, '--data-dir', side.dataDir, 'undo', String(last.runId), '--json'], { env });
      if (undo.exitCode !== 0) throw new Error(describeFailure('ferry undo between rounds', undo));
      rmSync(side.workDir, { recursive: true, force: true });
    },
  };
}

/** The native side of a case's rounds: its copy, with the load while it ran, then whether its target serves the source; `fresh` puts the target back. */
export function nativeRounds<T extends { ok: boolean; error?: string }>(copy: () => Promise<T>, serves: () => Promise<string | undefined>, fresh: { restore(): void }) {
  return {
    async native() {
      const cold = await dropCaches();
      const sampler = new LoadSampler();
      const result = await copy();
      const load = sampler.stop();
      const problem = result.ok ? await serves() : result.error;
      return { ...result, cold, load, ...(problem ? { problem } : {}) };
    },
    resetNative: async () => fresh.restore(),
  };
}

/** Runs a command measured (wall clock, VmHWM); throws with its output when it fails. */
async function measured(command: string, args: string[]): Promise<Measured> {
  const m = await measureProcess(command, args, { pollMs: 50 });
  if (m.exitCode !== 0) throw new Error(describeFailure(`${command} ${args.join(' ')}`, m));
  return m;
}

/** Settings a native move carries by hand: the site's name and its secret keys (what Ferry's copy-settings also writes, minus the rest). */
function nativeSettings(sourceConfig: string): string {
  const lines = ['<?php', '// Written by the native side of the system-mediawiki bench case.'];
  for (const name of ['wgSitename', 'wgMetaNamespace', 'wgSecretKey', 'wgUpgradeKey']) {
    const match = new RegExp(`^\\$${name}\\s*=.*;\\s*$`, 'm').exec(sourceConfig);
    if (match) lines.push(match[0]);
  }
  return `${lines.join('\n')}\n`;
}

export interface NativeResult {
  ok: boolean;
  seconds: number;
  peakRssMB: number;
  steps: StepSeconds[];
  error?: string;
}

/** The native move of a SQLite wiki, the wikis up: sqlite3 .backup, cp -a, config, cache. */
export async function nativeMediaWikiCopy(source: WikiInstance, target: WikiInstance): Promise<NativeResult> {
  const steps: StepSeconds[] = [];
  let peak = 0;
  const started = process.hrtime.bigint();
  const step = async (name: string, body: () => Promise<Measured | void>): Promise<void> => {
    const t = process.hrtime.bigint();
    const m = await body();
    if (m) peak = Math.max(peak, m.peakRssBytes);
    steps.push({ step: name, status: 'Success', seconds: Number(process.hrtime.bigint() - t) / 1e9 });
  };
  try {
    const targetDb = wikiDbFile(target);
    const incoming = join(dirname(targetDb), '.native-incoming.sqlite');
    await step('sqlite3 .backup', () => measured('sqlite3', [wikiDbFile(source), `.backup '${incoming}'`]));
    await step('place database', async () => {
      for (const suffix of ['-journal', '-wal', '-shm']) rmSync(`${targetDb}${suffix}`, { force: true });
      renameSync(incoming, targetDb);
      return measured('sqlite3', [join(dirname(targetDb), 'wikicache.sqlite'), 'DELETE FROM objectcache;']);
    });
    await step('cp -a uploads', () => measured('cp', ['-a', `${join(source.dir, 'images')}/.`, join(target.dir, 'images')]));
    await step('write config', async () => {
      writeFileSync(join(target.dir, 'NativeSettings.php'), nativeSettings(readFileSync(join(source.dir, 'LocalSettings.php'), 'utf8')));
      appendFileSync(join(target.dir, 'LocalSettings.php'), `\nrequire_once __DIR__ . '/NativeSettings.php';\n`);
    });
    if (SYSTEM_SYNC) await step('sync', () => measured('sync', []));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { ok: true, seconds, peakRssMB: mb(peak)!, steps };
  } catch (error) {
    return { ok: false, seconds: Number(process.hrtime.bigint() - started) / 1e9, peakRssMB: mb(peak)!, steps, error: String(error).slice(0, 2000) };
  }
}

/** A string as one shell word. */
const q = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** The native move over SSH, the way an administrator pipes it: ssh source ... | ssh target ... */
export async function nativeMediaWikiCopySsh(source: WikiInstance, target: WikiInstance, sshd: Sshd): Promise<NativeResult> {
  const ssh = ['ssh', '-p', String(sshd.port), '-i', sshd.clientKeyPath, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', `${sshd.user}@127.0.0.1`].map(q).join(' ');
  const steps: StepSeconds[] = [];
  let peak = 0;
  const started = process.hrtime.bigint();
  const step = async (name: string, line: string): Promise<void> => {
    const t = process.hrtime.bigint();
    const m = await measured('bash', ['-o', 'pipefail', '-c', line]);
    peak = Math.max(peak, m.peakRssBytes, m.peakChildRssBytes);
    steps.push({ step: name, status: 'Success', seconds: Number(process.hrtime.bigint() - t) / 1e9 });
  };
  try {
    const sourceDb = wikiDbFile(source);
    const targetDb = wikiDbFile(target);
    const backup = join(dirname(sourceDb), '.native-backup.sqlite');
    const incoming = join(dirname(targetDb), '.native-incoming.sqlite');
    const readDb = `sqlite3 ${q(sourceDb)} ${q(`.backup '${backup}'`)} && cat ${q(backup)} && rm -f ${q(backup)}`;
    const writeDb = `cat > ${q(incoming)} && rm -f ${['-journal', '-wal', '-shm'].map((x) => q(`${targetDb}${x}`)).join(' ')} && mv ${q(incoming)} ${q(targetDb)} && sqlite3 ${q(join(dirname(targetDb), 'wikicache.sqlite'))} 'DELETE FROM objectcache;'`;
    await step('ssh sqlite3 .backup + cat | ssh cat', `${ssh} ${q(readDb)} | ${ssh} ${q(writeDb)}`);
    await step('ssh tar c | ssh tar x uploads', `${ssh} ${q(`tar -C ${q(join(source.dir, 'images'))} -cf - .`)} | ${ssh} ${q(`tar -C ${q(join(target.dir, 'images'))} -xpf -`)}`);
    const writeConfig = `cat > ${q(join(target.dir, 'NativeSettings.php'))} && printf '\\nrequire_once __DIR__ . %s;\\n' "'/NativeSettings.php'" >> ${q(join(target.dir, 'LocalSettings.php'))}`;
    await step('write config over ssh', `${ssh} ${q(`cat ${q(join(source.dir, 'LocalSettings.php'))}`)} | grep -E '^\\$(wgSitename|wgMetaNamespace|wgSecretKey|wgUpgradeKey)[[:space:]]*=' | (echo '<?php'; cat) | ${ssh} ${q(writeConfig)}`);
    if (SYSTEM_SYNC) await step('sync', 'sync');
    return { ok: true, seconds: Number(process.hrtime.bigint() - started) / 1e9, peakRssMB: mb(peak)!, steps };
  } catch (error) {
    return { ok: false, seconds: Number(process.hrtime.bigint() - started) / 1e9, peakRssMB: mb(peak)!, steps, error: String(error).slice(0, 2000) };
  }
}

/** The target serves the source's sitename and Main Page: what both sides must end with. */
export async function targetServes(target: WikiInstance, sitename: string): Promise<string | undefined> {
  const page = await fetch(`${target.url}/index.php?title=Main_Page`);
  if (page.status !== 200) return `Main Page answered ${page.status}`;
  const info = (await (await fetch(`${target.apiUrl}?action=query&meta=siteinfo&format=json&formatversion=2`)).json()) as { query: { general: { sitename: string } } };
  if (info.query.general.sitename !== sitename) return `sitename ${info.query.general.sitename}, expected ${sitename}`;
  return undefined;
}

function planText(name: string, source: WikiInstance, target: WikiInstance, workDir: string, sshd?: Sshd): string {
  const host = sshd
    ? `
    ssh:
      host: 127.0.0.1
      port: ${sshd.port}
      user: ${sshd.user}
      key: ${sshd.clientKeyPath}
      hostKey: "${sshd.hostKeyFingerprint}"
`
    : ' local\n';
  return `kind: system
name: ${name}
platform: mediawiki
source:
  host:${host}  configFile: ${join(source.dir, 'LocalSettings.php')}
  workDir: ${join(workDir, 'source-work')}
target:
  host:${host}  configFile: ${join(target.dir, 'LocalSettings.php')}
  workDir: ${join(workDir, 'target-work')}
options:
  secretKeys: true
  sourceAfter: online
`;
}

export async function runSystemMediaWikiCase(options: SystemMediaWikiOptions): Promise<BenchCase> {
  const { say } = options;
  const rttMs = options.ssh ? (options.rttMs ?? 0) : 0;
  const name = `${options.ssh ? 'system-mediawiki-ssh' : 'system-mediawiki'}${rttMs > 0 ? `@rtt${rttMs}ms` : ''}${options.suffix ?? ''}`;
  const root = mkdtempSync(join(SYSTEM_DIR, 'ferry-bench-sysmw-'));
  const wikis: WikiInstance[] = [];
  let sshd: Sshd | undefined;
  let relay: LatencyRelay | undefined;
  try {
    if (options.ssh) sshd = await startSshd({ dir: join(root, 'sshd') });
    if (sshd && rttMs > 0) {
      relay = await startLatencyRelay(sshd.port, rttMs / 2);
      // Both sides reach the sshd through the relay.
      sshd = { ...sshd, port: relay.port };
    }
    say(`${name}: source wiki (${options.content.pages} pages, ${options.content.files} files, + ${options.blobs.count} x ${options.blobs.mb} MB blobs) in ${root}`);
    const { wiki: source } = await startFilledWiki({ name: 'Bench System Source', baseDir: join(root, 'source'), content: options.content, scribunto: false });
    wikis.push(source);
    const blobDir = join(source.dir, 'images', 'bench-blobs');
    mkdirSync(blobDir, { recursive: true });
    for (let i = 0; i < options.blobs.count; i++) writeFileSync(join(blobDir, `blob-${i}.bin`), randomBytes(options.blobs.mb * 1024 * 1024));
    const dbBytes = statSync(wikiDbFile(source)).size;
    const uploads = treeSize(join(source.dir, 'images'));
    const bytes = dbBytes + uploads.bytes;
    const sitename = 'Bench System Source';

    const ferryTarget = await startWiki({ name: 'Bench Ferry Target', baseDir: join(root, 'ferry-target'), scribunto: false });
    wikis.push(ferryTarget);
    const nativeTarget = await startWiki({ name: 'Bench Native Target', baseDir: join(root, 'native-target'), scribunto: false });
    wikis.push(nativeTarget);

    // Ferry: the whole run, in its own process.
    const dataDir = join(root, 'ferry-data');
    const workDir = join(root, 'ferry-work');
    const planFile = join(root, 'system-plan.yaml');
    writeFileSync(planFile, planText('bench-system-mw', source, ferryTarget, workDir, sshd));
    say(`${name}: Ferry copies ${fixed(mb(bytes))} MB (database ${fixed(mb(dbBytes))} MB, ${uploads.files} upload files ${fixed(mb(uploads.bytes))} MB), ${options.rounds} round(s) alternated with the native copy`);
    const ferrySide = ferryRounds({ dataDir, workDir, planFile, planName: 'bench-system-mw', serves: () => targetServes(ferryTarget, sitename) });
    // Native: the same bytes onto the other fresh wiki.
    const nativeSide = nativeRounds(
      () => (sshd ? nativeMediaWikiCopySsh(source, nativeTarget, sshd) : nativeMediaWikiCopy(source, nativeTarget)),
      () => targetServes(nativeTarget, sitename),
      freshState(join(nativeTarget.dir, 'images'), [join(nativeTarget.dir, 'LocalSettings.php')]),
    );
    const rounds = await alternate(options.rounds, { ...ferrySide, ...nativeSide });
    const { run, steps: ferrySteps, load: ferryLoad, cold: coldFerry, problem: ferryProblem, seconds: ferrySeconds } = medianRound(rounds.ferry);
    const native = medianRound(rounds.native);
    const { load: nativeLoad, cold: coldNative, problem: nativeProblem } = native;
    const cliStart = await cliStartSeconds();

    const ferry = { seconds: ferrySeconds, itemsPerSecond: ferryProblem ? null : bytes / ferrySeconds, peakRssMB: mb(run.peakRssBytes)! };
    const peer = { name: sshd ? 'ssh sqlite3 .backup | ssh + ssh tar | ssh tar + config' : 'sqlite3 .backup + cp -a uploads + config', seconds: native.seconds, itemsPerSecond: nativeProblem ? null : bytes / native.seconds, peakRssMB: native.peakRssMB };
    const stepSum = wallSeconds(ferrySteps);
    const copySeconds = wallSeconds(ferrySteps.filter((s) => s.step === 'copy-database' || s.step === 'copy-files' || s.step === 'sync'));
    const nativeCopySeconds = native.steps.filter((s) => !s.step.startsWith('write config')).reduce((n, s) => n + (s.seconds ?? 0), 0);
    const result: BenchCase = {
      name,
      items: bytes,
      ferry,
      peer,
      ratio: ratioOf(ferry, peer),
      ok: !ferryProblem && !nativeProblem,
      extra: {
        unit: 'bytes moved (source database + uploads)',
        via: sshd ? `both wikis through a private OpenSSH server on 127.0.0.1 (Ferry: ssh2; native: the ssh client)${rttMs > 0 ? `, behind a relay adding a ${rttMs} ms round trip` : ''}` : 'local',
        rttMs,
        megabytes: mb(bytes),
        databaseBytes: dbBytes,
        uploads,
        blobs: options.blobs,
        pages: options.content.pages,
        ferrySteps,
        ferryStepsSeconds: stepSum,
        ferryOutsideStepsSeconds: ferrySeconds - stepSum,
        ferryCopySeconds: copySeconds,
        place: SYSTEM_DIR,
        sync: SYSTEM_SYNC,
        cold: { ferry: coldFerry, native: coldNative },
        cliStartSeconds: cliStart,
        rounds: { ferry: rounds.ferry.map((r) => r.seconds), native: rounds.native.map((r) => r.seconds) },
        nativeSteps: native.steps,
        copyOnlyRatio: copySeconds > 0 && nativeCopySeconds > 0 ? nativeCopySeconds / copySeconds : null,
        ferryCpuSeconds: run.cpuSeconds,
        load: { ferry: ferryLoad, native: nativeLoad, cpus: cpus().length },
        ...(ferryProblem ? { ferryProblem: ferryProblem.slice(0, 2000) } : {}),
        ...(nativeProblem ? { nativeProblem } : {}),
      },
    };
    return result;
  } finally {
    for (const wiki of wikis) await wiki.stop().catch(() => undefined);
    relay?.stop();
    await sshd?.stop().catch(() => undefined);
    if (!options.keep) rmSync(root, { recursive: true, force: true });
  }
}

/** The per-operation lines printed under the cases table. */
export function systemNotes(cases: BenchCase[]): string[] {
  const lines: string[] = [];
  for (const c of cases.filter((x) => x.name.startsWith('system-'))) {
    const x = c.extra as { rounds?: { ferry: number[]; native: number[] }; cliStartSeconds?: number; megabytes: number; ferrySteps: StepSeconds[]; ferryOutsideStepsSeconds: number; ferryStepsSeconds: number; nativeSteps: StepSeconds[]; copyOnlyRatio: number | null; load: { ferry: { mean: number }; native: { mean: number } }; ferryProblem?: string; nativeProblem?: string };
    const list = (steps: StepSeconds[]): string => steps.filter((s) => (s.seconds ?? 0) >= 0.05).map((s) => `${s.step} ${fixed(s.seconds ?? undefined, 2)}`).join(', ') || '-';
    lines.push(`  ${c.name}: ${fixed(x.megabytes)} MB; Ferry ${fixed(c.ferry.seconds, 2)} s = outside the steps ${fixed(x.ferryOutsideStepsSeconds, 2)} s (of which an idle \`ferry --help\` takes ${fixed(x.cliStartSeconds, 2)} s: node + the CLI; the rest discovery and pre-checks) + steps ${fixed(x.ferryStepsSeconds, 2)} s of wall clock (the database and file copies run side by side): ${list(x.ferrySteps)}`);
    lines.push(`    native ${fixed(c.peer.seconds, 2)} s: ${list(x.nativeSteps)}; copies alone Ferry/native speed ${x.copyOnlyRatio === null ? '-' : `${fixed(x.copyOnlyRatio, 2)}x`}; load ${fixed(x.load.ferry.mean)}/${fixed(x.load.native.mean)}`);
    if (x.rounds && x.rounds.ferry.length > 1) lines.push(`    rounds, alternated (the medians above): Ferry ${roundsText(x.rounds.ferry)} s; native ${roundsText(x.rounds.native)} s`);
    if (x.ferryProblem) lines.push(`    FERRY FAILED: ${x.ferryProblem.split('\n').slice(0, 6).join(' | ')}`);
    if (x.nativeProblem) lines.push(`    NATIVE FAILED: ${x.nativeProblem.split('\n').slice(0, 6).join(' | ')}`);
  }
  return lines;
}
