import type { GeneratedRevision } from './content-types.js';
import { paragraph, sentence } from './page-text.js';
import type { Random } from './prng.js';
import { IP_EDITORS, SUMMARIES } from './vocabulary.js';

// Every generated edit falls between these instants, well in the past.
const FIRST_EDIT = Date.UTC(2019, 0, 1) / 1000;
const LAST_EDIT = Date.UTC(2024, 11, 31) / 1000;
const MAX_STEP = 30 * 86_400;
const MIN_STEP = 60;

export function isoSeconds(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `count` strictly increasing timestamps, at least a minute apart. */
export function timeline(random: Random, count: number): string[] {
  const latestStart = LAST_EDIT - count * MIN_STEP;
  const start = FIRST_EDIT + random.int(0, Math.max(0, Math.floor((latestStart - FIRST_EDIT) * 0.7)));
  const stepMax = Math.max(MIN_STEP, Math.min(MAX_STEP, Math.floor((LAST_EDIT - start) / Math.max(1, count))));
  const stamps: string[] = [];
  let at = start;
  for (let i = 0; i < count; i++) {
    if (i > 0) at += random.int(MIN_STEP, stepMax);
    stamps.push(isoSeconds(at));
  }
  return stamps;
}

export interface AuthorPolicy {
  users: readonly string[];
  /** The page's owner (User: pages) makes most of the edits. */
  owner?: string;
  /** Chance that a later revision comes from an anonymous IP. */
  ipChance?: number;
}

function author(random: Random, policy: AuthorPolicy, index: number): string {
  if (policy.owner !== undefined && (index === 0 || random.chance(0.8))) return policy.owner;
  if (index > 0 && random.chance(policy.ipChance ?? 0)) return random.pick(IP_EDITORS);
  // Early users edit more, as on real wikis.
  const skewed = Math.floor(random.next() ** 2 * policy.users.length);
  return policy.users[skewed] ?? random.pick(policy.users);
}

/** Wraps texts (oldest first) into revisions with authors, times, summaries and minor flags. */
export function buildRevisions(random: Random, texts: readonly string[], policy: AuthorPolicy): GeneratedRevision[] {
  const stamps = timeline(random, texts.length);
  return texts.map((text, index) => ({
    text,
    user: author(random, policy, index),
    timestamp: stamps[index] as string,
    comment: index === 0 ? random.pick(['Initial version', 'Created page', 'New page']) : random.pick(SUMMARIES),
    minor: index > 0 && random.chance(0.3),
  }));
}

/** Revision texts of a prose page: each one adds, rewrites or extends a paragraph. */
export function evolveProse(
  random: Random,
  count: number,
  frame: { header: string; footer: string },
): string[] {
  const sections: string[] = [paragraph(random)];
  const texts: string[] = [];
  for (let r = 0; r < count; r++) {
    if (r > 0) {
      const target = random.int(0, sections.length - 1);
      const operation = random.int(0, 2);
      if (operation === 0) {
        const heading = random.chance(0.4) ? `== Section ${sections.length + 1} ==\n` : '';
        sections.push(`${heading}${paragraph(random)}`);
      } else if (operation === 1) {
        sections[target] = paragraph(random);
      } else {
        sections[target] = `${sections[target]} ${sentence(random)}`;
      }
    }
    let text = [frame.header, ...sections, frame.footer].filter((part) => part !== '').join('\n\n');
    // Two draws can produce the same text; a revision must differ from the one before.
    if (text === texts[texts.length - 1]) {
      sections.push(`Note ${r + 1}: ${sentence(random)}`);
      text = [frame.header, ...sections, frame.footer].filter((part) => part !== '').join('\n\n');
    }
    texts.push(text);
  }
  return texts;
}
