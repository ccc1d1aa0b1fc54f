import { join } from 'node:path';
import { startFilledWiki } from '../../src/generator/filled-wiki-cache.js';
import type { GeneratedWiki, WikiContentOptions } from '../../src/generator/mediawiki-content.js';
import type { WikiInstance } from '../../src/harness/mediawiki.js';
import type { WikiSnapshot } from './wiki-snapshot.js';
import { expect } from 'vitest';

/** A small generated wiki (history, users, files): enough for many runs within a test's time. */
export const SMALL_WIKI: WikiContentOptions = { seed: 6_0406, pages: 150, revisionsPerPage: { min: 1, max: 4 }, users: 6, files: 5, bigPageBytes: 120_000, scribunto: false };

export async function smallSource(root: string, name: string): Promise<{ source: WikiInstance; content: GeneratedWiki }> {
  const { wiki, content } = await startFilledWiki({ name, baseDir: join(root, 'source'), content: SMALL_WIKI, scribunto: false });
  return { source: wiki, content };
}

/** Accounts the wikis make themselves (installer, importer): not compared. */
export const TOOLS = ['Admin', 'Maintenance script', 'MediaWiki default'];

/** Every page of the source arrived with its whole history, every file with its bytes. */
export function expectSourceOnTarget(source: WikiSnapshot, after: WikiSnapshot, before: WikiSnapshot): void {
  for (const [key, revisions] of source.pages) {
    if (before.pages.has(key)) continue;
    expect(after.pages.get(key), key).toEqual(revisions);
  }
  expect(after.files).toEqual(source.files);
}
