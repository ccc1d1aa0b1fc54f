import { createRandom } from './prng.js';
import type { GeneratedSettings, GeneratedSite, GeneratedTerm, GeneratedPost, SiteContentOptions } from './wordpress-content-types.js';
import { generateComments } from './wordpress-comments.js';
import { generateMedia } from './wordpress-media.js';
import { generateMenus } from './wordpress-menus.js';
import { generatePages, generatePosts, SITE_ADMIN_KEY, Titles } from './wordpress-posts.js';
import { REAL_WORLD_POSTS, generateExtras, realWorldComments, realWorldPosts } from './wordpress-real-world.js';
import { generateCategories, generateTags } from './wordpress-terms.js';
import { UPLOADING_ROLES, generateWpUsers } from './wordpress-users.js';

export * from './wordpress-content-types.js';
export type { GeneratedExtras } from './wordpress-real-world.js';
export { SITE_ADMIN_KEY };

/**
 * A site with every kind of thing a WordPress migration must carry: 200 posts
 * in every status, 40 pages on three levels, 60 media items, 400 comments in
 * deep threads and every status, 30 categories on three levels, 80 tags, 12
 * users over all roles and 2 menus; and the shapes real exports hold
 * (wordpress-real-world.ts): legacy galleries, many core blocks, shortcodes,
 * odd encodings, comments without e-mail or user agent, a trackback,
 * block-theme objects, a plugin's post type, trash, a dangling menu item.
 */
export const DEFAULT_SITE: SiteContentOptions = {
  seed: 20_240_915,
  posts: 200,
  pages: 40,
  media: 60,
  comments: 400,
  categories: 30,
  tags: 80,
  users: 12,
  menus: 2,
};

function settings(categories: readonly GeneratedTerm[], pages: readonly GeneratedPost[]): GeneratedSettings {
  return {
    title: 'Harbour Notes',
    description: 'Stories from the ferry 🚢 — généré pour Ferry',
    timezone: 'Europe/Oslo',
    dateFormat: 'j. F Y',
    timeFormat: 'H:i',
    startOfWeek: 1,
    postsPerPage: 7,
    frontPageKey: pages[0]?.key ?? '',
    postsPageKey: pages[1]?.key ?? '',
    defaultCategoryKey: categories[0]?.key ?? '',
    defaultCommentStatus: 'open',
    defaultPingStatus: 'closed',
    useSmilies: false,
    threadCommentsDepth: 8,
  };
}

/**
 * Describes a whole site from a seed: same options, same output, byte for byte.
 * Keys ('post-3', 'media-7', ...) tie the parts together; content holds tokens
 * for ids and URLs that only exist once the site is filled. An author key
 * {@link SITE_ADMIN_KEY} means the site's own administrator.
 *
 * @example
 * const site = generateSiteContent({ ...DEFAULT_SITE, posts: 1000 });
 */
export function generateSiteContent(options: SiteContentOptions): GeneratedSite {
  for (const [name, value] of Object.entries(options)) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number ≥ 0, got ${value}`);
  }
  const root = createRandom(options.seed);
  const users = generateWpUsers(root.fork('users'), options.users);
  const categories = generateCategories(root.fork('categories'), options.categories);
  const tags = generateTags(root.fork('tags'), options.tags, categories);
  const uploaders = users.filter((user) => UPLOADING_ROLES.includes(user.role)).map((user) => user.key);
  const media = generateMedia(root.fork('media'), {
    count: options.media,
    uploaders: uploaders.length > 0 ? uploaders : [SITE_ADMIN_KEY],
    posts: options.posts,
  });
  // Real-world shapes take the place of some generated posts and one comment, so the counts stay as asked.
  const odd = options.posts >= 20 ? REAL_WORLD_POSTS : 0;
  const trackbacks = options.comments >= 20 ? 1 : 0;
  const plan = { posts: options.posts - odd, pages: options.pages, users, categories, tags, media };
  const titles = new Titles(root.fork('titles'));
  const pages = generatePages(root.fork('pages'), plan, titles);
  const generated = generatePosts(root.fork('posts'), plan, titles);
  const oddPosts = realWorldPosts({
    firstIndex: generated.length,
    images: media.filter((item) => item.mime === 'image/png'),
    files: media.filter((item) => item.mime === 'application/pdf'),
    authorKey: SITE_ADMIN_KEY,
    ...(categories[0] ? { categoryKey: categories[0].key } : {}),
    date: (i) => `2023-0${(i % 9) + 1}-1${i % 10}T09:30:00Z`,
  }).slice(0, odd);
  const posts = [...generated, ...oddPosts, ...pages];
  const plain = generateComments(root.fork('comments'), { count: options.comments - trackbacks, posts, users });
  const comments = trackbacks > 0 ? realWorldComments(root.fork('real-world'), plain) : plain;
  const menus = generateMenus(root.fork('menus'), { count: options.menus, posts, categories, tags });
  const extras = generateExtras(menus.map((menu) => menu.key));
  return { settings: settings(categories, pages), users, categories, tags, media, posts, comments, menus, extras };
}
