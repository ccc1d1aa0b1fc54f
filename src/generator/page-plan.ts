import { NAMESPACE_PREFIX, NS } from './content-types.js';
import { paragraph } from './page-text.js';
import type { ArticleDecorations } from './page-text.js';
import type { Random } from './prng.js';
import { ADJECTIVES, NOUNS, TOPICS, UNICODE_TITLES } from './vocabulary.js';

export type PageKind = 'prose' | 'template' | 'module' | 'redirect' | 'category' | 'talk' | 'big';

/** One page to generate: where it goes and what it is, before any revision exists. */
export interface PagePlan {
  title: string;
  namespace: number;
  kind: PageKind;
  /** Template/module/category name, or a redirect's target title. */
  subject: string;
  /** User pages: the user who mostly edits them. */
  owner?: string;
  decorations: ArticleDecorations;
}

export interface PlanInput {
  pages: number;
  users: readonly string[];
  files: readonly string[];
  scribunto: boolean;
  fileCategory: string;
}

const TEMPLATE_NAMES = ['Infobox place', 'Citation needed', 'Greeting', 'Navbox', 'Stub', 'Travel notice'];
const MODULE_NAMES = ['Greeting', 'Arithmetic', 'Text utilities'];
const HELP_CHAINS = [['Editing', 'Links', 'Internal'], ['Uploading', 'Images', 'Licensing'], ['Templates', 'Parameters']];
const PROJECT_TITLES = ['About', 'About/Team', 'About/Team/History', 'Policies', 'Policies/Naming', 'Community portal'];
export const BIG_PAGE_TITLE = 'Annals of the great archive';

const capital = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);
const none = (): ArticleDecorations => ({ links: [], files: [], categories: [], templates: [] });

interface Quotas {
  templates: number; modules: number; categories: number; unicode: number; help: number; project: number;
  userPages: number; userSubpages: number; userTalk: number; subpages: number; redirects: number; talk: number;
}

/** How many pages of each kind, scaled so articles stay the largest share. */
function quotas(input: PlanInput): Quotas {
  const n = input.pages;
  const share = (fraction: number, max = Infinity): number => Math.min(max, Math.round(n * fraction));
  const wanted: Quotas = {
    templates: Math.max(1, share(0.03, 60)),
    modules: input.scribunto ? Math.min(MODULE_NAMES.length, Math.max(1, share(0.01))) : 0,
    categories: Math.max(1, share(0.03, 80)),
    unicode: share(0.06, UNICODE_TITLES.length),
    help: share(0.03, HELP_CHAINS.flat().length),
    project: share(0.02, PROJECT_TITLES.length),
    userPages: Math.min(input.users.length, share(0.04)),
    userSubpages: Math.min(input.users.length, share(0.015)),
    userTalk: Math.min(input.users.length, share(0.02)),
    subpages: share(0.02),
    redirects: share(0.05),
    talk: share(0.06),
  };
  const total = Object.values(wanted).reduce((sum, value) => sum + value, 0);
  const room = Math.max(0, Math.floor((n - 1) * 0.6));
  if (total <= room) return wanted;
  const factor = room / total;
  const scaled = { ...wanted };
  for (const key of Object.keys(scaled) as (keyof Quotas)[]) scaled[key] = Math.floor(wanted[key] * factor);
  return scaled;
}

