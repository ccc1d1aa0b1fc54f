import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWordPressPackages, startSite, type SiteInstance } from '../../harness/wordpress.js';
import { REF_TOKEN_PATTERN, refToken, type Session, type WriteOutcome } from '../../sdk/connector.js';
import { ConnectorError } from '../../sdk/errors.js';
import { failures, migrateType, newDriver, newMigration, ok, openSession, readAll, resolveDeferred, rest, restAll, timeout, type Migration } from './int-driver.js';
import { BIG_FILE, EDITOR, TARGET_UPLOAD_LIMIT, expectedText, fillSource, prepareTarget, sourceRefs, type FilledSource, type TokenValues } from './int-fixture.js';

/**
 * Drives the connector's verbs directly against two real WordPress 6.1
 * sites: the source filled by Ferry's generator, the target fresh (with its
 * default content) and an upload limit of 1 MB. The Map-backed driver plays
 * the engine: ID map, lookups, batches, the second pass for deferred
 * references.
 */

const ORDER = ['settings', 'user', 'category', 'tag', 'media', 'page', 'post', 'comment', 'menu', 'menu-item'];
const driver = newDriver();
const signal = timeout;
let source: SiteInstance;
let target: SiteInstance;
let from: Session;
let to: Session;
let filled: FilledSource;
let collision: { sourceLogin: string; targetLogin: string };
let editorPassword: string;
const migration: Migration = newMigration();
const firstRun = new Map<string, WriteOutcome>();

type Row = Record<string, any>;
const mapped = (type: string, id: number | string | null | undefined): number => (id ? Number(migration.ids.get(`${type}:${id}`) ?? -1) : 0);

/** Source and target ids of the items a type migrated (adopted ones are the target's own objects: not compared). */
function comparablePairs(type: string): Array<[string, string]> {
  return [...migration.ids].flatMap(([key, targetId]) => {
    const [t, sourceId] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    return t === type && migration.versions.get(key) !== 'adopted' ? [[sourceId, targetId] as [string, string]] : [];
  });
}

/** A source's inspected fields with its reference tokens mapped to the target's ids, as the engine's verify does. */
function translate(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null).replace(new RegExp(REF_TOKEN_PATTERN.source, 'g'), (_m, type: string, id: string) => refToken(type, migration.ids.get(`${type}:${id}`) ?? `?${id}`)));
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function sha1Of(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return createHash('sha1').update(Buffer.from(await response.arrayBuffer())).digest('hex');
}

/** The ids and addresses the generator's tokens stand for on one site. */
async function tokenValues(site: SiteInstance, idOf: (key: string) => number, options: { frontPageAsFilled?: boolean } = {}): Promise<TokenValues> {
  const posts = new Map<number, string>();
  for (const route of ['wp/v2/posts', 'wp/v2/pages']) {
    for (const row of await restAll<Row>(site, route, { status: 'any', _fields: 'id,link,slug' })) {
      // The generator wrote links before it made a page the front page: that page's address was /slug/ then.
      posts.set(row.id, options.frontPageAsFilled && row.link === `${site.url}/` ? `${site.url}/${row.slug}/` : row.link);
    }
  }
  const files = new Map<number, string>((await restAll<Row>(site, 'wp/v2/media', { _fields: 'id,source_url' })).map((row) => [row.id, row.source_url]));
  return {
    site: site.url,
    id: (key) => String(idOf(key)),
    link: (key) => posts.get(idOf(key)) ?? `missing link ${key}`,
    file: (key) => files.get(idOf(key)) ?? `missing file ${key}`,
  };
}

beforeAll(async () => {
  await ensureWordPressPackages();
  const [a, b] = await Promise.all([
    startSite({ name: 'Source Blog', baseDir: mkdtempSync(join(tmpdir(), 'ferry-wp-src-')) }),
    startSite({ name: 'Target Blog', baseDir: mkdtempSync(join(tmpdir(), 'ferry-wp-dst-')), maxUploadBytes: TARGET_UPLOAD_LIMIT }),
  ]);
  source = a;
  target = b;
  driver.dirs.push(source.dir, target.dir);
  filled = await fillSource(source);
  ({ collision, editorPassword } = await prepareTarget(target, filled.content));
  from = await openSession(driver, source);
  to = await openSession(driver, target);
});

afterAll(async () => {
  await Promise.allSettled([from?.close(), to?.close()]);
  await Promise.allSettled([source?.stop(), target?.stop()]);
  for (const dir of driver.dirs) rmSync(dir, { recursive: true, force: true });
});

