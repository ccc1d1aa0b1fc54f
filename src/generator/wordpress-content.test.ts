import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SITE,
  SITE_ADMIN_KEY,
  generateSiteContent,
  resolveTokens,
  tokenKeys,
  type GeneratedSite,
} from './wordpress-content.js';

const small = { ...DEFAULT_SITE, posts: 30, pages: 10, media: 8, comments: 60, categories: 8, tags: 10, users: 6, menus: 3 };

/** A stable digest of the whole description (Buffers as hex). */
function digest(site: GeneratedSite): string {
  const json = JSON.stringify(site, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && (value as { type?: string }).type === 'Buffer'
      ? Buffer.from((value as { data: number[] }).data).toString('hex')
      : value,
  );
  return createHash('sha256').update(json).digest('hex');
}

function depth<T extends { key: string }>(items: readonly T[], parentOf: (item: T) => string | undefined): Map<string, number> {
  const byKey = new Map(items.map((item) => [item.key, item]));
  const result = new Map<string, number>();
  for (const item of items) {
    let level = 1;
    for (let parent = parentOf(item); parent !== undefined; level++) {
      const next = byKey.get(parent);
      parent = next === undefined ? undefined : parentOf(next);
    }
    result.set(item.key, level);
  }
  return result;
}

/** Every parent key names an item that comes earlier in the same list. */
function parentsFirst<T extends { key: string }>(items: readonly T[], parentOf: (item: T) => string | undefined): boolean {
  const seen = new Set<string>();
  for (const item of items) {
    const parent = parentOf(item);
    if (parent !== undefined && !seen.has(parent)) return false;
    seen.add(item.key);
  }
  return true;
}

