import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureWordPressPackages, type SiteInstance } from '../harness/wordpress.js';
import { DEFAULT_SITE } from './wordpress-content.js';
import { startFilledSite } from './wordpress-filled-site-cache.js';

const small = { ...DEFAULT_SITE, posts: 20, pages: 6, media: 4, comments: 30, categories: 5, tags: 8, users: 5, menus: 2 };

async function restGet(site: SiteInstance, path: string): Promise<{ body: any; total: number }> {
  const auth = `Basic ${Buffer.from(`${site.adminUser}:${site.appPassword}`).toString('base64')}`;
  const response = await fetch(`${site.restUrl}${path}`, { headers: { authorization: auth } });
  return { body: await response.json(), total: Number(response.headers.get('x-wp-total')) };
}

describe('startFilledSite', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'ferry-wp-cache-'));
  const sites: SiteInstance[] = [];

  afterAll(async () => {
    await Promise.all(sites.map((site) => site.stop()));
    rmSync(scratch, { recursive: true, force: true });
  });

  it('fills once, then starts copies of the filled site on their own ports', async () => {
    await ensureWordPressPackages();
    const cacheDir = join(scratch, 'cache');
    const first = await startFilledSite({ name: 'Cached Blog', baseDir: join(scratch, 'a'), content: small, cacheDir });
    sites.push(first.site);
    expect(first.fromCache).toBe(false);
    const second = await startFilledSite({ name: 'Cached Blog', baseDir: join(scratch, 'b'), content: small, cacheDir });
    sites.push(second.site);
    expect(second.fromCache).toBe(true);
    expect(second.ids).toEqual(first.ids);
    expect(second.site.url).not.toBe(first.site.url);

    for (const { site } of [first, second]) {
      // Hello world!, the generated posts, and the extras' post that embeds a reusable block.
      expect((await restGet(site, '/wp/v2/posts?status=any&per_page=1')).total).toBe(1 + small.posts + 1);
      expect((await restGet(site, '/wp/v2/media?per_page=1')).total).toBe(small.media);
      // Links written for the cached site's URL now name this site's URL.
      const posts = (await restGet(site, '/wp/v2/posts?status=any&per_page=100&context=edit')).body as Array<{ content: { raw: string } }>;
      const links = posts.flatMap((post) => [...post.content.raw.matchAll(/(?:href|src)="(http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[1]));
      expect(links.length).toBeGreaterThan(0);
      expect(new Set(links)).toEqual(new Set([site.url]));
    }
  });
});
