import { ensureMediaWikiPackages } from '../src/harness/mediawiki.js';

/** Integration tests need MediaWiki and PHP from Debian: install them once, before any test file starts. */
export default async function setup(): Promise<void> {
  await ensureMediaWikiPackages();
}
