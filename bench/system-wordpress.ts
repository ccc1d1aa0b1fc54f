/**
 * The system-wordpress case (issue 9): a generated WordPress site with media
 * (plus MB-sized blobs in its uploads) copied onto a fresh site by
 * `ferry run <system plan>` (local path), against the native way on the same
 * machine in the same sitting: `mariadb-dump | mariadb` into the other fresh
 * site's database, `cp -a` of wp-content/uploads, and a plain SQL UPDATE of
 * siteurl/home to the new URL. The native side does NOT fix the old URL in
 * serialized values or in post content (Ferry's rewrite does, as WP-CLI's
 * search-replace does): it is the cheaper job.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { startFilledSite } from '../src/generator/wordpress-filled-site-cache.js';
import type { SiteContentOptions } from '../src/generator/wordpress-content.js';
import { startSite, type SiteInstance } from '../src/harness/wordpress.js';
import { ratioOf, type BenchCase } from './cases.js';
import { describeFailure, measureProcess } from './measure.js';
import { fixed, mb } from './report.js';
import { alternate, freshState, medianRound } from './system-rounds.js';
import { cliStartSeconds, ferryRounds, nativeRounds, SYSTEM_DIR, SYSTEM_SYNC, treeSize, wallSeconds, type StepSeconds } from './system-mediawiki.js';

/** The harness sites share Debian's config file, which reads each site's own config from this variable. */
const HARNESS_CONFIG = '/etc/wordpress/config-ferry-harness.php';

export interface SystemWordPressOptions {
  content: SiteContentOptions;
  blobs: { count: number; mb: number };
  keep: boolean;
  say: (message: string) => void;
  /** Added to the case's name (a second size: '@4096MB'). */
  suffix?: string;
  /** Alternated rounds of each side (system-rounds.ts); the case reports each side's median round. */
  rounds: number;
}

function planText(name: string, source: SiteInstance, target: SiteInstance, workDir: string): string {
  const side = (site: SiteInstance, work: string): string => `  host: local
  configFile: ${HARNESS_CONFIG}
  env: { FERRY_WP_SITE_CONFIG: ${join(site.dir, 'wp-config-site.php')} }
  workDir: ${work}`;
  return `kind: system
name: ${name}
platform: wordpress
source:
${side(source, join(workDir, 'source-work'))}
target:
${side(target, join(workDir, 'target-work'))}
options:
  secretKeys: true
  sourceAfter: online
  newUrl: ${target.url}
`;
}

/** Bytes of the site's database (data + indexes), from information_schema. */
async function databaseBytes(site: SiteInstance): Promise<number> {
  const m = await measureProcess('mariadb', ['--user=root', `--socket=${site.database.socket}`, '-N', '-e', `SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.tables WHERE table_schema = '${site.database.name}'`]);
  return Number(m.stdout.trim()) || 0;
}

async function nativeWordPressCopy(source: SiteInstance, target: SiteInstance): Promise<{ ok: boolean; seconds: number; peakRssMB: number; steps: StepSeconds[]; error?: string }> {
  const steps: StepSeconds[] = [];
  let peak = 0;
  const started = process.hrtime.bigint();
  const step = async (name: string, command: string, args: string[]): Promise<void> => {
    const t = process.hrtime.bigint();
    const m = await measureProcess(command, args, { pollMs: 50 });
    if (m.exitCode !== 0) throw new Error(describeFailure(name, m));
    peak = Math.max(peak, m.peakRssBytes, m.peakChildRssBytes);
    steps.push({ step: name, status: 'Success', seconds: Number(process.hrtime.bigint() - t) / 1e9 });
  };
  try {
    const dump = `mariadb-dump --user=root --socket='${source.database.socket}' --single-transaction --quick '${source.database.name}' | mariadb --user=root --socket='${target.database.socket}' '${target.database.name}'`;
    await step('mariadb-dump | mariadb', 'bash', ['-o', 'pipefail', '-c', dump]);
    await step('cp -a uploads', 'cp', ['-a', `${join(source.dir, 'content', 'uploads')}/.`, join(target.dir, 'content', 'uploads')]);
    await step('UPDATE siteurl/home', 'mariadb', ['--user=root', `--socket=${target.database.socket}`, target.database.name, '-e', `UPDATE wp_options SET option_value = '${target.url}' WHERE option_name IN ('siteurl', 'home')`]);
    if (SYSTEM_SYNC) await step('sync', 'sync', []);
    return { ok: true, seconds: Number(process.hrtime.bigint() - started) / 1e9, peakRssMB: mb(peak)!, steps };
  } catch (error) {
    return { ok: false, seconds: Number(process.hrtime.bigint() - started) / 1e9, peakRssMB: mb(peak)!, steps, error: String(error).slice(0, 2000) };
  }
}

/** The target answers its front page with the source's posts (the blog title is the source's). */
async function serves(target: SiteInstance, title: string): Promise<string | undefined> {
  const response = await fetch(`${target.url}/wp-json/`);
  if (response.status !== 200) return `${target.url}/wp-json/ answered ${response.status}`;
  const name = ((await response.json()) as { name?: string }).name;
  return name === title ? undefined : `site name ${name}, expected ${title}`;
}

