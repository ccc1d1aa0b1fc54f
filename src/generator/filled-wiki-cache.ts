import { createHash } from 'node:crypto';
import { generatorCodeHash } from './code-hash.js';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWiki, type WikiInstance, type WikiOptions } from '../harness/mediawiki.js';
import { MEDIAWIKI_ROOT } from '../harness/mediawiki-settings.js';
import type { GeneratedWiki, WikiContentOptions } from './content-types.js';
import { fillWiki } from './fill-wiki.js';
import { generateWikiContent } from './mediawiki-content.js';

export interface FilledWikiOptions extends WikiOptions {
  content: WikiContentOptions;
  /** Where filled wiki folders are kept between runs; default <tmpdir>/ferry-filled-wikis. */
  cacheDir?: string;
  onProgress?: (message: string) => void;
}

export interface FilledWiki {
  wiki: WikiInstance;
  content: GeneratedWiki;
  /** False when this call had to fill the wiki (and stored it for next time). */
  fromCache: boolean;
}

function mediaWikiVersion(): string {
  const defines = readFileSync(join(MEDIAWIKI_ROOT, 'includes', 'Defines.php'), 'utf8');
  return /MW_VERSION',\s*'([^']+)'/.exec(defines)?.[1] ?? 'unknown';
}

/** Changes whenever the generated content, Scribunto or MediaWiki changes. */
function cacheKey(content: GeneratedWiki, scribunto: boolean): string {
  const hash = createHash('sha256');
  hash.update(`mediawiki ${mediaWikiVersion()} scribunto ${scribunto}\n`);
  hash.update(`code ${generatorCodeHash()}\n`);
  hash.update(JSON.stringify({ users: content.users, pages: content.pages }));
  for (const file of content.files) {
    hash.update(JSON.stringify([file.name, file.mime, file.description, file.user]));
    for (const bytes of [...file.olderVersions, file.bytes]) hash.update(bytes);
  }
  return hash.digest('hex').slice(0, 24);
}

/**
 * Starts a wiki already holding generated content. Filling 5,000 pages takes
 * minutes, so the first call fills a wiki, stops it and keeps a copy of its
 * folder; later calls with the same content copy that folder (well under a
 * second) and start it. `baseDir` must be empty or missing.
 *
 * @example
 * const { wiki, content } = await startFilledWiki({ name: 'Source Wiki', baseDir, content: DEFAULT_WIKI });
 */
export async function startFilledWiki(options: FilledWikiOptions): Promise<FilledWiki> {
  const content = generateWikiContent({ ...options.content, scribunto: options.scribunto ?? true });
  const cacheRoot = options.cacheDir ?? join(tmpdir(), 'ferry-filled-wikis');
  const cached = join(cacheRoot, cacheKey(content, options.scribunto ?? true));
  const { content: _contentOptions, cacheDir: _cacheDir, onProgress, ...wikiOptions } = options;

  if (existsSync(cached)) {
    onProgress?.(`copying filled wiki from ${cached}`);
    cpSync(cached, options.baseDir, { recursive: true, errorOnExist: true, force: false });
    return { wiki: await startWiki(wikiOptions), content, fromCache: true };
  }

  const wiki = await startWiki(wikiOptions);
  try {
    await fillWiki(wiki, content, { onProgress });
    await wiki.stop();
    mkdirSync(cacheRoot, { recursive: true });
    const staging = `${cached}.${process.pid}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    cpSync(wiki.dir, staging, { recursive: true });
    try {
      renameSync(staging, cached);
    } catch {
      // Another process stored the same content first; theirs is as good.
      rmSync(staging, { recursive: true, force: true });
    }
    return { wiki: await startWiki(wikiOptions), content, fromCache: false };
  } catch (error) {
    await wiki.stop();
    throw error;
  }
}
