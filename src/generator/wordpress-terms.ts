import type { Random } from './prng.js';
import { ADJECTIVES, NOUNS, TOPICS } from './vocabulary.js';
import type { GeneratedTerm } from './wordpress-content-types.js';
import { paragraph, slugify } from './wordpress-text.js';

/** Names outside ASCII, given to a few terms so slugs and names differ in interesting ways. */
const UNICODE_CATEGORIES = ['Café culture', 'Städte & Häfen', 'Ελληνικά', '東京'] as const;
const UNICODE_TAGS = ['naïve art', 'straße', '🚀 launches', '東京タワー', 'שלום', 'crème brûlée'] as const;

const capitalise = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

function uniqueSlug(base: string, used: Set<string>, fallback: string): string {
  let slug = base || fallback;
  for (let n = 2; used.has(slug); n++) slug = `${base || fallback}-${n}`;
  used.add(slug);
  return slug;
}

/**
 * Categories on three levels (about a quarter at the top, the rest below).
 * Two categories share a name under different parents, as WordPress allows;
 * their slugs differ.
 */
export function generateCategories(random: Random, count: number): GeneratedTerm[] {
  const topCount = Math.max(1, Math.round(count * 0.27));
  const secondCount = Math.max(0, Math.min(count - topCount, Math.round(count * 0.4)));
  const slugs = new Set<string>(['uncategorized']);
  const names = new Set<string>();
  const terms: GeneratedTerm[] = [];
  const topics = random.shuffle(TOPICS);
  for (let i = 0; i < count; i++) {
    const level = i < topCount ? 0 : i < topCount + secondCount ? 1 : 2;
    const archive = level === 2 && i >= count - 2;
    // The two 'Archive' categories need different parents: WordPress refuses a name twice under one parent.
    const taken = archive ? terms.find((term) => term.name === 'Archive')?.parentKey : undefined;
    const candidates = terms.filter((term) => depthOf(term, terms) === level - 1 && term.key !== taken);
    const parent = level === 0 || candidates.length === 0 ? undefined : random.pick(candidates);
    let name: string;
    if (level === 0) name = UNICODE_CATEGORIES[i - 2] ?? capitalise(topics[i % topics.length] ?? `Topic ${i}`);
    else if (archive && parent !== undefined) name = 'Archive';
    else name = `${random.pick(ADJECTIVES)} ${random.pick(NOUNS)}`;
    while (names.has(name) && name !== 'Archive') name = `${name} ${random.int(2, 99)}`;
    names.add(name);
    terms.push({
      key: `category-${i + 1}`,
      taxonomy: 'category',
      name,
      slug: uniqueSlug(slugify(name), slugs, `category-${i + 1}`),
      description: random.chance(0.6) ? paragraph(random, random.int(1, 2)) : '',
      ...(parent === undefined ? {} : { parentKey: parent.key }),
    });
  }
  return terms;
}

function depthOf(term: GeneratedTerm, all: readonly GeneratedTerm[]): number {
  let depth = 0;
  for (let parentKey = term.parentKey; parentKey !== undefined; depth++) {
    parentKey = all.find((other) => other.key === parentKey)?.parentKey;
  }
  return depth;
}

/** Flat tags; one has the same name as a category (a different taxonomy, so allowed). */
export function generateTags(random: Random, count: number, categories: readonly GeneratedTerm[]): GeneratedTerm[] {
  const slugs = new Set<string>();
  const names = new Set<string>();
  const tags: GeneratedTerm[] = [];
  const shared = categories[0]?.name;
  for (let i = 0; i < count; i++) {
    let name = UNICODE_TAGS[i - 3] ?? (i === 1 && shared !== undefined ? shared : `${random.pick(ADJECTIVES).toLowerCase()} ${random.pick(NOUNS)}`);
    while (names.has(name)) name = `${name} ${random.int(2, 99)}`;
    names.add(name);
    tags.push({
      key: `tag-${i + 1}`,
      taxonomy: 'post_tag',
      name,
      slug: uniqueSlug(slugify(name), slugs, `tag-${i + 1}`),
      description: random.chance(0.2) ? paragraph(random, 1) : '',
    });
  }
  return tags;
}
