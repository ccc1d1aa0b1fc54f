import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureMediaWikiPackages, type WikiInstance } from '../harness/mediawiki.js';
import { startFilledWiki } from './filled-wiki-cache.js';
import { DEFAULT_WIKI } from './mediawiki-content.js';

async function statistics(wiki: WikiInstance): Promise<{ pages: number; edits: number; images: number }> {
  const response = await fetch(`${wiki.apiUrl}?action=query&meta=siteinfo&siprop=statistics&format=json&formatversion=2`);
  return ((await response.json()) as { query: { statistics: { pages: number; edits: number; images: number } } }).query.statistics;
}

describe('startFilledWiki', () => {
  const root = mkdtempSync(join(tmpdir(), 'ferry-cache-test-'));
  const wikis: WikiInstance[] = [];

  afterAll(async () => {
    await Promise.all(wikis.map((wiki) => wiki.stop()));
    rmSync(root, { recursive: true, force: true });
  });

  it('fills once, then starts copies of the filled folder', async () => {
    await ensureMediaWikiPackages();
    const options = {
      content: { ...DEFAULT_WIKI, pages: 40, files: 5, bigPageBytes: 10_000 },
      cacheDir: join(root, 'cache'),
      scribunto: false,
    };
    const first = await startFilledWiki({ ...options, name: 'First Copy', baseDir: join(root, 'a') });
    wikis.push(first.wiki);
    const second = await startFilledWiki({ ...options, name: 'Second Copy', baseDir: join(root, 'b') });
    wikis.push(second.wiki);
    expect(first.fromCache).toBe(false);
    expect(second.fromCache).toBe(true);
    expect(second.wiki.dir).not.toBe(first.wiki.dir);
    expect(await statistics(second.wiki)).toEqual(await statistics(first.wiki));
    expect((await statistics(second.wiki)).images).toBe(5);
    // The copy has its own database: an edit there does not show up in the first.
    await second.wiki.php('edit.php', ['--user', second.wiki.adminUser, 'Only in the copy'], { input: 'Copy only.' });
    await second.wiki.php('initSiteStats.php', ['--update']);
    await first.wiki.php('initSiteStats.php', ['--update']);
    expect((await statistics(second.wiki)).pages).toBe((await statistics(first.wiki)).pages + 1);

    const info = await fetch(`${second.wiki.apiUrl}?action=query&meta=siteinfo&format=json&formatversion=2`);
    expect(((await info.json()) as { query: { general: { sitename: string } } }).query.general.sitename).toBe('Second Copy');
    // The copy serves its own uploads, not the original's folder.
    const image = await fetch(`${second.wiki.apiUrl}?action=query&list=allimages&aiprop=url&format=json&formatversion=2&ailimit=1`);
    const url = ((await image.json()) as { query: { allimages: Array<{ url: string }> } }).query.allimages[0]?.url ?? '';
    expect(url.startsWith(second.wiki.url)).toBe(true);
    expect((await fetch(url)).status).toBe(200);
  });
});
