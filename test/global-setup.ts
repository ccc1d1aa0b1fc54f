import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { ensureChromium } from '../src/harness/chromium.js';
import { ensureMediaWikiPackages } from '../src/harness/mediawiki.js';
import { ensurePostgres } from '../src/harness/postgres.js';
import { ensureOpenSshServer } from '../src/harness/sshd.js';
import { ensureWordPressPackages } from '../src/harness/wordpress.js';

/** Integration tests need MediaWiki, WordPress, MariaDB, PHP, OpenSSH's server, PostgreSQL and Chromium from Debian: install them once, before any test file starts. */
export default async function setup(): Promise<void> {
  await ensureMediaWikiPackages();
  await ensureWordPressPackages();
  await ensureOpenSshServer();
  await ensurePostgres();
  await ensureChromium();
  // The browser tests test the dashboard's current source, not whatever `npm ci` built earlier.
  await build({ configFile: fileURLToPath(new URL('../web/vite.config.ts', import.meta.url)), logLevel: 'warn' });
}
