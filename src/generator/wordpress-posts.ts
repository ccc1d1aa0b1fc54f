import { GENERATED_POST_META } from '../harness/wordpress-settings.js';
import type { Random } from './prng.js';
import { ADJECTIVES, NOUNS, TOPICS, UNICODE_TITLES } from './vocabulary.js';
import type {
  GeneratedMedia,
  GeneratedPost,
  GeneratedTerm,
  GeneratedWpUser,
  PostFormat,
  PostStatus,
} from './wordpress-content-types.js';
import { blockBody, classicBody, history } from './wordpress-post-text.js';
import { dateBetween, sentence, slugify } from './wordpress-text.js';

export interface PostPlan {
  posts: number;
  pages: number;
  users: readonly GeneratedWpUser[];
  categories: readonly GeneratedTerm[];
  tags: readonly GeneratedTerm[];
  media: readonly GeneratedMedia[];
}

/** The key of the site's own administrator, who exists before any generated user. */
export const SITE_ADMIN_KEY = 'admin';

/** Statuses of the first posts, so every status is there even in small sites; later ones are drawn. */
const FIRST_STATUSES: readonly PostStatus[] = ['publish', 'draft', 'pending', 'private', 'future'];
const DRAWN_STATUSES: readonly PostStatus[] = [
  ...Array<PostStatus>(39).fill('publish'), 'draft', 'draft', 'draft', 'draft', 'pending', 'pending', 'private', 'private', 'future', 'future',
];
const FORMATS: readonly PostFormat[] = [...Array<PostFormat>(12).fill('standard'), 'aside', 'gallery', 'link', 'image', 'quote'];
const SPECIAL_TITLES = ['Tom & Jerry’s “quoted” <em>title</em>', 'Ten years – a look back', ...UNICODE_TITLES] as const;
const PAGE_TITLES = ['Home', 'Journal', 'About us', 'Contact', 'Über uns', 'Контакты', 'Team', 'Press', 'Visiting', 'Timetable'];
const PASSWORD = 'ferry-secret';

const byRoles = (users: readonly GeneratedWpUser[], roles: readonly string[]): string[] =>
  users.filter((user) => roles.includes(user.role)).map((user) => user.key);

function writersFor(status: PostStatus, users: readonly GeneratedWpUser[]): string[] {
  // Contributors cannot publish: their posts are drafts or pending review.
  const roles = status === 'draft' || status === 'pending' ? ['administrator', 'editor', 'author', 'contributor'] : ['administrator', 'editor', 'author'];
  const keys = byRoles(users, roles);
  return keys.length > 0 ? keys : [SITE_ADMIN_KEY];
}

function dateFor(random: Random, status: PostStatus): string {
  // 'future' needs a date WordPress sees as ahead, or it publishes the post at once.
  return status === 'future'
    ? dateBetween(random, '2035-01-01T00:00:00Z', '2036-12-31T23:59:59Z')
    : dateBetween(random, '2019-01-01T00:00:00Z', '2024-12-31T23:59:59Z');
}

export class Titles {
  private readonly used = new Set<string>();
  private readonly slugs = new Set<string>(['hello-world', 'sample-page', 'privacy-policy']);

  constructor(private readonly random: Random) {}

  title(preferred: string | undefined): string {
    let title = preferred ?? `The ${this.random.pick(ADJECTIVES).toLowerCase()} ${this.random.pick(NOUNS)} and its ${this.random.pick(TOPICS)}`;
    while (this.used.has(title)) title = `${title} (${this.random.int(2, 99)})`;
    this.used.add(title);
    return title;
  }

  /** undefined when the title has nothing Latin: WordPress then makes a percent-encoded slug itself. */
  slug(title: string): string | undefined {
    const base = slugify(title);
    if (base === '') return undefined;
    let slug = base;
    for (let n = 2; this.slugs.has(slug); n++) slug = `${base}-${n}`;
    this.slugs.add(slug);
    return slug;
  }
}

function meta(random: Random): Record<string, string | number> {
  const result: Record<string, string | number> = {};
  if (random.chance(0.3)) result[GENERATED_POST_META.subtitle] = sentence(random).replace(/\.$/, ' ✓');
  if (random.chance(0.2)) result[GENERATED_POST_META.rating] = random.int(1, 5);
  // Invisible to REST: only the database (or a plugin) knows it.
  if (random.chance(0.1)) result.legacy_id = `L-${random.int(1000, 9999)}`;
  return result;
}

