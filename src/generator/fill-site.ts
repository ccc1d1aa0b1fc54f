import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SiteInstance } from '../harness/wordpress.js';
import { phpString } from '../harness/wordpress-settings.js';
import type { GeneratedSite } from './wordpress-content-types.js';
import { FILL_LIBRARY_PHP, IDS_MARKER } from './wordpress-fill-php.js';

export interface FillSiteOptions {
  onProgress?: (message: string) => void;
}

/** Real ids of what fillSite() created, by generator key. */
export interface FilledSiteIds {
  users: Record<string, number>;
  categories: Record<string, number>;
  tags: Record<string, number>;
  media: Record<string, number>;
  /** Posts and pages ('post-N', 'page-N'). */
  posts: Record<string, number>;
  comments: Record<string, number>;
  menus: Record<string, number>;
  menuItems: Record<string, number>;
  /** What the extras step made ('extra-block', 'extra-navigation', 'extra-dangling-item'...). */
  extras: Record<string, number>;
}

type Step = 'settings' | 'users' | 'terms' | 'media' | 'posts' | 'links' | 'comments' | 'menus' | 'extras';

interface StepRunner {
  run(step: Step, data: unknown): Promise<Record<string, number>>;
  ids: Record<string, number>;
}

function parseIds(output: string, step: Step): Record<string, number> {
  const line = output.split('\n').reverse().find((candidate) => candidate.startsWith(IDS_MARKER));
  if (line === undefined) throw new Error(`fill step ${step} printed no ids: ${output.slice(-2000)}`);
  return JSON.parse(line.slice(IDS_MARKER.length)) as Record<string, number>;
}

function stepRunner(site: SiteInstance, workDir: string): StepRunner {
  const library = join(workDir, 'fill.php');
  writeFileSync(library, FILL_LIBRARY_PHP);
  const ids: Record<string, number> = {};
  return {
    ids,
    async run(step, data) {
      const input = join(workDir, `${step}.json`);
      writeFileSync(input, JSON.stringify({ admin: site.adminUser, ids, data, dir: join(workDir, 'media') }));
      const output = await site.php(`require ${phpString(library)};\nferry_run( ${phpString(step)}, ${phpString(input)} );`);
      const created = parseIds(output, step);
      Object.assign(ids, created);
      return created;
    },
  };
}

const pick = (ids: Record<string, number>, prefix: string): Record<string, number> =>
  Object.fromEntries(Object.entries(ids).filter(([key]) => key.startsWith(prefix)));

/**
 * Loads a generated site into a running WordPress with PHP snippets that call
 * WordPress's own functions in bulk (REST would manage about 20 writes a
 * second): settings, users, terms, media (files, attachment rows, thumbnails),
 * posts and pages, then a second pass that writes the final texts with real
 * ids and permalinks (and revisions where the post has history), then
 * comments and menus. Media bytes go to the site's folder as files, never
 * through HTTP.
 *
 * @example
 * const ids = await fillSite(site, generateSiteContent(DEFAULT_SITE), { onProgress: console.log });
 */
export async function fillSite(site: SiteInstance, content: GeneratedSite, options: FillSiteOptions = {}): Promise<FilledSiteIds> {
  const started = Date.now();
  const progress = (message: string): void =>
    options.onProgress?.(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
  mkdirSync(join(site.dir, 'tmp'), { recursive: true });
  const workDir = mkdtempSync(join(site.dir, 'tmp', 'fill-'));
  try {
    mkdirSync(join(workDir, 'media'));
    for (const item of content.media) writeFileSync(join(workDir, 'media', item.key), item.bytes);
    const steps = stepRunner(site, workDir);

    progress('settings');
    await steps.run('settings', content.settings);
    progress(`${content.users.length} users`);
    await steps.run('users', content.users);
    progress(`${content.categories.length} categories, ${content.tags.length} tags`);
    await steps.run('terms', [...content.categories, ...content.tags]);
    progress(`${content.media.length} media items`);
    await steps.run('media', content.media.map(({ bytes: _bytes, ...item }) => item));
    const pages = content.posts.filter((post) => post.type === 'page').length;
    progress(`${content.posts.length - pages} posts, ${pages} pages`);
    await steps.run('posts', content.posts);
    progress('links, revisions, featured images, front page');
    await steps.run('links', { posts: content.posts, media: content.media.map(({ bytes: _bytes, ...item }) => item), settings: content.settings });
    progress(`${content.comments.length} comments`);
    await steps.run('comments', content.comments);
    progress(`${content.menus.length} menus`);
    await steps.run('menus', content.menus);
    if (content.extras) {
      progress('a plugin, block-theme objects, trash, a dangling menu item');
      await steps.run('extras', content.extras);
    }
    progress('done');

    const { ids } = steps;
    return {
      users: pick(ids, 'user-'),
      categories: pick(ids, 'category-'),
      tags: pick(ids, 'tag-'),
      media: pick(ids, 'media-'),
      posts: { ...pick(ids, 'post-'), ...pick(ids, 'page-') },
      comments: pick(ids, 'comment-'),
      menus: Object.fromEntries(Object.entries(ids).filter(([key]) => /^menu-\d+$/.test(key))),
      menuItems: Object.fromEntries(Object.entries(ids).filter(([key]) => /^menu-\d+-item-\d+$/.test(key))),
      extras: pick(ids, 'extra-'),
    };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