describe('WordPress connector against real sites', () => {
  it('checks a site and reports its identity', async () => {
    const identity = await from.check({ signal: signal() });
    expect(identity).toMatchObject({ platform: 'wordpress', siteName: 'Harbour Notes', host: source.url, account: 'admin' });
    expect(identity.version).toMatch(/^6\.1\./);
    expect(identity.rights).toEqual(expect.arrayContaining(['administrator', 'edit_others_posts', 'list_users', 'upload_files']));
    expect(identity.details).toMatchObject({ restRoot: `${source.url}/wp-json/`, timezone: 'Europe/Oslo', applicationPasswords: true });
  });

  it('refuses a wrong Application Password and a non-administrator with kind "auth"', async () => {
    const wrong = await openSession(driver, target, { password: 'abcd efgh ijkl mnop qrst uvwx' });
    const error = (await wrong.check({ signal: signal() }).catch((e: unknown) => e)) as ConnectorError;
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.kind).toBe('auth');
    expect(error.hint).toMatch(/Application Password/);
    expect(`${error.message} ${error.hint}`).not.toContain('abcd efgh');
    const editor = await openSession(driver, target, { username: EDITOR.login, password: editorPassword });
    const refused = (await editor.check({ signal: signal() }).catch((e: unknown) => e)) as ConnectorError;
    expect(refused.kind).toBe('auth');
    expect(refused.message).toMatch(/"editor-ed" is not an administrator.*editor/);
    const findings = await editor.precheck!({ role: 'source', selectedTypes: ['post'], largestItem: {} }, { signal: signal() });
    expect(findings).toEqual([expect.objectContaining({ level: 'error', code: 'rights-missing' })]);
  });

  it('says "config" for an unreachable site and for a web server without the WordPress REST API', async () => {
    const gone = await openSession(driver, target, { url: `http://127.0.0.1:${await closedPort()}` });
    expect(((await gone.check({ signal: signal() }).catch((e: unknown) => e)) as ConnectorError).kind).toBe('config');
    const server = createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Not WordPress</body></html>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const plain = await openSession(driver, target, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/blog` });
      const error = (await plain.check({ signal: signal() }).catch((e: unknown) => e)) as ConnectorError;
      expect(error.kind).toBe('config');
      expect(error.message).toMatch(/No WordPress REST API found/);
      expect(error.hint).toMatch(/REST API/);
    } finally {
      await new Promise((resolve) => (server as Server).close(resolve));
    }
  });

  it('discovers counts per type, the largest file, plugins and hashed e-mail addresses', async () => {
    const inventory = await from.discover({ signal: signal() });
    const count = (type: string) => inventory.types.find((t) => t.type === type)?.count;
    const total = async (route: string, query: Record<string, string> = {}) => (await restAll(source, route, { ...query, _fields: 'id' })).length;
    expect(count('user')).toBe(filled.content.users.length + 1);
    expect(count('post')).toBe(await total('wp/v2/posts', { status: 'any' }));
    expect(count('page')).toBe(await total('wp/v2/pages', { status: 'any' }));
    expect(count('media')).toBe(filled.content.media.length + 1);
    expect(count('category')).toBe(filled.content.categories.length + 1);
    expect(count('tag')).toBe(filled.content.tags.length);
    expect(count('comment')).toBe((await total('wp/v2/comments', { status: 'all' })) + (await total('wp/v2/comments', { status: 'spam' })) + (await total('wp/v2/comments', { status: 'trash' })));
    expect(count('menu')).toBe(2);
    expect(count('settings')).toBe(1);
    const details = inventory.details as Row;
    expect(details.largestMedia).toEqual({ name: BIG_FILE.name, size: BIG_FILE.size });
    expect(details.activePlugins).toEqual([{ plugin: 'ferry-shop/ferry-shop', name: 'Ferry Shop (generated)' }]);
    expect(details.userEmails).toHaveLength(filled.content.users.length + 1);
    expect(details.uploadLimit).toMatchObject({ known: false });
    expect(JSON.stringify(details)).not.toContain('@example.org');
  });

  it('names what it does not carry: block-theme objects, a plugin\'s types, pingbacks, trackbacks, trash, plugin data', async () => {
    const inventory = await from.discover({ signal: signal() });
    const byKind = new Map((inventory.notCarried ?? []).map((n) => [n.kind, n]));
    expect([...byKind.keys()].sort()).toEqual(
      ['pingback', 'plugin-data', 'post-type:ferry_product', 'taxonomy:ferry_product_cat', 'trackback', 'trash', 'wp_block', 'wp_global_styles', 'wp_navigation', 'wp_template', 'wp_template_part'].sort(),
    );
    const extras = filled.content.extras!;
    expect(byKind.get('post-type:ferry_product')).toMatchObject({ count: extras.plugin.products.length, examples: expect.arrayContaining(extras.plugin.products) });
    expect(byKind.get('taxonomy:ferry_product_cat')?.count).toBe(extras.plugin.terms.length);
    expect(byKind.get('wp_block')).toMatchObject({ count: 1, examples: [extras.reusableBlock.title] });
    expect(byKind.get('wp_template')).toMatchObject({ count: 1, examples: ['Single'] });
    expect(byKind.get('wp_template_part')).toMatchObject({ count: 1, examples: ['Header'] });
    expect(byKind.get('wp_navigation')?.examples).toEqual([extras.navigation.title]);
    expect(byKind.get('pingback')?.count).toBe(filled.content.comments.filter((c) => c.type === 'pingback').length);
    expect(byKind.get('trackback')?.count).toBe(1);
    expect(byKind.get('trash')?.examples).toEqual([extras.trashedTitle]);
    expect(byKind.get('pingback')?.reason).toMatch(/rest_invalid_comment_type/);
    for (const entry of byKind.values()) expect(entry.reason.length).toBeGreaterThan(40);
    // A fresh stock site holds none of these (its global styles are empty, its templates the theme's own files).
    expect((await to.discover({ signal: signal() })).notCarried).toEqual([]);
  });

  it('prechecks the target: e-mail addresses held by other accounts are a warning, a non-empty target is fine', async () => {
    const inventory = await from.discover({ signal: signal() });
    const findings = await to.precheck!({ role: 'target', otherInventory: inventory, selectedTypes: ORDER, largestItem: {} }, { signal: signal() });
    expect(findings.filter((f) => f.level === 'error')).toEqual([]);
    const clash = findings.find((f) => f.code === 'user-email-collision');
    expect(clash?.message).toContain(`"${collision.sourceLogin}" (source) and "${collision.targetLogin}" (target)`);
    // The target is still in UTC: without the settings step, local dates would shift.
    const withoutSettings = await to.precheck!({ role: 'target', otherInventory: inventory, selectedTypes: ['post'], largestItem: {} }, { signal: signal() });
    expect(withoutSettings.map((f) => f.code)).toContain('timezone-differs');
  });

  it('migrates every type in dependency order, then resolves the deferred references', async () => {
    // Pages child first: links to a page whose parent comes later must be written again once it is under its parent.
    for (const type of ORDER) for (const [key, outcome] of await migrateType(from, to, type, migration, { reverse: type === 'page' })) firstRun.set(key, outcome);
    const deferred = migration.deferred.size;
    const second = await resolveDeferred(from, to, migration, ORDER);
    expect(failures(firstRun)).toEqual([expect.stringMatching(new RegExp(`^media:${filled.bigMediaId}: `))]);
    const big = firstRun.get(`media:${filled.bigMediaId}`) as { ok: false; error: ConnectorError };
    expect(big.error.kind).toBe('too_large');
    expect(big.error.message).toContain(`"${BIG_FILE.name}" is 1.2 MB (${BIG_FILE.size} bytes), over the target's upload limit`);
    expect(deferred).toBeGreaterThan(0);
    expect(failures(second)).toEqual([]);
    expect([...migration.deferred.keys()]).toEqual([]);
    // The target's sample comment on "Hello world!" has the source's author and words: WordPress calls it a duplicate, Ferry adopts it.
    const sample = ok(firstRun.get('comment:1'));
    if (sample.version === 'adopted') expect(sample.actions?.map((a) => a.code)).toEqual(['comment-adopted']);
  });

  it('creates the placeholder account once', async () => {
    const first = await to.ensurePrincipal!('user', 'Ferry placeholder', { signal: signal() });
    const again = await to.ensurePrincipal!('user', 'Ferry placeholder', { signal: signal() });
    expect(again.targetId).toBe(first.targetId);
    expect((await to.lookup('user', ['Ferry placeholder'], { signal: signal() })).get('Ferry placeholder')?.targetId).toBe(first.targetId);
  });

  it('carries users with their roles and profile; a shared e-mail address adopts the target account', async () => {
    const sourceUsers = await restAll<Row>(source, 'wp/v2/users');
    const targetUsers = new Map((await restAll<Row>(target, 'wp/v2/users')).map((u) => [u.id, u]));
    const fields = ['email', 'name', 'first_name', 'last_name', 'url', 'description', 'nickname', 'roles'];
    for (const user of sourceUsers) {
      const copy = targetUsers.get(mapped('user', user.id));
      expect(copy, user.username).toBeDefined();
      if (user.username === collision.sourceLogin) {
        expect(copy!.username).toBe(collision.targetLogin);
        expect(ok(firstRun.get(`user:${user.id}`)).actions?.map((a) => a.code)).toEqual(['user-email-adopted']);
        continue;
      }
      expect(copy!.username).toBe(user.username);
      const pick = (u: Row) => Object.fromEntries(fields.map((f) => [f, f === 'roles' ? [...u.roles].sort() : u[f]]));
      expect(pick(copy!)).toEqual(pick(user));
      if (user.username !== 'admin') expect(ok(firstRun.get(`user:${user.id}`)).actions?.map((a) => a.code)).toEqual(['user-password']);
    }
  });

  it('carries categories with their hierarchy, and tags', async () => {
    for (const [route, type] of [['wp/v2/categories', 'category'], ['wp/v2/tags', 'tag']] as const) {
      const targets = new Map((await restAll<Row>(target, route, { hide_empty: 'false' })).map((t) => [t.id, t]));
      for (const term of await restAll<Row>(source, route, { hide_empty: 'false' })) {
        const copy = targets.get(mapped(type, term.id));
        const view = (t: Row | undefined, parent: number | undefined) => ({ name: t?.name, slug: t?.slug, description: t?.description, parent });
        expect(view(copy, copy?.parent)).toEqual(view(term, type === 'tag' ? undefined : mapped(type, term.parent)));
      }
    }
    expect(filled.content.categories.some((c) => c.parentKey)).toBe(true);
  });

  it('carries media: same bytes (SHA-1), fields, author, date and the post it is attached to', async () => {
    const targets = new Map((await restAll<Row>(target, 'wp/v2/media')).map((m) => [m.id, m]));
    const pageIds = new Set((await restAll<Row>(source, 'wp/v2/pages', { status: 'any', _fields: 'id' })).map((p) => p.id));
    let attached = 0;
    for (const media of await restAll<Row>(source, 'wp/v2/media')) {
      if (media.id === filled.bigMediaId) continue;
      const copy = targets.get(mapped('media', media.id))!;
      const fields = (m: Row, ids: (type: string, id: number) => number) => ({
        slug: m.slug, title: m.title.raw, alt: m.alt_text, caption: m.caption.raw, description: m.description.raw, date: m.date_gmt, mime: m.mime_type,
        author: ids('user', m.author), post: m.post ? ids(pageIds.has(m.post) ? 'page' : 'post', m.post) : 0,
      });
      expect(fields(copy, (_t, id) => id)).toEqual(fields(media, (type, id) => mapped(type, id)));
      expect(await sha1Of(copy.source_url)).toBe(await sha1Of(media.source_url));
      if (media.post) attached++;
    }
    expect(attached).toBeGreaterThan(0);
  });

  it('carries posts and pages in every status, with terms, featured image, parents and links rewritten', async () => {
    const idOfKey = (site: 'source' | 'target') => (key: string) => {
      const ref = sourceRefs(filled.ids).get(key);
      if (!ref) throw new Error(`unknown generator key ${key}`);
      return site === 'source' ? Number(ref.sourceId) : mapped(ref.type, ref.sourceId);
    };
    const sourceValues = await tokenValues(source, idOfKey('source'), { frontPageAsFilled: true });
    // Pages are written before the settings name the front page, so links to it keep the /slug/ form there too.
    const targetValues = await tokenValues(target, idOfKey('target'), { frontPageAsFilled: true });
    const generated = new Map(filled.content.posts.map((p) => [filled.ids.posts[p.key]!, p]));
    const statuses = new Set<string>();
    for (const [route, type] of [['wp/v2/pages', 'page'], ['wp/v2/posts', 'post']] as const) {
      const targets = new Map((await restAll<Row>(target, route, { status: 'any' })).map((p) => [p.id, p]));
      for (const post of await restAll<Row>(source, route, { status: 'any' })) {
        const copy = targets.get(mapped(type, post.id));
        expect(copy, `${type} ${post.slug}`).toBeDefined();
        statuses.add(post.status);
        const view = (p: Row, ids: (type: string, id: number) => number) => ({
          slug: p.slug, status: p.status, date: p.date_gmt, title: p.title.raw, excerpt: p.excerpt.raw, password: p.password,
          author: ids('user', p.author), featured: ids('media', p.featured_media), comments: p.comment_status, pings: p.ping_status,
          template: p.template,
          ...(type === 'post'
            ? { sticky: p.sticky, format: p.format, categories: p.categories.map((c: number) => ids('category', c)).sort(), tags: p.tags.map((t: number) => ids('tag', t)).sort() }
            : { parent: ids('page', p.parent), order: p.menu_order }),
        });
        expect(view(copy!, (_t, id) => id)).toEqual(view(post, (t, id) => mapped(t, id)));
        const spec = generated.get(post.id);
        if (spec) {
          // The oracle: the generator's text with each site's own ids and addresses.
          expect(post.content.raw).toBe(expectedText(spec.content, sourceValues));
          expect(copy!.content.raw).toBe(expectedText(spec.content, targetValues));
        } else {
          expect(copy!.content.raw).toBe(post.content.raw.split(source.url).join(target.url));
        }
      }
    }
    expect([...statuses].sort()).toEqual(['draft', 'future', 'pending', 'private', 'publish']);
  });

  it('carries comment threads in every status with their authors and dates', async () => {
    const statuses = ['all', 'spam', 'trash'];
    const list = async (site: SiteInstance) => (await Promise.all(statuses.map((status) => restAll<Row>(site, 'wp/v2/comments', { status })))).flat();
    const targets = new Map((await list(target)).map((c) => [c.id, c]));
    const postTypes = new Map<number, string>();
    for (const [route, type] of [['wp/v2/posts', 'post'], ['wp/v2/pages', 'page']]) for (const p of await restAll<Row>(source, route!, { status: 'any', _fields: 'id' })) postTypes.set(p.id, type!);
    const seen = new Set<string>();
    let replies = 0;
    for (const comment of await list(source)) {
      // The sample comment both sites were installed with is adopted, not copied.
      if (migration.versions.get(`comment:${comment.id}`) === 'adopted') continue;
      const copy = targets.get(mapped('comment', comment.id));
      expect(copy, `comment ${comment.id}`).toBeDefined();
      const view = (c: Row, ids: (type: string, id: number) => number, post: string) => ({
        post: ids(post, c.post), parent: ids('comment', c.parent), status: c.status, date: c.date_gmt, name: c.author_name, email: c.author_email,
        url: c.author_url, user: ids('user', c.author), words: c.content.raw.replace(/ rel="[^"]*"/g, '').split(source.url).join(target.url),
      });
      const type = postTypes.get(comment.post)!;
      expect(view(copy!, (_t, id) => id, type)).toEqual(view(comment, (t, id) => mapped(t, id), type));
      seen.add(comment.status);
      if (comment.parent) replies++;
    }
    expect([...seen].sort()).toEqual(['approved', 'hold', 'spam', 'trash']);
    expect(replies).toBeGreaterThan(5);
    // Comments of a closed post and of a draft went across; the posts are closed and draft again.
    for (const id of [filled.closedPostId, filled.draftPostId]) {
      const [sourceCount, targetCount] = await Promise.all([
        restAll(source, 'wp/v2/comments', { post: id, status: 'all' }),
        restAll(target, 'wp/v2/comments', { post: mapped('post', id), status: 'all' }),
      ]);
      expect(sourceCount.length).toBeGreaterThan(0);
      expect(targetCount.length).toBe(sourceCount.length);
    }
    const [closed, draft] = await Promise.all([rest<Row>(target, `wp/v2/posts/${mapped('post', filled.closedPostId)}`, { context: 'edit' }), rest<Row>(target, `wp/v2/posts/${mapped('post', filled.draftPostId)}`, { context: 'edit' })]);
    expect([closed.comment_status, draft.status]).toEqual(['closed', 'draft']);
  });

  it('carries menus with their locations and nested items pointing at the migrated objects', async () => {
    const menus = new Map((await restAll<Row>(target, 'wp/v2/menus')).map((m) => [m.id, m]));
    for (const menu of await restAll<Row>(source, 'wp/v2/menus')) {
      const copy = menus.get(mapped('menu', menu.id));
      expect({ name: copy?.name, slug: copy?.slug, locations: copy?.locations }).toEqual({ name: menu.name, slug: menu.slug, locations: menu.locations });
    }
    const items = new Map((await restAll<Row>(target, 'wp/v2/menu-items')).map((i) => [i.id, i]));
    const typeOf = (i: Row) => (i.object === 'post_tag' ? 'tag' : i.object);
    let nested = 0;
    for (const item of await restAll<Row>(source, 'wp/v2/menu-items')) {
      const copy = items.get(mapped('menu-item', item.id))!;
      const view = (i: Row, ids: (type: string, id: number) => number) => ({
        title: i.title.raw, type: i.type, object: i.object, order: i.menu_order, parent: ids('menu-item', i.parent), menu: ids('menu', i.menus),
        target: i.target, classes: i.classes, description: i.description,
        ...(i.type === 'custom' ? { url: i.url.split(source.url).join(target.url) } : i.invalid ? { gone: true } : { objectId: ids(typeOf(i), i.object_id) }),
      });
      expect(view(copy, (_t, id) => id)).toEqual(view(item, (t, id) => mapped(t, id)));
      if (item.parent) nested++;
    }
    expect(nested).toBeGreaterThan(0);
  });

  it('carries the settings, with the front page, posts page and default category of the target', async () => {
    const [s, t] = await Promise.all([rest<Row>(source, 'wp/v2/settings'), rest<Row>(target, 'wp/v2/settings')]);
    const fields = ['title', 'description', 'timezone', 'date_format', 'time_format', 'start_of_week', 'posts_per_page', 'show_on_front', 'use_smilies', 'default_comment_status', 'default_ping_status'];
    expect(Object.fromEntries(fields.map((f) => [f, t[f]]))).toEqual(Object.fromEntries(fields.map((f) => [f, s[f]])));
    expect(t.show_on_front).toBe('page');
    expect([t.page_on_front, t.page_for_posts, t.default_category]).toEqual([mapped('page', s.page_on_front), mapped('page', s.page_for_posts), mapped('category', s.default_category)]);
  });

  it('leaves no link to the source site in the target content', async () => {
    const texts: string[] = [];
    for (const route of ['wp/v2/posts', 'wp/v2/pages']) for (const p of await restAll<Row>(target, route, { status: 'any' })) texts.push(p.content.raw, p.excerpt.raw);
    for (const status of ['all', 'spam', 'trash']) for (const c of await restAll<Row>(target, 'wp/v2/comments', { status })) texts.push(c.content.raw);
    for (const m of await restAll<Row>(target, 'wp/v2/media')) texts.push(m.caption.raw, m.description.raw);
    for (const i of await restAll<Row>(target, 'wp/v2/menu-items')) texts.push(i.url);
    const host = new URL(source.url).host;
    expect(texts.filter((t) => t.includes(host))).toEqual([]);
    expect(texts.join('\n')).toMatch(/wp-image-\d+/);
  });

  it('carries the real-world leftovers: comments without e-mail, name or user agent, a menu item whose post is gone', async () => {
    const statuses = ['all', 'spam', 'trash'];
    const list = async (site: SiteInstance) => (await Promise.all(statuses.map((status) => restAll<Row>(site, 'wp/v2/comments', { status })))).flat();
    const targets = new Map((await list(target)).map((c) => [c.id, c]));
    const odd = (await list(source)).filter((c) => c.type === 'comment' && (c.author_email === '' || c.author_user_agent === ''));
    expect(odd.some((c) => c.author_name === '' && c.author_email === '')).toBe(true);
    expect(odd.some((c) => c.author_user_agent === '' && c.author_email !== '')).toBe(true);
    for (const c of odd) {
      const copy = targets.get(mapped('comment', c.id));
      expect({ name: copy?.author_name, email: copy?.author_email, agent: copy?.author_user_agent, user: copy?.author }).toEqual({ name: c.author_name, email: c.author_email, agent: c.author_user_agent, user: 0 });
    }
    // Stock WordPress requires a name and e-mail of commenters: the target still has the setting on.
    expect(await target.php("echo get_option( 'require_name_email' );")).toBe('1');
    const dangling = filled.ids.extras['extra-dangling-item']!;
    const item = (await rest<Row>(target, `wp/v2/menu-items/${mapped('menu-item', dangling)}`, { context: 'edit' }));
    expect({ type: item.type, object: item.object, invalid: item.invalid, title: item.title.raw }).toEqual({ type: 'post_type', object: 'post', invalid: true, title: filled.content.extras!.danglingMenuItem!.title });
    const warning = ok(firstRun.get(`menu-item:${dangling}`)).warnings ?? [];
    expect(warning.join(' ')).toMatch(/no longer exists on the source/);
  });

  it('inspects both sides alike: every migrated object equals its copy once references are mapped', async () => {
    // The one thing REST cannot carry here: an empty author IP (only valid addresses are accepted; the write warned).
    const noIp = new Set((await Promise.all(['all', 'spam', 'trash'].map((status) => restAll<Row>(source, 'wp/v2/comments', { status, _fields: 'id,author_ip' })))).flat().filter((c) => c.author_ip === '').map((c) => String(c.id)));
    expect(noIp.size).toBeGreaterThan(0);
    const written = [...noIp].filter((id) => firstRun.get(`comment:${id}`)?.ok && ok(firstRun.get(`comment:${id}`)).outcome === 'created');
    expect(written.length).toBeGreaterThan(0);
    for (const id of written) expect(ok(firstRun.get(`comment:${id}`)).warnings?.join(' ') ?? '', id).toMatch(/no author IP/);
    const differences: string[] = [];
    for (const type of ORDER) {
      const pairs = comparablePairs(type);
      const [left, right] = await Promise.all([from.inspect!(type, pairs.map(([s]) => s), { signal: signal() }), to.inspect!(type, pairs.map(([, t]) => t), { signal: signal() })]);
      expect(left.size, type).toBe(pairs.length);
      for (const [sourceId, targetId] of pairs) {
        const a = translate(left.get(sourceId)?.fields) as Row;
        const b = { ...right.get(targetId)?.fields } as Row;
        if (type === 'comment' && noIp.has(sourceId)) [a.author_ip, b.author_ip] = ['(not carried)', '(not carried)'];
        if (JSON.stringify(a) !== JSON.stringify(b)) differences.push(`${type} ${sourceId}: ${JSON.stringify(a)} <> ${JSON.stringify(b)}`);
      }
    }
    expect(differences).toEqual([]);
    // Links and attachment ids in content are tokens, not addresses of either site.
    const post = [...(await from.inspect!('post', comparablePairs('post').map(([s]) => s), { signal: signal() })).values()];
    const texts = post.map((p) => String(p.fields.content)).join('\n');
    expect(texts).toMatch(/\u27e6media:\d+\u27e7/);
    expect(texts).toMatch(/\u27e6(post|page):\d+\u27e7/);
    expect(texts).not.toContain(source.url);
  });

  it('finds every migrated item again by its natural key (slugless drafts, page paths, comments and menu items included)', async () => {
    for (const type of ORDER.filter((t) => t !== 'settings')) {
      const headers = (await readAll(from, type)).filter((h) => migration.ids.has(`${type}:${h.sourceId}`) && migration.versions.get(`${type}:${h.sourceId}`) !== 'adopted');
      const found = await to.lookup(type, headers.map((h) => h.key), { signal: signal() });
      const wrong = headers.filter((h) => found.get(h.key)?.targetId !== migration.ids.get(`${type}:${h.sourceId}`)).map((h) => `${type} ${h.key}`);
      expect(wrong).toEqual([]);
      if (type === 'post') expect(headers.some((h) => h.key.startsWith('~draft~'))).toBe(true);
      if (type === 'page') expect(headers.some((h) => h.key.includes('/'))).toBe(true);
    }
  });

  it('writes nothing the second time: every item is unchanged', async () => {
    const again = new Map<string, WriteOutcome>();
    for (const type of ORDER) for (const [key, outcome] of await migrateType(from, to, type, migration)) again.set(key, outcome);
    const changed = [...again].filter(([key, o]) => o.ok && o.result.outcome !== 'unchanged').map(([key, o]) => `${key}: ${(o as { result: { outcome: string } }).result.outcome}`);
    expect(changed).toEqual([]);
    expect(failures(again)).toHaveLength(1);
  });

  it('inspect sees damage on the target: a deleted post, comment and term, and a changed file', async () => {
    const last = (type: string) => comparablePairs(type).filter(([s]) => ok(firstRun.get(`${type}:${s}`)).outcome === 'created').at(-1)!;
    const [post, comment, tag, media] = [last('post'), last('comment'), last('tag'), last('media')];
    const auth = { authorization: `Basic ${Buffer.from(`${target.adminUser}:${target.appPassword}`).toString('base64')}` };
    for (const route of [`wp/v2/posts/${post[1]}`, `wp/v2/comments/${comment[1]}`, `wp/v2/tags/${tag[1]}`]) {
      expect((await fetch(`${target.restUrl}/${route}?force=true`, { method: 'DELETE', headers: auth })).status, route).toBe(200);
    }
    const file = (await rest<Row>(target, `wp/v2/media/${media[1]}`, { context: 'edit' })).media_details.file as string;
    appendFileSync(join(target.dir, 'content', 'uploads', file), Buffer.from('changed on the target'));
    for (const [type, [sourceId, targetId]] of [['post', post], ['comment', comment], ['tag', tag]] as const) {
      expect((await from.inspect!(type, [sourceId], { signal: signal() })).has(sourceId), type).toBe(true);
      expect((await to.inspect!(type, [targetId], { signal: signal() })).has(targetId), type).toBe(false);
    }
    const [a, b] = await Promise.all([from.inspect!('media', [media[0]], { signal: signal() }), to.inspect!('media', [media[1]], { signal: signal() })]);
    const before = a.get(media[0])!.fields.file as { sha1: string; size: number };
    const after = b.get(media[1])!.fields.file as { sha1: string; size: number };
    expect(after.size).toBe(before.size + 'changed on the target'.length);
    expect(after.sha1).not.toBe(before.sha1);
  });

  it('removes what it wrote unless it changed since; adopted accounts and settings stay', async () => {
    const anyKey = (type: string) => [...migration.ids.keys()].find((k) => k.startsWith(`${type}:`) && firstRun.get(k)?.ok && ok(firstRun.get(k)).outcome === 'created')!;
    const ref = (key: string) => ({ targetId: migration.ids.get(key)!, version: migration.versions.get(key)! });
    for (const type of ['comment', 'menu-item', 'tag', 'media']) {
      const key = anyKey(type);
      expect([key, await to.remove(type, ref(key), { signal: signal() })]).toEqual([key, 'removed']);
      expect([key, await to.remove(type, ref(key), { signal: signal() })]).toEqual([key, 'gone']);
    }
    const post = anyKey('post');
    await fetch(`${target.restUrl}/wp/v2/posts/${migration.ids.get(post)}`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${target.adminUser}:${target.appPassword}`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Edited on the target' }),
    });
    expect(await to.remove('post', ref(post), { signal: signal() })).toBe('changed');
    const adopted = [...migration.ids.keys()].find((k) => k.startsWith('user:') && ok(firstRun.get(k)).actions?.some((a) => a.code === 'user-email-adopted'))!;
    expect(await to.remove('user', ref(adopted), { signal: signal() })).toBe('not_deletable');
    expect(await to.remove('settings', { targetId: 'settings' }, { signal: signal() })).toBe('not_deletable');
    const user = [...migration.ids.keys()].find((k) => k.startsWith('user:') && ok(firstRun.get(k)).outcome === 'created')!;
    expect(await to.remove('user', ref(user), { signal: signal() })).toBe('removed');
  });

  it('resets the target: everything but the account Ferry uses and the default category', async () => {
    const { removed } = await to.reset!({ signal: signal() });
    expect(removed).toBeGreaterThan(50);
    const users = await restAll<Row>(target, 'wp/v2/users');
    expect(users.map((u) => u.username)).toEqual(['admin']);
    for (const route of ['wp/v2/posts', 'wp/v2/pages']) expect(await restAll(target, route, { status: 'any' })).toEqual([]);
    expect(await restAll(target, 'wp/v2/media')).toEqual([]);
    expect(await restAll(target, 'wp/v2/tags')).toEqual([]);
    expect((await restAll<Row>(target, 'wp/v2/categories', { hide_empty: 'false' })).length).toBe(1);
    expect(await readAll(to, 'comment')).toEqual([]);
    expect(await readAll(to, 'menu')).toEqual([]);
  });

  it('gives posts written side by side the format they have, on a site that never had it', async () => {
    // Stock WordPress makes a format's term (post-format-video) when a post first takes it; two saves at once
    // make two, and one post reads back as "video-2". The migration above made the terms: remove them (the
    // REST API cannot), so the target is as a fresh install, whose first posts of each format race.
    await target.php("foreach (get_terms(['taxonomy' => 'post_format', 'hide_empty' => false]) as $t) wp_delete_term($t->term_id, 'post_format');");
    const formats = ['aside', 'gallery', 'link', 'image', 'quote', 'status', 'video', 'audio', 'chat'];
    const request = (format: string, n: number) => {
      const data = { id: 9000 + n, kind: 'post', date_gmt: '2024-05-01T10:00:00', slug: `race-${format}-${n}`, status: 'publish', password: '', title: `Race ${format} ${n}`, content: '', excerpt: '', author: 0, featured_media: 0, comment_status: 'closed', ping_status: 'closed', template: '', meta: {}, format, sticky: false, categories: [], tags: [], links: [] };
      return { item: { type: 'post', sourceId: `race-${format}-${n}`, key: `race-${format}-${n}`, label: data.title, hash: `race-${format}-${n}`, refs: [], data }, mode: 'create' as const, resolve: () => undefined };
    };
    // Eight writes of each format at once, as the engine's concurrency sends them, from a new session (the
    // one above remembers the formats it saved, whose terms were there until just now).
    const fresh = await openSession(driver, target);
    const outcomes = await Promise.all(formats.flatMap((format) => Array.from({ length: 8 }, (_, n) => fresh.write('post', [request(format, n)], { signal: signal() }))));
    const rows = outcomes.flat().map((outcome) => ok(outcome).targetId);
    const written = await restAll<Row>(target, 'wp/v2/posts', { include: rows.join(','), per_page: '100', _fields: 'slug,format' });
    expect(written.filter((row) => !String(row.slug).startsWith(`race-${row.format}-`)).map((row) => `${row.slug}: ${row.format}`)).toEqual([]);
    expect(written).toHaveLength(formats.length * 8);
    const terms = (await target.php("foreach (get_terms(['taxonomy' => 'post_format', 'hide_empty' => false]) as $t) echo $t->slug, ' ';")).trim().split(' ').sort();
    expect(terms).toEqual(formats.map((format) => `post-format-${format}`).sort());
  });
});