describe('generateSiteContent', () => {
  const site = generateSiteContent(DEFAULT_SITE);
  const posts = site.posts.filter((post) => post.type === 'post');
  const pages = site.posts.filter((post) => post.type === 'page');

  it('is deterministic for a seed and differs between seeds', () => {
    expect(digest(generateSiteContent(small))).toBe(digest(generateSiteContent(small)));
    expect(digest(generateSiteContent(DEFAULT_SITE))).toBe(digest(site));
    const other = generateSiteContent({ ...small, seed: small.seed + 1 });
    expect(other.posts.map((post) => post.content)).not.toEqual(generateSiteContent(small).posts.map((post) => post.content));
  });

  it('makes exactly the requested numbers', () => {
    expect(posts).toHaveLength(200);
    expect(pages).toHaveLength(40);
    expect(site.media).toHaveLength(60);
    expect(site.comments).toHaveLength(400);
    expect(site.categories).toHaveLength(30);
    expect(site.tags).toHaveLength(80);
    expect(site.users).toHaveLength(12);
    expect(site.menus).toHaveLength(2);
    const empty = generateSiteContent({ seed: 1, posts: 0, pages: 0, media: 0, comments: 0, categories: 0, tags: 0, users: 0, menus: 0 });
    expect(empty.posts).toEqual([]);
    const tiny = generateSiteContent({ seed: 2, posts: 3, pages: 2, media: 1, comments: 5, categories: 1, tags: 1, users: 1, menus: 1 });
    expect(tiny.comments).toHaveLength(5);
  });

  it('has unique keys, logins, slugs and titles', () => {
    const keys = [site.users, site.categories, site.tags, site.media, site.posts, site.comments, site.menus, site.menus.flatMap((m) => m.items)]
      .flat()
      .map((item) => item.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(site.users.map((user) => user.login)).size).toBe(12);
    const slugs = site.posts.flatMap((post) => (post.slug === undefined ? [] : [post.slug]));
    expect(new Set(slugs).size).toBe(slugs.length);
    expect(new Set(site.categories.map((term) => term.slug)).size).toBe(30);
    expect(new Set(site.posts.map((post) => post.title)).size).toBe(240);
  });

  it('covers every post status, stickies, a password, featured images, formats and meta', () => {
    expect(new Set(posts.map((post) => post.status))).toEqual(new Set(['publish', 'draft', 'pending', 'private', 'future']));
    expect(posts.filter((post) => post.sticky).every((post) => post.status === 'publish')).toBe(true);
    expect(posts.filter((post) => post.sticky).length).toBeGreaterThanOrEqual(2);
    expect(posts.some((post) => post.password !== undefined)).toBe(true);
    expect(posts.filter((post) => post.featuredMediaKey !== undefined).length).toBeGreaterThan(20);
    expect(new Set(posts.map((post) => post.format)).size).toBeGreaterThanOrEqual(4);
    expect(new Set(posts.map((post) => `${post.commentStatus}/${post.pingStatus}`)).size).toBe(4);
    expect(posts.some((post) => Object.keys(post.meta).length > 0)).toBe(true);
    expect(site.posts.some((post) => post.history.length > 0)).toBe(true);
    for (const post of posts.filter((p) => p.status === 'future')) expect(Date.parse(post.date)).toBeGreaterThan(Date.parse('2030-01-01'));
    expect(posts.some((post) => /[^\u0000-\u007f]/.test(post.title))).toBe(true);
    expect(posts.some((post) => /\p{Extended_Pictographic}/u.test(post.title))).toBe(true);
  });

  it('lets contributors write only drafts and pending posts', () => {
    const roles = new Map(site.users.map((user) => [user.key, user.role]));
    for (const post of site.posts.filter((p) => roles.get(p.authorKey) === 'contributor')) {
      expect(['draft', 'pending']).toContain(post.status);
    }
  });

  it('nests pages and categories three levels deep, parents first', () => {
    expect(Math.max(...depth(pages, (page) => page.parentKey).values())).toBe(3);
    expect(Math.max(...depth(site.categories, (term) => term.parentKey).values())).toBe(3);
    expect(parentsFirst(site.posts, (post) => post.parentKey)).toBe(true);
    expect(parentsFirst(site.categories, (term) => term.parentKey)).toBe(true);
    expect(site.settings.frontPageKey).toBe('page-1');
    expect(site.settings.postsPageKey).toBe('page-2');
  });

  it('has comment threads at least five deep in every status, replies after their parents', () => {
    const depths = depth(site.comments, (comment) => comment.parentKey);
    expect(Math.max(...depths.values())).toBeGreaterThanOrEqual(5);
    expect(new Set(site.comments.map((comment) => comment.status))).toEqual(new Set(['approved', 'hold', 'spam', 'trash']));
    expect(parentsFirst(site.comments, (comment) => comment.parentKey)).toBe(true);
    const byKey = new Map(site.comments.map((comment) => [comment.key, comment]));
    for (const comment of site.comments) {
      const parent = comment.parentKey === undefined ? undefined : byKey.get(comment.parentKey);
      if (parent !== undefined) {
        expect(parent.postKey).toBe(comment.postKey);
        expect(Date.parse(comment.date)).toBeGreaterThan(Date.parse(parent.date));
      }
    }
    expect(site.comments.some((comment) => comment.userKey !== undefined)).toBe(true);
    expect(site.comments.filter((comment) => comment.type === 'pingback')).toHaveLength(2);
  });

  it('has every role, PNG images and a PDF with alt text, captions and parents', () => {
    expect(new Set(site.users.map((user) => user.role))).toEqual(new Set(['administrator', 'editor', 'author', 'contributor', 'subscriber']));
    const pngs = site.media.filter((item) => item.mime === 'image/png');
    expect(pngs.every((item) => item.bytes.subarray(1, 4).toString('latin1') === 'PNG')).toBe(true);
    expect(site.media.filter((item) => item.mime === 'application/pdf').every((item) => item.bytes.subarray(0, 5).toString('latin1') === '%PDF-')).toBe(true);
    expect(site.media.some((item) => item.mime === 'application/pdf')).toBe(true);
    for (const field of ['alt', 'caption', 'description', 'parentKey'] as const) {
      expect(site.media.some((item) => item[field] !== undefined)).toBe(true);
    }
  });

  it('builds nested menus over posts, pages, categories and custom links', () => {
    const main = site.menus[0];
    expect(new Set(main?.items.map((item) => item.target.kind))).toEqual(new Set(['custom', 'page', 'category', 'post']));
    expect(Math.max(...depth(main?.items ?? [], (item) => item.parentKey).values())).toBe(3);
    for (const menu of site.menus) expect(parentsFirst(menu.items, (item) => item.parentKey)).toBe(true);
  });

  it('refers only to things it generates, through tokens', () => {
    const known = new Set([...site.posts, ...site.media].map((item) => item.key));
    const texts = [...site.posts.map((post) => post.content), ...site.comments.map((c) => `${c.content} ${c.authorUrl}`)];
    const referenced = texts.flatMap(tokenKeys);
    expect(referenced.length).toBeGreaterThan(100);
    for (const key of referenced) expect(known.has(key), key).toBe(true);
    expect(texts.some((text) => text.includes('{{site}}/?p={{id:'))).toBe(true);
    expect(texts.some((text) => /\{\{link:(post|page)-\d+\}\}/.test(text))).toBe(true);
    expect(texts.some((text) => /<img [^>]*src="\{\{file:media-\d+\}\}"/.test(text))).toBe(true);
    const authors = new Set([...site.users.map((user) => user.key), SITE_ADMIN_KEY]);
    for (const item of [...site.posts, ...site.media]) expect(authors.has(item.authorKey)).toBe(true);
  });

  it('holds the shapes of real exports: legacy galleries, core blocks, shortcodes, encodings, odd comments, extras', () => {
    const bySlug = new Map(site.posts.map((post) => [post.slug, post]));
    expect(bySlug.get('imported-gallery')?.content).toMatch(/"ids":\["\{\{id:media-\d+\}\}","\{\{id:media-\d+\}\}"/);
    expect(bySlug.get('imported-gallery')?.content).toMatch(/data-id="\{\{id:media-\d+\}\}"/);
    const blocks = bySlug.get('core-blocks-tour')?.content ?? '';
    for (const block of ['pullquote', 'table', 'code', 'verse', 'columns', 'group', 'html', 'shortcode', 'embed', 'cover', 'media-text', 'file', 'buttons']) expect(blocks).toContain(`<!-- wp:${block}`);
    expect(bySlug.get('shortcodes-classic')?.content).toContain('[contact-form-7 id="42"');
    for (const shape of ['&amp;', '&#8217;', '👩‍👩‍👧', '𝄞', 'dir="rtl"', 'שלום']) expect(bySlug.get('encodings-tour')?.content).toContain(shape);
    expect(bySlug.has('köln-fähre')).toBe(true);
    expect(site.comments.some((c) => c.type === 'comment' && c.authorEmail === '' && c.authorName === '' && c.userAgent === '')).toBe(true);
    expect(site.comments.some((c) => c.type === 'comment' && c.authorEmail === '' && c.authorName !== '')).toBe(true);
    expect(site.comments.some((c) => c.userAgent === '' && c.authorEmail !== '')).toBe(true);
    expect(site.comments.filter((c) => c.type === 'trackback')).toHaveLength(1);
    expect(site.extras).toMatchObject({ plugin: { postType: 'ferry_product' }, danglingMenuItem: { menuKey: 'menu-1' } });
    expect(site.extras?.templates.map((t) => t.type)).toEqual(['wp_template', 'wp_template_part']);
  });

  it('resolves tokens the way fillSite does', () => {
    const text = '<a href="{{site}}/?p={{id:post-3}}">x</a> <a href="{{link:page-2}}">y</a> <img src="{{file:media-1}}">';
    const resolved = resolveTokens(text, (kind, key) => (kind === 'site' ? 'http://h' : `${kind}(${key})`));
    expect(resolved).toBe('<a href="http://h/?p=id(post-3)">x</a> <a href="link(page-2)">y</a> <img src="file(media-1)">');
  });
});
