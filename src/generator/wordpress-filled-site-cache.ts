import { createHash } from 'node:crypto';
import { generatorCodeHash } from './code-hash.js';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSite, type SiteInstance, type SiteOptions } from '../harness/wordpress.js';
import { WORDPRESS_ROOT } from '../harness/wordpress-packages.js';
import { muPluginPhp } from '../harness/wordpress-settings.js';
import { fillSite, type FilledSiteIds } from './fill-site.js';
import type { GeneratedSite, SiteContentOptions } from './wordpress-content-types.js';
import { generateSiteContent } from './wordpress-content.js';
import { FILL_LIBRARY_PHP } from './wordpress-fill-php.js';

export interface FilledSiteOptions extends SiteOptions {
  content: SiteContentOptions;
  /** Where filled site folders are kept between runs; default <tmpdir>/ferry-filled-sites. */
  cacheDir?: string;
  onProgress?: (message: string) => void;
}

export interface FilledSite {
  site: SiteInstance;
  content: GeneratedSite;
  /** Real ids by generator key; the same in every copy of a cached site. */
  ids: FilledSiteIds;
  /** False when this call had to fill the site (and stored it for next time). */
  fromCache: boolean;
}

const IDS_FILE = 'ferry-fill-ids.json';

function wordPressVersion(): string {
  const version = readFileSync(join(WORDPRESS_ROOT, 'wp-includes', 'version.php'), 'utf8');
  return /\$wp_version\s*=\s*'([^']+)'/.exec(version)?.[1] ?? 'unknown';
}

/** Changes whenever the generated content, the fill code, the harness plugin or WordPress changes. */
function cacheKey(content: GeneratedSite, plugins: readonly string[]): string {
  const hash = createHash('sha256');
  hash.update(`code ${generatorCodeHash()}\n`);
  hash.update(`wordpress ${wordPressVersion()} plugins ${plugins.join(',')}\n`);
  hash.update(FILL_LIBRARY_PHP);
  hash.update(muPluginPhp());
  hash.update(JSON.stringify({ ...content, media: content.media.map(({ bytes: _bytes, ...item }) => item) }));
  for (const item of content.media) hash.update(item.bytes);
  return hash.digest('hex').slice(0, 24);
}

/** Logs, scratch files and sockets stay behind; the rest of a stopped site folder is the site. */
function worthCopying(dir: string): (source: string) => boolean {
  const skipped = new Set([join(dir, 'logs'), join(dir, 'tmp')]);
  return (source) => !skipped.has(source) && !source.endsWith('.sock');
}

/**
 * Starts a site already holding generated content. The first call fills a site,
 * stops it and keeps a copy of its folder (database files included); later
 * calls with the same content copy that folder and start it, which rewrites
 * the old URL in content to the new port. `baseDir` must be empty or missing.
 *
 * @example
 * const { site, ids } = await startFilledSite({ name: 'Source Blog', baseDir, content: DEFAULT_SITE });
 */
export async function startFilledSite(options: FilledSiteOptions): Promise<FilledSite> {
  const content = generateSiteContent(options.content);
  const cacheRoot = options.cacheDir ?? join(tmpdir(), 'ferry-filled-sites');
  const cached = join(cacheRoot, cacheKey(content, options.plugins ?? []));
  const { content: _contentOptions, cacheDir: _cacheDir, onProgress, ...siteOptions } = options;

  if (existsSync(cached)) {
    onProgress?.(`copying filled site from ${cached}`);
    cpSync(cached, options.baseDir, { recursive: true, errorOnExist: true, force: false });
    const ids = JSON.parse(readFileSync(join(options.baseDir, IDS_FILE), 'utf8')) as FilledSiteIds;
    return { site: await startSite(siteOptions), content, ids, fromCache: true };
  }

  const site = await startSite(siteOptions);
  try {
    const ids = await fillSite(site, content, { onProgress });
    writeFileSync(join(site.dir, IDS_FILE), JSON.stringify(ids));
    // The database files are only consistent once mariadbd has shut down.
    await site.stop();
    mkdirSync(cacheRoot, { recursive: true });
    const staging = `${cached}.${process.pid}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    cpSync(site.dir, staging, { recursive: true, filter: worthCopying(site.dir) });
    try {
      renameSync(staging, cached);
    } catch {
      // Another process stored the same content first; theirs is as good.
      rmSync(staging, { recursive: true, force: true });
    }
    return { site: await startSite(siteOptions), content, ids, fromCache: false };
  } catch (error) {
    await site.stop();
    throw error;
  }
}
