import { NS, type GeneratedPage, type GeneratedRevision } from './content-types.js';
import { paragraph } from './page-text.js';
import type { Random } from './prng.js';
import { IMPORTED_PREFIX, IPV6_EDITOR, SYSTEM_AUTHORS } from './vocabulary.js';

/**
 * Shapes that real wiki dumps hold and freshly generated content would not:
 * history imported after the latest revision (latest with parent id 0),
 * edits by MediaWiki's system accounts, IPv6 and imported ("oldwiki>Name")
 * authors, revisions from 2002 on, empty summaries, null revisions in the
 * same second as the edit before them, and pages of the JSON,
 * CSS and JavaScript content models. Applied after the ordinary pages are
 * built, so the page count stays exact.
 */

// Early wiki years: before every ordinary generated edit (those start in 2019).
const EARLY_START = Date.UTC(2002, 0, 1) / 1000;
const EARLY_STEP = 200 * 86_400;

function iso(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Three early revisions by a system account, an IPv6 editor and an imported name, then a known user. */
function earlyHistory(random: Random, page: GeneratedPage, users: readonly string[], index: number): GeneratedRevision[] {
  const start = EARLY_START + index * 3 * 86_400;
  const authors = [SYSTEM_AUTHORS[2], IPV6_EDITOR, `${IMPORTED_PREFIX}>${users[index % users.length]}`, users[(index + 1) % users.length] as string];
  return authors.map((user, i) => ({
    text: `${i === 0 ? 'Converted from the old wiki.' : paragraph(random, 2)}\n\n(${page.title}, early draft ${i + 1})`,
    user,
    timestamp: iso(start + i * EARLY_STEP + random.int(0, 86_400)),
    comment: i === 1 ? '' : random.pick(['Imported from the old wiki', 'early draft', 'Conversion']),
    minor: i === 2,
  }));
}

/** A maintenance script's later touch-up: a new revision right after the latest. */
function maintenanceEdit(page: GeneratedPage): void {
  const last = page.revisions.at(-1)!;
  const at = new Date(last.timestamp).getTime() / 1000 + 3_600;
  page.revisions.push({ text: `${last.text}\n<!-- links updated by a maintenance script -->`, user: SYSTEM_AUTHORS[0], timestamp: iso(at), comment: '', minor: true });
}

/**
 * A protection's null revision: same text, same second as the edit before it, by the sysop who
 * protected the page. MediaWiki's importer takes such a revision for a duplicate unless told apart.
 */
function protectionNullRevision(page: GeneratedPage, sysop: string): void {
  const last = page.revisions.at(-1)!;
  page.revisions.push({
    text: last.text,
    user: sysop,
    timestamp: last.timestamp,
    comment: `Protected "[[${page.title}]]": vandalism ([Edit=Allow only administrators] (indefinite))`,
    minor: true,
  });
}

const MODEL_PAGES: ReadonlyArray<{ title: string; model: 'json' | 'css' | 'javascript'; text: (r: number) => string }> = [
  { title: 'MediaWiki:Ferry-settings.json', model: 'json', text: (r) => `{\n    "version": ${r + 1},\n    "features": ["search", "upload"],\n    "note": "caf\u00e9 \u2713"\n}` },
  { title: 'MediaWiki:Common.css', model: 'css', text: (r) => `/* Site styles, revision ${r + 1} */\n.infobox { float: right; width: ${20 + r}em; }\n` },
  { title: 'MediaWiki:Common.js', model: 'javascript', text: (r) => `/* Site script, revision ${r + 1} */\nmw.hook( 'wikipage.content' ).add( function () { return ${r}; } );\n` },
];

/** Pages of other content models replace the last talk pages (the page count stays the same). */
function modelPages(random: Random, pages: GeneratedPage[]): void {
  const talk = pages.map((p, i) => (p.namespace === NS.talk ? i : -1)).filter((i) => i >= 0);
  MODEL_PAGES.forEach((spec, n) => {
    const slot = talk[talk.length - 1 - n];
    if (slot === undefined) return;
    const count = 2 + (n % 2);
    const revisions = Array.from({ length: count }, (_, r): GeneratedRevision => ({
      text: spec.text(r),
      // The installer writes MediaWiki: pages as "MediaWiki default".
      user: r === 0 ? SYSTEM_AUTHORS[1] : 'Maintenance script',
      timestamp: iso(Date.UTC(2020, n, 1 + r) / 1000 + random.int(0, 3_600)),
      comment: r === 0 ? '' : 'Site configuration',
      minor: false,
    }));
    pages[slot] = { title: spec.title, namespace: NS.mediawiki, model: spec.model, revisions };
  });
}

/**
 * Adds the real-world shapes to generated pages, in place. Deterministic for
 * a given Random; leaves the big page and modules alone.
 */
export function addRealWorldShapes(random: Random, pages: GeneratedPage[], users: readonly string[]): void {
  const prose = pages.filter((p) => (p.namespace === NS.main || p.namespace === NS.talk) && !p.revisions.at(-1)!.text.startsWith('#REDIRECT') && Buffer.byteLength(p.revisions.at(-1)!.text) < 100_000);
  prose.forEach((page, index) => {
    if (index % 20 === 3) {
      page.revisions.unshift(...earlyHistory(random, page, users, index));
      // Only the latest is written first; everything older arrives afterwards.
      page.lateRevisions = page.revisions.length - 1;
    } else if (index % 25 === 7) {
      maintenanceEdit(page);
    } else if (index % 25 === 12) {
      protectionNullRevision(page, users[0] as string);
    }
  });
  for (const page of pages) {
    page.revisions.forEach((revision, i) => {
      if (i > 0 && random.chance(0.04)) revision.comment = '';
    });
  }
  modelPages(random, pages);
}