class TitleSet {
  private readonly seen = new Set<string>();
  add(namespace: number, title: string): boolean {
    const key = `${namespace}:${title}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }
}

function articleTitle(random: Random, titles: TitleSet): string {
  for (let attempt = 0; ; attempt++) {
    const base = `${random.pick(ADJECTIVES)} ${random.pick(NOUNS)}`;
    const title = attempt < 20 ? base : attempt < 40 ? `${base} (${random.pick(TOPICS)})` : `${base} ${attempt}`;
    if (titles.add(NS.main, title)) return title;
  }
}

function plan(namespace: number, text: string, kind: PageKind, subject = text, owner?: string): PagePlan {
  return { title: `${NAMESPACE_PREFIX[namespace] ?? ''}${text}`, namespace, kind, subject, owner, decorations: none() };
}

function decorate(random: Random, articles: PagePlan[], templates: string[], categories: string[], files: readonly string[]): void {
  const titles = articles.map((article) => article.title);
  const topicCategories = categories.filter((name, index) => index >= 2 || categories.length <= 2);
  for (const article of articles) {
    const d = article.decorations;
    if (templates.includes('Infobox place') && random.chance(0.3)) {
      d.infobox = { template: 'Infobox place', name: article.title, region: capital(random.pick(TOPICS)) };
    }
    for (const template of templates) {
      if (template !== 'Infobox place' && random.chance(0.08)) d.templates.push(template);
    }
    d.links = Array.from({ length: random.int(0, 3) }, () => random.pick(titles)).filter((t) => t !== article.title);
    if (files.length > 0 && random.chance(0.15)) d.files.push(random.pick(files));
    if (topicCategories.length > 0) d.categories.push(random.pick(topicCategories));
  }
  // Every template is transcluded and every topic category has members.
  templates.forEach((template, index) => {
    const article = articles[index % articles.length];
    if (!article) return;
    if (template === 'Infobox place') article.decorations.infobox ??= { template, name: article.title, region: 'Unknown' };
    else if (!article.decorations.templates.includes(template)) article.decorations.templates.push(template);
  });
  topicCategories.forEach((category, index) => {
    const article = articles[(index * 7) % Math.max(1, articles.length)];
    if (article && !article.decorations.categories.includes(category)) article.decorations.categories.push(category);
  });
}

/** Exactly `input.pages` distinct page plans. */
export function planTitles(random: Random, input: PlanInput): PagePlan[] {
  const q = quotas(input);
  const titles = new TitleSet();
  const take = <T>(items: readonly T[], count: number): T[] => items.slice(0, Math.max(0, count));

  const templates = Array.from({ length: q.templates }, (_, i) => TEMPLATE_NAMES[i] ?? `Notice ${i + 1}`);
  const categories = ['Topics', input.fileCategory, ...TOPICS.map(capital)];
  while (categories.length < q.categories) categories.push(`Topic ${categories.length + 1}`);
  const usedCategories = take(categories, q.categories);
  const specials: PagePlan[] = [
    plan(NS.main, BIG_PAGE_TITLE, 'big'),
    ...templates.map((name) => plan(NS.template, name, 'template')),
    ...take(MODULE_NAMES, q.modules).map((name) => plan(NS.module, name, 'module')),
    ...usedCategories.map((name) => plan(NS.category, name, 'category')),
    ...take(UNICODE_TITLES, q.unicode).map((title) => plan(NS.main, title, 'prose')),
    ...take(HELP_CHAINS.flatMap((chain) => chain.map((_, i) => chain.slice(0, i + 1).join('/'))), q.help).map((t) => plan(NS.help, t, 'prose')),
    ...take(PROJECT_TITLES, q.project).map((title) => plan(NS.project, title, 'prose')),
    ...take(input.users, q.userPages).map((user) => plan(NS.user, user, 'prose', user, user)),
    ...take(input.users, q.userSubpages).map((user) => plan(NS.user, `${user}/Sandbox`, 'prose', user, user)),
    ...take(input.users.slice().reverse(), q.userTalk).map((user) => plan(NS.userTalk, user, 'talk')),
  ];
  for (const special of specials) titles.add(special.namespace, special.title);

  const subpages: PagePlan[] = [];
  for (let i = 0; subpages.length < q.subpages; i++) {
    const root = `${capital(NOUNS[i % NOUNS.length] as string)} guide`;
    const chain = [root, `${root}/${capital(TOPICS[i % TOPICS.length] as string)}`, `${root}/${capital(TOPICS[i % TOPICS.length] as string)}/Part ${i + 1}`];
    for (const title of take(chain, q.subpages - subpages.length)) {
      if (titles.add(NS.main, title)) subpages.push(plan(NS.main, title, 'prose'));
    }
  }

  const articleCount = input.pages - specials.length - subpages.length - q.redirects - q.talk;
  const articles = Array.from({ length: Math.max(0, articleCount) }, () => plan(NS.main, articleTitle(random, titles), 'prose'));
  const prose = [...articles, ...subpages, ...specials.filter((p) => p.kind === 'prose' && p.namespace === NS.main)];
  decorate(random, articles.length > 0 ? articles : prose, templates, usedCategories, input.files);

  const targets = random.shuffle(articles.length > 0 ? articles : prose);
  const redirects: PagePlan[] = [];
  for (let i = 0; redirects.length < q.redirects && targets.length > 0; i++) {
    const target = targets[i % targets.length] as PagePlan;
    const variants = [target.title.replace(/ (\p{Ll})/u, (_, c: string) => ` ${c.toUpperCase()}`), `${target.title} (alias)`, `${target.title} (alias ${i})`];
    const title = variants.find((variant) => variant !== target.title && titles.add(NS.main, variant));
    if (title) redirects.push(plan(NS.main, title, 'redirect', target.title));
  }
  const talk = take(targets, q.talk).map((target) => {
    titles.add(NS.talk, target.title);
    return plan(NS.talk, target.title, 'talk');
  });
  const all = [...articles, ...subpages, ...specials, ...redirects, ...talk];
  // Rounding can leave a gap; fill it with articles so the count is exact.
  while (all.length < input.pages) all.push(plan(NS.main, articleTitle(random, titles), 'prose'));
  return all.slice(0, input.pages);
}

/** Revisions of the big page: small drafts, then a last revision over `bytes` UTF-8 bytes. */
export function bigPageTexts(random: Random, count: number, bytes: number): string[] {
  const texts: string[] = [];
  for (let r = 0; r < count - 1; r++) texts.push(`Draft ${r + 1} of the annals.\n\n${paragraph(random)}`);
  const parts: string[] = ['The complete annals, year by year.'];
  let size = Buffer.byteLength(parts[0] as string);
  for (let year = 1; size <= bytes; year++) {
    const part = `== Year ${year} ==\n${paragraph(random, 8)}\n\n${paragraph(random, 8)}`;
    parts.push(part);
    size += Buffer.byteLength(part) + 2;
  }
  texts.push(parts.join('\n\n'));
  return texts;
}
