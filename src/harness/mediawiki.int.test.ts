import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMediaWikiPackages, startWiki, type WikiInstance } from './mediawiki.js';
import { isPortOpen } from './ports.js';

/** Just enough of a cookie jar for one MediaWiki session. */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const pair = header.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

async function api(wiki: WikiInstance, jar: CookieJar, params: Record<string, string>, post = false): Promise<any> {
  const body = new URLSearchParams({ format: 'json', formatversion: '2', ...params });
  const response = post
    ? await fetch(wiki.apiUrl, { method: 'POST', body, headers: { cookie: jar.header() } })
    : await fetch(`${wiki.apiUrl}?${body}`, { headers: { cookie: jar.header() } });
  jar.store(response);
  expect(response.status).toBe(200);
  return response.json();
}

async function botLogin(wiki: WikiInstance): Promise<CookieJar> {
  const jar = new CookieJar();
  const tokens = await api(wiki, jar, { action: 'query', meta: 'tokens', type: 'login' });
  const login = await api(
    wiki,
    jar,
    { action: 'login', lgname: wiki.botUser, lgpassword: wiki.botPassword, lgtoken: tokens.query.tokens.logintoken },
    true,
  );
  expect(login.login.result).toBe('Success');
  return jar;
}

describe('MediaWiki harness', () => {
  const dirs: string[] = [];
  const wikis: WikiInstance[] = [];

  beforeAll(async () => {
    await ensureMediaWikiPackages();
    const started = await Promise.all(
      ['Source Wiki', 'Target Wiki'].map((name) => {
        const baseDir = mkdtempSync(join(tmpdir(), 'ferry-mw-'));
        dirs.push(baseDir);
        return startWiki({ name, baseDir, scribunto: name === 'Source Wiki' });
      }),
    );
    wikis.push(...started);
  });

  afterAll(async () => {
    await Promise.all(wikis.map((wiki) => wiki.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('serves two wikis with their own site info', async () => {
    const [source, target] = wikis as [WikiInstance, WikiInstance];
    expect(source.port).not.toBe(target.port);
    for (const wiki of wikis) {
      const info = await api(wiki, new CookieJar(), { action: 'query', meta: 'siteinfo', siprop: 'general|namespaces' });
      expect(info.query.general.sitename).toBe(wiki.name);
      expect(info.query.general.server).toBe(wiki.url);
      expect(info.query.general.generator).toMatch(/^MediaWiki 1\.39/);
    }
    const sourceInfo = await api(source, new CookieJar(), { action: 'query', meta: 'siteinfo', siprop: 'namespaces' });
    const targetInfo = await api(target, new CookieJar(), { action: 'query', meta: 'siteinfo', siprop: 'namespaces' });
    expect(sourceInfo.query.namespaces['828']?.name).toBe('Module');
    expect(targetInfo.query.namespaces['828']).toBeUndefined();
  });

  it('logs the bot in with the rights a migration needs, and without "userrights" as on a stock wiki', async () => {
    for (const wiki of wikis) {
      const jar = await botLogin(wiki);
      const me = await api(wiki, jar, { action: 'query', meta: 'userinfo', uiprop: 'rights|groups' });
      expect(me.query.userinfo.name).toBe(wiki.adminUser);
      for (const right of ['importupload', 'upload', 'createaccount', 'delete', 'noratelimit']) {
        expect(me.query.userinfo.rights).toContain(right);
      }
      // No core grant of MediaWiki 1.39 carries it: a bot password never has it.
      expect(me.query.userinfo.rights).not.toContain('userrights');
    }
  });

  it('runs maintenance scripts against the right wiki', async () => {
    for (const wiki of wikis) {
      const out = await wiki.php('getConfiguration.php', ['--settings', 'wgSitename', '--format', 'json']);
      expect(JSON.parse(out)).toEqual({ wgSitename: wiki.name });
    }
  });

  it('accepts uploads above PHP\'s 2 MB default', async () => {
    const wiki = wikis[0] as WikiInstance;
    const jar = await botLogin(wiki);
    const tokens = await api(wiki, jar, { action: 'query', meta: 'tokens' });
    // A PDF only has to start like one for MediaWiki's type check.
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n%'), Buffer.alloc(3 * 1024 * 1024, 0x61), Buffer.from('\n%%EOF\n')]);
    const form = new FormData();
    for (const [name, value] of Object.entries({ action: 'upload', format: 'json', filename: 'Big.pdf', ignorewarnings: '1', token: tokens.query.tokens.csrftoken })) {
      form.append(name, value);
    }
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'Big.pdf');
    const response = await fetch(wiki.apiUrl, { method: 'POST', body: form, headers: { cookie: jar.header() } });
    const body = (await response.json()) as any;
    expect(body.upload?.result, JSON.stringify(body)).toBe('Success');
    expect(body.upload.imageinfo.size).toBe(pdf.length);
  });

  it('restarts php -S when the upload limit changes, keeping sessions', async () => {
    const wiki = wikis[1] as WikiInstance;
    const jar = await botLogin(wiki);
    await wiki.setSettings('$wgMaxUploadSize = 300 * 1024 * 1024;');
    const me = await api(wiki, jar, { action: 'query', meta: 'userinfo' });
    expect(me.query.userinfo.name).toBe(wiki.adminUser);
    const info = await api(wiki, jar, { action: 'query', meta: 'siteinfo', siprop: 'general' });
    expect(info.query.general.maxuploadsize).toBe(300 * 1024 * 1024);
    await wiki.setSettings('$wgSitename = "Renamed";');
    const renamed = await api(wiki, jar, { action: 'query', meta: 'siteinfo', siprop: 'general' });
    expect(renamed.query.general.sitename).toBe('Renamed');
    await wiki.setSettings('');
  });

  it('starts and stops repeatedly in one process', async () => {
    const baseDir = mkdtempSync(join(tmpdir(), 'ferry-mw-'));
    dirs.push(baseDir);
    for (let round = 0; round < 3; round++) {
      const wiki = await startWiki({ name: 'Again Wiki', baseDir, scribunto: false });
      const info = await api(wiki, new CookieJar(), { action: 'query', meta: 'siteinfo' });
      expect(info.query.general.sitename).toBe('Again Wiki');
      await wiki.stop();
      expect(await isPortOpen(wiki.port)).toBe(false);
    }
  });
});
