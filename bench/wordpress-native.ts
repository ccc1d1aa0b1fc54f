/**
 * WordPress's own path for the `wordpress-native` bench case (issue 8): the
 * source exported with export_wp() to a WXR file (bench/wordpress-wxr-export.php),
 * then that file imported into an empty site (bench/wordpress-wxr-import.php,
 * our stand-in for the WordPress Importer plugin, which cannot be installed
 * here: it calls the same core functions and fetches each media file over HTTP
 * from the source, as the plugin does). Each half is one php process with the
 * site's WordPress loaded through the harness's CLI prelude; both are timed
 * end to end (media included) and their peak RSS polled from /proc.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SiteInstance } from '../src/harness/wordpress.js';
import { layoutOf } from '../src/harness/wordpress-files.js';
import { SITE_CONFIG_ENV, phpString } from '../src/harness/wordpress-settings.js';
import { describeFailure, LoadSampler, measureProcess, type Measured } from './measure.js';
import { mb } from './report.js';

const BENCH = dirname(fileURLToPath(import.meta.url));

export interface NativeWpResult {
  ok: boolean;
  /** export + import, end to end. */
  seconds: number;
  exportSeconds: number;
  importSeconds: number;
  wxrBytes: number;
  /** The larger VmHWM of the two php processes. */
  peakRssMB: number | null;
  /** What the import created (users, terms, posts, attachments, comments, menuItems) and left out. */
  counts: Record<string, number>;
  /** Objects created: the sum of the created counts. */
  objects: number;
  failures: string[];
  load: { mean: number; max: number };
  error?: string;
}

/** One php process with `site`'s WordPress loaded, running bench/<script>. */
async function php(site: SiteInstance, workDir: string, script: string, env: Record<string, string>): Promise<Measured> {
  const layout = layoutOf(site.dir);
  const wrapper = join(workDir, `run-${script}`);
  writeFileSync(wrapper, `<?php\nrequire ${phpString(layout.cliPrelude)};\nrequire ${phpString(resolve(BENCH, script))};\n`);
  const cache = join(layout.tmpDir, 'opcache');
  mkdirSync(cache, { recursive: true });
  // The same php settings the harness gives its CLI snippets (compiled WordPress cached on disk).
  const ini = { display_errors: 'stderr', memory_limit: '1024M', 'opcache.enable_cli': '1', 'opcache.file_cache': cache, 'opcache.file_cache_only': '1' };
  return measureProcess('php', [...Object.entries(ini).flatMap(([k, v]) => ['-d', `${k}=${v}`]), wrapper], {
    cwd: site.dir,
    env: { ...process.env, [SITE_CONFIG_ENV]: layout.siteConfig, ...env },
    pollMs: 50,
  });
}

/**
 * Exports `source` with export_wp() into `workDir`/export.xml and imports it
 * into `target` (an empty site). Never throws for a failed side: ok is false
 * and error says why.
 */
export async function runNativeWordPress(source: SiteInstance, target: SiteInstance, workDir: string): Promise<NativeWpResult> {
  mkdirSync(workDir, { recursive: true });
  const wxr = join(workDir, 'export.xml');
  const sampler = new LoadSampler();
  const result: NativeWpResult = { ok: false, seconds: 0, exportSeconds: 0, importSeconds: 0, wxrBytes: 0, peakRssMB: null, counts: {}, objects: 0, failures: [], load: { mean: 0, max: 0 } };
  try {
    const exported = await php(source, workDir, 'wordpress-wxr-export.php', { FERRY_WXR_FILE: wxr });
    result.exportSeconds = exported.seconds;
    result.peakRssMB = mb(exported.peakRssBytes) ?? null;
    if (exported.exitCode !== 0) throw new Error(describeFailure('export_wp()', exported));
    result.wxrBytes = (JSON.parse(exported.stdout.trim().split('\n').pop() ?? '{}') as { bytes?: number }).bytes ?? 0;

    const imported = await php(target, workDir, 'wordpress-wxr-import.php', { FERRY_WXR_FILE: wxr, FERRY_WXR_SOURCE_PORT: String(source.port) });
    result.importSeconds = imported.seconds;
    result.peakRssMB = Math.max(result.peakRssMB ?? 0, mb(imported.peakRssBytes) ?? 0);
    if (imported.exitCode !== 0) throw new Error(describeFailure('the WXR import', imported));
    const out = JSON.parse(imported.stdout.trim().split('\n').pop() ?? '{}') as { counts?: Record<string, number>; failures?: string[] };
    result.counts = out.counts ?? {};
    result.failures = out.failures ?? [];
    result.objects = ['users', 'terms', 'posts', 'attachments', 'comments', 'menuItems'].reduce((sum, k) => sum + (result.counts[k] ?? 0), 0);
    result.ok = result.objects > 0;
    if (!result.ok) result.error = 'the import created nothing';
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    result.seconds = result.exportSeconds + result.importSeconds;
    result.load = sampler.stop();
  }
  return result;
}