/** Posts with every status, sticky ones, a password-protected one, featured images and links. */
export function generatePosts(random: Random, plan: PostPlan, titles = new Titles(random)): GeneratedPost[] {
  const images = plan.media.filter((item) => item.mime === 'image/png');
  const linkable = [...Array.from({ length: plan.posts }, (_, i) => `post-${i + 1}`), ...Array.from({ length: plan.pages }, (_, i) => `page-${i + 1}`)];
  const posts: GeneratedPost[] = [];
  let stickies = 0;
  let protectedOne = false;
  for (let i = 0; i < plan.posts; i++) {
    const status = FIRST_STATUSES[i] ?? random.pick(DRAWN_STATUSES);
    const title = titles.title(i % 17 === 6 ? SPECIAL_TITLES[Math.floor(i / 17) % SPECIAL_TITLES.length] : undefined);
    const keepSlug = status !== 'draft' || random.chance(0.5);
    const sticky = status === 'publish' && stickies < 3 && (i === 0 || random.chance(0.05));
    if (sticky) stickies++;
    const password = status === 'publish' && !sticky && !protectedOne && i >= 5 ? PASSWORD : undefined;
    if (password !== undefined) protectedOne = true;
    const context = { images, linkable: linkable.filter((key) => key !== `post-${i + 1}`) };
    const post: GeneratedPost = {
      key: `post-${i + 1}`,
      type: 'post',
      title,
      content: random.chance(0.7) ? blockBody(random, context) : classicBody(random, context),
      excerpt: random.chance(0.3) ? sentence(random) : '',
      status,
      date: dateFor(random, status),
      authorKey: random.pick(writersFor(status, plan.users)),
      menuOrder: 0,
      categoryKeys: plan.categories.length === 0 ? [] : random.shuffle(plan.categories).slice(0, random.int(1, 3)).map((term) => term.key),
      tagKeys: random.shuffle(plan.tags).slice(0, random.int(0, 5)).map((term) => term.key),
      sticky,
      commentStatus: random.chance(0.85) ? 'open' : 'closed',
      pingStatus: random.chance(0.4) ? 'open' : 'closed',
      format: random.pick(FORMATS),
      meta: meta(random),
      history: random.chance(0.15) ? history(random, random.int(1, 3)) : [],
    };
    const slug = keepSlug ? titles.slug(title) : undefined;
    if (slug !== undefined) post.slug = slug;
    if (password !== undefined) post.password = password;
    if (images.length > 0 && random.chance(0.3)) post.featuredMediaKey = random.pick(images).key;
    posts.push(post);
  }
  return posts;
}

/** Depth of each page: about a fifth at the top, two fifths on each level below. */
function pageLevel(index: number, count: number): number {
  const top = Math.max(1, Math.round(count * 0.2));
  return index < top ? 0 : index < top + Math.round((count - top) / 2) ? 1 : 2;
}

/** Nested pages (three levels) linking to their children; the first two are the front and posts pages. */
export function generatePages(random: Random, plan: PostPlan, titles = new Titles(random)): GeneratedPost[] {
  const images = plan.media.filter((item) => item.mime === 'image/png');
  const editors = byRoles(plan.users, ['administrator', 'editor']);
  const authors = editors.length > 0 ? editors : [SITE_ADMIN_KEY];
  const levels = Array.from({ length: plan.pages }, (_, i) => pageLevel(i, plan.pages));
  const parents: (number | undefined)[] = levels.map((level, i) => {
    // Parents at the level above, never the front or posts page (their children would be hidden).
    const candidates = levels.flatMap((other, j) => (j < i && other === level - 1 && j > 1 ? [j] : []));
    return level === 0 || candidates.length === 0 ? undefined : random.pick(candidates);
  });
  const pages: GeneratedPost[] = [];
  for (let i = 0; i < plan.pages; i++) {
    const status: PostStatus = i === 4 || i === 15 ? 'draft' : i === 11 ? 'private' : 'publish';
    const title = titles.title(PAGE_TITLES[i]);
    const children = parents.flatMap((parent, j) => (parent === i ? [{ key: `page-${j + 1}`, text: `child page ${j + 1}` }] : []));
    const parentIndex = parents[i];
    const siblings = parents.slice(0, i).filter((parent) => parent === parentIndex).length;
    const page: GeneratedPost = {
      key: `page-${i + 1}`,
      type: 'page',
      title,
      content: blockBody(random, { images, linkable: [], extraLinks: children }),
      excerpt: '',
      status,
      date: dateFor(random, status),
      authorKey: random.pick(authors),
      menuOrder: siblings + 1,
      categoryKeys: [],
      tagKeys: [],
      sticky: false,
      commentStatus: random.chance(0.15) ? 'open' : 'closed',
      pingStatus: 'closed',
      format: 'standard',
      meta: meta(random),
      history: random.chance(0.1) ? history(random, 1) : [],
    };
    const slug = titles.slug(title);
    if (slug !== undefined) page.slug = slug;
    if (parentIndex !== undefined) page.parentKey = `page-${parentIndex + 1}`;
    if (i === 2) page.template = 'blank';
    if (images.length > 0 && random.chance(0.2)) page.featuredMediaKey = random.pick(images).key;
    pages.push(page);
  }
  return pages;
}

