import type { Random } from './prng.js';
import {
  CONTENT_TOKENS,
  type GeneratedMenu,
  type GeneratedMenuItem,
  type GeneratedPost,
  type GeneratedTerm,
  type MenuTarget,
} from './wordpress-content-types.js';

export interface MenuPlan {
  count: number;
  posts: readonly GeneratedPost[];
  categories: readonly GeneratedTerm[];
  tags: readonly GeneratedTerm[];
}

class MenuBuilder {
  readonly items: GeneratedMenuItem[] = [];

  constructor(
    private readonly random: Random,
    private readonly menuKey: string,
  ) {}

  add(target: MenuTarget, title: string, parent?: GeneratedMenuItem, extra: Partial<GeneratedMenuItem> = {}): GeneratedMenuItem {
    const item: GeneratedMenuItem = {
      key: `${this.menuKey}-item-${this.items.length + 1}`,
      // An empty title makes WordPress show the target's own title.
      title: target.kind !== 'custom' && this.random.chance(0.4) ? '' : title,
      target,
      openInNewTab: false,
      description: '',
      classes: [],
      ...(parent ? { parentKey: parent.key } : {}),
      ...extra,
    };
    this.items.push(item);
    return item;
  }
}

const published = (posts: readonly GeneratedPost[], type: 'post' | 'page'): GeneratedPost[] =>
  posts.filter((post) => post.type === type && post.status === 'publish' && post.password === undefined);

/** Pages with their published children and grandchildren: three levels of items. */
function addPageTree(builder: MenuBuilder, pages: readonly GeneratedPost[], page: GeneratedPost, parent: GeneratedMenuItem | undefined, depth: number): void {
  const item = builder.add({ kind: 'page', postKey: page.key }, page.title, parent);
  if (depth >= 2) return;
  for (const child of pages.filter((other) => other.parentKey === page.key).slice(0, 3)) addPageTree(builder, pages, child, item, depth + 1);
}

function mainMenu(random: Random, plan: MenuPlan): GeneratedMenu {
  const builder = new MenuBuilder(random, 'menu-1');
  const pages = published(plan.posts, 'page');
  builder.add({ kind: 'custom', url: `${CONTENT_TOKENS.site}/` }, 'Home');
  const roots = pages.filter((page) => page.parentKey === undefined && pages.some((child) => child.parentKey === page.key));
  for (const page of roots.slice(0, 3)) addPageTree(builder, pages, page, undefined, 0);
  const topCategory = plan.categories.find((term) => term.parentKey === undefined);
  if (topCategory !== undefined) {
    const topics = builder.add({ kind: 'category', termKey: topCategory.key }, 'Topics');
    for (const child of plan.categories.filter((term) => term.parentKey === topCategory.key).slice(0, 3)) {
      builder.add({ kind: 'category', termKey: child.key }, child.name, topics);
    }
  }
  const post = published(plan.posts, 'post')[0];
  if (post !== undefined) builder.add({ kind: 'post', postKey: post.key }, 'Latest story');
  builder.add({ kind: 'custom', url: 'https://example.org/timetable' }, 'Timetable ↗', undefined, {
    openInNewTab: true,
    classes: ['external', 'highlight'],
    description: 'Opens the operator’s timetable',
  });
  return { key: 'menu-1', name: 'Main navigation ⛴', items: builder.items };
}

function footerMenu(random: Random, plan: MenuPlan): GeneratedMenu {
  const builder = new MenuBuilder(random, 'menu-2');
  const pages = published(plan.posts, 'page');
  const posts = published(plan.posts, 'post');
  if (pages.length > 0) builder.add({ kind: 'page', postKey: random.pick(pages).key }, 'About');
  if (posts.length > 0) builder.add({ kind: 'post', postKey: random.pick(posts).key }, 'Featured');
  if (plan.tags.length > 0) builder.add({ kind: 'tag', termKey: random.pick(plan.tags).key }, 'Popular tag');
  builder.add({ kind: 'custom', url: `${CONTENT_TOKENS.site}/?s=harbour` }, 'Search: harbour');
  builder.add({ kind: 'custom', url: 'mailto:info@example.org' }, 'Write to us');
  return { key: 'menu-2', name: 'Footer', items: builder.items };
}

function extraMenu(random: Random, plan: MenuPlan, index: number): GeneratedMenu {
  const key = `menu-${index + 1}`;
  const builder = new MenuBuilder(random, key);
  const pages = published(plan.posts, 'page');
  for (const page of random.shuffle(pages).slice(0, 3)) builder.add({ kind: 'page', postKey: page.key }, page.title);
  builder.add({ kind: 'custom', url: `https://example.org/extra/${index + 1}` }, `Extra link ${index + 1}`);
  return { key, name: `Extra menu ${index + 1}`, items: builder.items };
}

/**
 * The main menu (nested pages, categories, a post, an external link), a footer
 * menu, then plain ones. None sits in a theme location: the stock block theme has none.
 */
export function generateMenus(random: Random, plan: MenuPlan): GeneratedMenu[] {
  const menus: GeneratedMenu[] = [];
  for (let i = 0; i < plan.count; i++) {
    menus.push(i === 0 ? mainMenu(random, plan) : i === 1 ? footerMenu(random, plan) : extraMenu(random, plan, i));
  }
  return menus;
}
