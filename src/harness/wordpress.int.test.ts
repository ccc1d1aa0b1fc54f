import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../generator/png.js';
import { findFreePort, isPortOpen } from './ports.js';
import { ensureWordPressPackages, startSite, type SiteInstance } from './wordpress.js';

interface RestResult {
  status: number;
  body: any;
  headers: Headers;
}

function basicAuth(site: SiteInstance, password = site.appPassword): string {
  return `Basic ${Buffer.from(`${site.adminUser}:${password}`).toString('base64')}`;
}

async function rest(site: SiteInstance, path: string, init: { method?: string; json?: unknown; body?: Buffer; headers?: Record<string, string>; auth?: string | null } = {}): Promise<RestResult> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.auth !== null) headers.authorization = init.auth ?? basicAuth(site);
  let body: BodyInit | undefined;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.body !== undefined) {
    body = new Uint8Array(init.body);
  }
  const response = await fetch(`${site.restUrl}${path}`, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: keep the text for the failure message.
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

const png = encodePng({ width: 64, height: 48, pixel: (x, y) => [x * 4, y * 5, 128] });

describe('WordPress harness', () => {
  const dirs: string[] = [];
  const sites: SiteInstance[] = [];

  beforeAll(async () => {
    await ensureWordPressPackages();
    const started = await Promise.allSettled(
      ['Source Blog', 'Target Blög ✓'].map((name) => {
        const baseDir = mkdtempSync(join(tmpdir(), 'ferry-wp-'));
        dirs.push(baseDir);
        return startSite({ name, baseDir });
      }),
    );
    // Both start at once (the point of the test); one that started is stopped even if the other failed.
    for (const result of started) if (result.status === 'fulfilled') sites.push(result.value);
    for (const result of started) if (result.status === 'rejected') throw result.reason;
  });

  afterAll(async () => {
    await Promise.all(sites.map((site) => site.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('serves two sites with their own names and URLs', async () => {
    const [source, target] = sites as [SiteInstance, SiteInstance];
    expect(source.port).not.toBe(target.port);
    expect(source.database.socket).not.toBe(target.database.socket);
    for (const site of sites) {
      const index = await rest(site, '/', { auth: null });
      expect(index.status).toBe(200);
      expect(index.body.name).toBe(site.name);
      expect(index.body.url).toBe(site.url);
      expect(index.body.home).toBe(site.url);
      expect(index.body.authentication['application-passwords']).toBeDefined();
    }
  });

  it('authenticates REST calls with the Application Password, and only with it', async () => {
    const site = sites[0] as SiteInstance;
    const me = await rest(site, '/wp/v2/users/me?context=edit');
    expect(me.status).toBe(200);
    expect(me.body.username).toBe(site.adminUser);
    expect(me.body.roles).toEqual(['administrator']);
    expect(me.body.email).toBe(site.adminEmail);
    const wrong = await rest(site, '/wp/v2/users/me', { auth: basicAuth(site, 'abcd efgh ijkl mnop qrst uvwx') });
    expect(wrong.status).toBe(401);
    const other = await rest(sites[1] as SiteInstance, '/wp/v2/users/me', { auth: basicAuth(site) });
    expect(other.status).toBe(401);
  });

  it('creates posts and serves them under pretty permalinks', async () => {
    for (const site of sites) {
      const created = await rest(site, '/wp/v2/posts', { json: { title: `Hello from ${site.name}`, content: '<p>Body ✓</p>', status: 'publish', slug: 'ferry-check' } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.link).toBe(`${site.url}/ferry-check/`);
      const page = await fetch(created.body.link);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(`Hello from ${site.name}`);
      const draft = await rest(site, '/wp/v2/posts', { json: { title: 'A draft', status: 'draft' } });
      expect(draft.status).toBe(201);
      const all = await rest(site, '/wp/v2/posts?status=any&per_page=100');
      expect(all.body.map((post: { status: string }) => post.status).sort()).toEqual(['draft', 'publish', 'publish']);
    }
  });

  it('uploads media and serves the file from the site\'s own content folder', async () => {
    for (const site of sites) {
      const uploaded = await rest(site, '/wp/v2/media', {
        body: png,
        headers: { 'content-type': 'image/png', 'content-disposition': 'attachment; filename="harness-check.png"' },
      });
      expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);
      expect(uploaded.body.media_details.width).toBe(64);
      expect(uploaded.body.source_url).toMatch(new RegExp(`^${site.url}/wp-content/uploads/\\d{4}/\\d{2}/harness-check\\.png$`));
      const file = await fetch(uploaded.body.source_url);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await file.arrayBuffer()).equals(png)).toBe(true);
    }
  });

  it('lists and changes settings', async () => {
    const site = sites[1] as SiteInstance;
    const settings = await rest(site, '/wp/v2/settings');
    expect(settings.status).toBe(200);
    expect(settings.body.title).toBe(site.name);
    const changed = await rest(site, '/wp/v2/settings', { json: { description: 'Tagline ✓', posts_per_page: 7 } });
    expect(changed.status).toBe(200);
    expect(changed.body.description).toBe('Tagline ✓');
    expect(await site.php("echo get_option( 'posts_per_page' );")).toBe('7');
  });

  it('is stock: no classic menu locations (block theme), menus and menu items over REST', async () => {
    for (const site of sites) {
      const locations = await rest(site, '/wp/v2/menu-locations');
      expect(locations.status).toBe(200);
      // PHP's json_encode() of an empty array: a list, not an object.
      expect(locations.body).toEqual([]);
      const menu = await rest(site, '/wp/v2/menus', { json: { name: 'Main' } });
      expect(menu.status, JSON.stringify(menu.body)).toBe(201);
      const top = await rest(site, '/wp/v2/menu-items', { json: { title: 'Home', url: site.url, menus: menu.body.id, status: 'publish' } });
      expect(top.status, JSON.stringify(top.body)).toBe(201);
      const child = await rest(site, '/wp/v2/menu-items', {
        json: { title: 'Docs', url: `${site.url}/docs/`, menus: menu.body.id, parent: top.body.id, status: 'publish' },
      });
      expect(child.status).toBe(201);
      const items = await rest(site, `/wp/v2/menu-items?menus=${menu.body.id}&context=edit`);
      expect(items.body.map((item: { parent: number }) => item.parent).sort()).toEqual([0, top.body.id]);
      const menus = await rest(site, '/wp/v2/menus?context=edit');
      expect(menus.body.find((m: { id: number }) => m.id === menu.body.id)?.locations).toEqual([]);
      // A location the theme lacks is refused, as on any block-theme site.
      const placed = await rest(site, `/wp/v2/menus/${menu.body.id}`, { json: { locations: ['primary'] } });
      expect(placed.status).toBe(400);
    }
  });

  it('runs PHP snippets against the right site and reports their errors', async () => {
    for (const site of sites) {
      expect(await site.php("echo get_bloginfo( 'name' ), '|', home_url();")).toBe(`${site.name}|${site.url}`);
    }
    const site = sites[0] as SiteInstance;
    await expect(site.php("throw new RuntimeException( 'snippet failed on purpose' );")).rejects.toThrow(/snippet failed on purpose/);
    await expect(site.php("wp_die( 'died on purpose' );")).rejects.toThrow(/died on purpose/);
  });

  it('creates users with roles', async () => {
    const site = sites[0] as SiteInstance;
    const roles = ['editor', 'author', 'contributor', 'subscriber', 'administrator'];
    const ids = await Promise.all(roles.map((role) => site.createUser({ login: `check-${role}`, email: `${role}@example.org`, role })));
    for (const [index, id] of ids.entries()) {
      const user = await rest(site, `/wp/v2/users/${id}?context=edit`);
      expect(user.body.roles).toEqual([roles[index]]);
    }
    await expect(site.createUser({ login: 'x', email: 'x@example.org', role: 'captain' })).rejects.toThrow(/no such role/);
  });

  it('applies a new upload limit by restarting php -S', async () => {
    const site = sites[1] as SiteInstance;
    const big = Buffer.concat([png, Buffer.alloc(3_000_000)]);
    const upload = (): Promise<RestResult> =>
      rest(site, '/wp/v2/media', { body: big, headers: { 'content-type': 'image/png', 'content-disposition': 'attachment; filename="big.png"' } });
    await site.setUploadLimit(1024 * 1024);
    const refused = await upload();
    expect(refused.status).toBe(413);
    expect(refused.body.code).toBe('request_too_large');
    await site.setUploadLimit(64 * 1024 * 1024);
    const accepted = await upload();
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
  });

  it('stops and reopens a site with its content and credentials, and activates plugins', async () => {
    const baseDir = mkdtempSync(join(tmpdir(), 'ferry-wp-'));
    dirs.push(baseDir);
    const first = await startSite({ name: 'Again Blog', baseDir });
    const post = await rest(first, '/wp/v2/posts', { json: { title: 'Kept', status: 'publish', content: `<a href="${first.url}/?p=1">first</a>` } });
    await first.stop();
    expect(await isPortOpen(first.port)).toBe(false);
    expect(await isPortOpen(first.database.port)).toBe(false);

    // Another port: links written for the old URL follow the site.
    let port = await findFreePort();
    while (port === first.port) port = await findFreePort();
    const second = await startSite({ name: 'Again Blog', baseDir, port, plugins: ['akismet'] });
    try {
      expect(second.appPassword).toBe(first.appPassword);
      const kept = await rest(second, `/wp/v2/posts/${post.body.id}?context=edit`);
      expect(kept.status).toBe(200);
      expect(kept.body.content.raw).toBe(`<a href="${second.url}/?p=1">first</a>`);
      expect(kept.body.link).toBe(`${second.url}/kept/`);
      // Debian ships Akismet; the harness links it into the site's plugins folder and activates it.
      const plugins = await rest(second, '/wp/v2/plugins');
      expect(plugins.body.find((plugin: { plugin: string }) => plugin.plugin.startsWith('akismet/'))?.status).toBe('active');
    } finally {
      await second.stop();
    }
  });
});
