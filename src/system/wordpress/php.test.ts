import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../sdk/errors.js';
import { maintenancePluginPhp } from './maintenance.js';
import { loaderPhp } from './php.js';

const lint = (php: string): string => execFileSync('php', ['-l'], { input: php, encoding: 'utf8' });

describe('loading a WordPress installation from its config', () => {
  it('picks a Debian per-site config the way Debian\'s wp-config.php does', () => {
    const byName = loaderPhp({ configFile: '/etc/wordpress/config-myblog.php' }, 'echo 1;');
    expect(byName).toContain("$_SERVER['WORDPRESS_CONFIG'] = 'myblog';");
    expect(byName).toContain("require_once '/usr/share/wordpress/wp-load.php';");
    const byHost = loaderPhp({ configFile: '/etc/wordpress/config-blog.example.org.php' }, 'echo 1;');
    expect(byHost).toContain("$_SERVER['HTTP_HOST'] = 'blog.example.org';");
    expect(byHost).not.toContain('WORDPRESS_CONFIG');
    expect(lint(byHost)).toMatch(/No syntax errors/);
  });

  it('loads a classic install through the wp-load.php next to its wp-config.php', () => {
    const classic = loaderPhp({ configFile: "/srv/www/o'brien/wp-config.php" }, 'echo 1;');
    expect(classic).toContain("require_once '/srv/www/o\\'brien/wp-load.php';");
    expect(lint(classic)).toMatch(/No syntax errors/);
  });

  it('refuses a file that is neither, with a hint', () => {
    expect(() => loaderPhp({ configFile: '/srv/www/settings.php' }, '')).toThrow(ConnectorError);
  });

  it('writes maintenance plugins that PHP accepts', () => {
    expect(lint(maintenancePluginPhp('maintenance'))).toMatch(/No syntax errors/);
    expect(lint(maintenancePluginPhp('read-only'))).toMatch(/No syntax errors/);
  });
});
