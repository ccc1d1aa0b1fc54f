import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicInfo } from '../app/system-inspect.js';
import type { InstallationInfo } from '../system/types.js';
import { adminToken, startTestServer, type TestServer } from './test-server.js';

/** The system wizard's routes: admin only, bad input answered in words before anything is read or saved. */
describe('POST /api/system/*', () => {
  let t: TestServer;
  let admin: string;
  let operator: string;
  beforeAll(async () => {
    t = await startTestServer();
    admin = await adminToken(t);
    expect((await t.api('POST', '/api/users', { token: admin, body: { name: 'otto', password: 'otto-password-123', role: 'operator' } })).status).toBe(201);
    const s = await t.api('POST', '/api/session', { body: { name: 'otto', password: 'otto-password-123' } });
    const cookie = String(s.headers['set-cookie']).split(';')[0]!;
    operator = (await t.api('POST', '/api/tokens', { cookie, csrf: s.json.csrf, body: { label: 'mine' } })).json.token as string;
  });
  afterAll(async () => t.close());

  it('needs the admin role: an operator gets 403 for discover and save', async () => {
    const discover = await t.api('POST', '/api/system/discover', { token: operator, body: { platform: 'mediawiki', host: 'local', configFile: '/etc/hostname' } });
    expect(discover.status).toBe(403);
    const save = await t.api('POST', '/api/system/migrations', { token: operator, body: { plan: { kind: 'system' } } });
    expect(save.status).toBe(403);
  });

  it('discover: a relative config path names the field; a missing file says what is wrong, without a stack trace', async () => {
    const relative = await t.api('POST', '/api/system/discover', { token: admin, body: { platform: 'mediawiki', host: 'local', configFile: 'LocalSettings.php' } });
    expect(relative.status).toBe(400);
    expect(relative.text).toMatch(/configFile/);
    const dir = mkdtempSync(join(tmpdir(), 'ferry-sys-route-'));
    const missing = await t.api('POST', '/api/system/discover', { token: admin, body: { platform: 'mediawiki', host: 'local', configFile: join(dir, 'Nope.php') } });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatch(/Nope\.php/);
    expect(missing.text).not.toMatch(/at .*\.ts:\d+/);
    writeFileSync(join(dir, 'LocalSettings.php'), '<?php\n$wgSitename = "x";\n');
    const notAWiki = await t.api('POST', '/api/system/discover', { token: admin, body: { platform: 'mediawiki', host: 'local', configFile: join(dir, 'LocalSettings.php') } });
    expect(notAWiki.status).toBe(400);
    expect(notAWiki.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('migrations: an invalid plan is refused field by field and nothing is saved', async () => {
    const bad = await t.api('POST', '/api/system/migrations', { token: admin, body: { plan: { kind: 'system', name: 'move', platform: 'mediawiki', source: { configFile: 'relative.php' } } } });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toBe('The plan is not valid');
    expect(bad.json.details.join('\n')).toMatch(/source\.configFile/);
    expect(bad.json.details.join('\n')).toMatch(/target/);
    const unreadable = await t.api('POST', '/api/system/migrations', { token: admin, body: { plan: { kind: 'system', name: 'move', platform: 'mediawiki', source: { configFile: '/nonexistent/a/LocalSettings.php' }, target: { configFile: '/nonexistent/b/LocalSettings.php' } } } });
    expect(unreadable.status).toBe(400);
    expect(unreadable.json.error).toMatch(/could not be read; nothing was written/);
    expect((await t.api('GET', '/api/migrations', { token: admin })).json).toEqual([]);
  });

  it('the info it answers names the licence keys, never their values nor the database password; a replicated source carries the DNS warning', () => {
    const info: InstallationInfo = {
      platform: 'wordpress', version: '6.1.9', location: { configFile: '/etc/wordpress/config.php' }, url: 'https://blog.example.org', hostName: 'old', domain: 'blog.example.org', addresses: ['203.0.113.5'],
      database: { engine: 'mariadb', location: 'localhost:3306', name: 'wp', user: 'wp', password: 'db-Password-9', tablePrefix: 'wp_', sizeBytes: 10, replicated: true },
      uploadsDir: '/srv/wp/uploads', uploadsBytes: 5, extraDirs: [], logFiles: [], secrets: { AUTH_KEY: 'auth-Key-Value-7', NONCE_SALT: 'nonce-Salt-Value-3' }, serverRole: 'replicated', inMaintenance: false,
    };
    const target = { ...info, addresses: ['198.51.100.7'], hostName: 'new' };
    const shown = JSON.stringify(publicInfo(info, target));
    for (const secret of ['db-Password-9', 'auth-Key-Value-7', 'nonce-Salt-Value-3']) expect(shown.includes(secret)).toBe(false);
    expect(publicInfo(info, target)).toMatchObject({ licenceKeys: ['AUTH_KEY', 'NONCE_SALT'], serverRole: 'replicated' });
    expect(publicInfo(info, target).highAvailability).toMatch(/blog\.example\.org points to 198\.51\.100\.7 and no longer to 203\.0\.113\.5/);
    expect(publicInfo({ ...info, serverRole: 'standalone' }).highAvailability).toBeUndefined();
  });
});