export async function runSystemWordPressCase(options: SystemWordPressOptions): Promise<BenchCase> {
  const { say } = options;
  const name = `system-wordpress${options.suffix ?? ''}`;
  const root = mkdtempSync(join(SYSTEM_DIR, 'ferry-bench-syswp-'));
  const sites: SiteInstance[] = [];
  try {
    const title = 'Bench System Source Blog';
    say(`${name}: source site (${options.content.posts} posts, ${options.content.media} media, + ${options.blobs.count} x ${options.blobs.mb} MB blobs) in ${root}`);
    const { site: source } = await startFilledSite({ name: title, baseDir: join(root, 'source'), content: options.content });
    sites.push(source);
    const blobDir = join(source.dir, 'content', 'uploads', 'bench-blobs');
    mkdirSync(blobDir, { recursive: true });
    for (let i = 0; i < options.blobs.count; i++) writeFileSync(join(blobDir, `blob-${i}.bin`), randomBytes(options.blobs.mb * 1024 * 1024));
    const sourceTitle = ((await (await fetch(`${source.url}/wp-json/`)).json()) as { name?: string }).name ?? title;
    const dbBytes = await databaseBytes(source);
    const uploads = treeSize(join(source.dir, 'content', 'uploads'));
    const bytes = dbBytes + uploads.bytes;
    const ferryTarget = await startSite({ name: 'Bench Ferry Target Blog', baseDir: join(root, 'ferry-target') });
    sites.push(ferryTarget);
    const nativeTarget = await startSite({ name: 'Bench Native Target Blog', baseDir: join(root, 'native-target') });
    sites.push(nativeTarget);

    const dataDir = join(root, 'ferry-data');
    const workDir = join(root, 'ferry-work');
    const planFile = join(root, 'system-plan.yaml');
    writeFileSync(planFile, planText('bench-system-wp', source, ferryTarget, workDir));
    say(`${name}: Ferry copies ${fixed(mb(bytes))} MB (database ${fixed(mb(dbBytes))} MB, ${uploads.files} upload files ${fixed(mb(uploads.bytes))} MB), ${options.rounds} round(s) alternated with the native copy`);
    const ferrySide = ferryRounds({ dataDir, workDir, planFile, planName: 'bench-system-wp', serves: () => serves(ferryTarget, sourceTitle) });
    // The import replaces the tables again; only the files the copy added go.
    const nativeSide = nativeRounds(() => nativeWordPressCopy(source, nativeTarget), () => serves(nativeTarget, sourceTitle), freshState(join(nativeTarget.dir, 'content', 'uploads'), []));
    const rounds = await alternate(options.rounds, { ...ferrySide, ...nativeSide });
    const { run, steps: ferrySteps, load: ferryLoad, cold: coldFerry, problem: ferryProblem, seconds: ferrySeconds } = medianRound(rounds.ferry);
    const native = medianRound(rounds.native);
    const { load: nativeLoad, cold: coldNative, problem: nativeProblem } = native;
    const cliStart = await cliStartSeconds();

    const ferry = { seconds: ferrySeconds, itemsPerSecond: ferryProblem ? null : bytes / ferrySeconds, peakRssMB: mb(run.peakRssBytes)! };
    const peer = { name: 'mariadb-dump | mariadb + cp -a uploads + UPDATE siteurl/home', seconds: native.seconds, itemsPerSecond: nativeProblem ? null : bytes / native.seconds, peakRssMB: native.peakRssMB };
    const stepSum = wallSeconds(ferrySteps);
    const copy = (steps: StepSeconds[], names: RegExp): number => wallSeconds(steps.filter((s) => names.test(s.step)));
    const ferryCopy = copy(ferrySteps, /^(copy-(database|files)|sync)$/);
    const nativeCopy = copy(native.steps, /mariadb-dump|cp -a|^sync$/);
    return {
      name,
      items: bytes,
      ferry,
      peer,
      ratio: ratioOf(ferry, peer),
      ok: !ferryProblem && !nativeProblem,
      extra: {
        unit: 'bytes moved (source database data + indexes, and wp-content/uploads)',
        note: 'The native side changes siteurl/home only: it does NOT rewrite the old URL inside serialized values or post content, which Ferry\'s rewrite-urls does (serialization-safe).',
        megabytes: mb(bytes),
        databaseBytes: dbBytes,
        uploads,
        blobs: options.blobs,
        posts: options.content.posts,
        ferrySteps,
        ferryStepsSeconds: stepSum,
        ferryOutsideStepsSeconds: ferrySeconds - stepSum,
        ferryCopySeconds: ferryCopy,
        place: SYSTEM_DIR,
        sync: SYSTEM_SYNC,
        cold: { ferry: coldFerry, native: coldNative },
        cliStartSeconds: cliStart,
        rounds: { ferry: rounds.ferry.map((r) => r.seconds), native: rounds.native.map((r) => r.seconds) },
        nativeSteps: native.steps,
        copyOnlyRatio: ferryCopy > 0 && nativeCopy > 0 ? nativeCopy / ferryCopy : null,
        ferryCpuSeconds: run.cpuSeconds,
        load: { ferry: ferryLoad, native: nativeLoad, cpus: cpus().length },
        ...(ferryProblem ? { ferryProblem: ferryProblem.slice(0, 2000) } : {}),
        ...(nativeProblem ? { nativeProblem } : {}),
      },
    };
  } finally {
    for (const site of sites) await site.stop().catch(() => undefined);
    if (!options.keep) rmSync(root, { recursive: true, force: true });
  }
}
