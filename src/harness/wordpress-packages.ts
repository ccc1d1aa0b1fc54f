import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { aptInstall } from './apt.js';
import { runCommand } from './run-command.js';

/** Where Debian installs WordPress; every harness site shares this code. */
export const WORDPRESS_ROOT = '/usr/share/wordpress';

/**
 * Debian 12 packages for WordPress 6.1 on a private MariaDB behind `php -S`.
 * mariadb-server brings mariadbd, mariadb-install-db and the mariadb client;
 * its system service is never used (each site runs its own server).
 */
export const WORDPRESS_PACKAGES: readonly string[] = [
  'wordpress',
  'wordpress-theme-twentytwentythree',
  'php-mysql',
  'mariadb-server',
  'php-cli',
  'php-curl',
  'php-gd',
  'php-mbstring',
  'php-xml',
  'php-intl',
];

/** Files whose presence says the packages above are installed. */
const REQUIRED_FILES = [
  `${WORDPRESS_ROOT}/wp-load.php`,
  `${WORDPRESS_ROOT}/wp-content/themes/twentytwentythree/theme.json`,
  '/usr/sbin/mariadbd',
  '/usr/bin/mariadb-install-db',
  '/usr/bin/mariadb',
];

const PHP_EXTENSIONS = ['mysqli', 'curl', 'gd', 'mbstring', 'xml', 'intl'];

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));
}

const isRoot = (): boolean => typeof process.getuid !== 'function' || process.getuid() === 0;

async function phpHasExtensions(): Promise<boolean> {
  if (!onPath('php')) return false;
  try {
    const { stdout } = await runCommand('php', ['-m']);
    const loaded = new Set(stdout.split('\n').map((line) => line.trim().toLowerCase()));
    return PHP_EXTENSIONS.every((extension) => loaded.has(extension));
  } catch {
    return false;
  }
}

async function wordPressInstalled(): Promise<boolean> {
  return REQUIRED_FILES.every((file) => existsSync(file)) && (await phpHasExtensions());
}

/**
 * Installs WordPress, MariaDB and PHP from Debian when missing (as root);
 * returns at once when they are present.
 *
 * wordpress pulls in apache2 and mariadb-server has its own service; their
 * post-install scripts would start them on ports 80 and 3306. Nothing here
 * needs them, so service starts are refused during the install with a
 * temporary policy-rc.d (only when none exists already: an existing one is
 * the machine owner's choice and stays as it is).
 *
 * @example
 * await ensureWordPressPackages();
 */
export async function ensureWordPressPackages(): Promise<void> {
  if (await wordPressInstalled()) return;
  if (!isRoot()) {
    throw new Error(
      `WordPress is not installed and installing it needs root: apt-get install -y --no-install-recommends ${WORDPRESS_PACKAGES.join(' ')}`,
    );
  }
  await aptInstall(WORDPRESS_PACKAGES);
  if (!(await wordPressInstalled())) {
    throw new Error(`apt-get finished but one of ${REQUIRED_FILES.join(', ')} or a PHP extension (${PHP_EXTENSIONS.join(', ')}) is still missing`);
  }
}

