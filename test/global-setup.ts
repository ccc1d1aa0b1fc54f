import { ensureMediaWikiPackages } from '../src/harness/mediawiki.js';
import { ensureWordPressPackages } from '../src/harness/wordpress.js';

/** Integration tests need MediaWiki, WordPress, MariaDB and PHP from Debian: install them once, before any test file starts. */
export default async function setup(): Promise<void> {
  await ensureMediaWikiPackages();
  await ensureWordPressPackages();
}
