import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { aptInstall } from './apt.js';
import { MEDIAWIKI_ROOT } from './mediawiki-settings.js';

/**
 * Debian 12 packages for MediaWiki 1.39 on SQLite behind `php -S`.
 * lua5.1 is what Debian's Scribunto runs for Module: pages; the mediawiki
 * package only recommends it, and --no-install-recommends leaves it out.
 */
export const MEDIAWIKI_PACKAGES: readonly string[] = [
  'mediawiki',
  'php-cli',
  'php-sqlite3',
  'php-intl',
  'php-mbstring',
  'php-xml',
  'php-apcu',
  'php-curl',
  'php-gd',
  'lua5.1',
];

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));
}

const LUA = '/usr/bin/lua5.1';

function mediaWikiInstalled(): boolean {
  return existsSync(`${MEDIAWIKI_ROOT}/maintenance/install.php`) && onPath('php');
}

const isRoot = (): boolean => typeof process.getuid !== 'function' || process.getuid() === 0;

/**
 * Installs MediaWiki and PHP from Debian when missing (as root); returns at once when present.
 *
 * The mediawiki package pulls in apache2, whose post-install would start it on
 * port 80. Nothing here needs it, so service starts are refused during the
 * install with a temporary policy-rc.d (only when none exists already).
 *
 * @example
 * await ensureMediaWikiPackages();
 */
export async function ensureMediaWikiPackages(): Promise<void> {
  if (mediaWikiInstalled()) {
    // Without Lua, Module: pages are still stored and migrated; only #invoke fails
    // when rendering. So a missing lua5.1 is installed when we can, never fatal.
    if (!existsSync(LUA) && isRoot()) await aptInstall(['lua5.1']);
    return;
  }
  if (!isRoot()) {
    throw new Error(
      `MediaWiki is not installed and installing it needs root: apt-get install -y --no-install-recommends ${MEDIAWIKI_PACKAGES.join(' ')}`,
    );
  }
  await aptInstall(MEDIAWIKI_PACKAGES);
  if (!mediaWikiInstalled()) throw new Error('apt-get finished but MediaWiki or php is still missing');
}

