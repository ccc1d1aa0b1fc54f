import {
  NS,
  type GeneratedPage,
  type GeneratedWiki,
  type WikiContentOptions,
} from './content-types.js';
import { FILE_CATEGORY, generateFiles } from './files.js';
import { bigPageTexts, planTitles, type PagePlan } from './page-plan.js';
import { articleFrame, moduleText, paragraph, signature, templateText } from './page-text.js';
import { createRandom, type Random } from './prng.js';
import { buildRevisions, evolveProse, type AuthorPolicy } from './revisions.js';
import { addRealWorldShapes } from './real-world.js';
import { generateUsers } from './users.js';

export * from './content-types.js';

/** Meets the acceptance numbers: 300+ pages, 1,500+ revisions, 20+ files, 15+ users. */
export const DEFAULT_WIKI: WikiContentOptions = {
  seed: 20_240_601,
  pages: 320,
  revisionsPerPage: { min: 3, max: 8 },
  users: 16,
  files: 22,
  bigPageBytes: 1_100_000,
  scribunto: true,
};

function revisionCount(random: Random, options: WikiContentOptions): number {
  const { min, max } = options.revisionsPerPage;
  return random.int(Math.max(1, min), Math.max(1, min, max));
}

function prosePage(random: Random, plan: PagePlan, count: number, policy: AuthorPolicy): GeneratedPage {
  const frame = articleFrame(plan.decorations);
  return { title: plan.title, namespace: plan.namespace, revisions: buildRevisions(random, evolveProse(random, count, frame), policy) };
}

function talkPage(random: Random, plan: PagePlan, count: number, policy: AuthorPolicy): GeneratedPage {
  const revisions = buildRevisions(random, Array.from({ length: count }, () => ''), policy);
  let text = '';
  revisions.forEach((revision, index) => {
    // Each revision adds a signed comment, as a talk page grows.
    const heading = index === 0 || random.chance(0.3) ? `== ${paragraph(random, 1).slice(0, 40).trim()} ==\n` : '';
    text = `${text}${text ? '\n\n' : ''}${heading}${paragraph(random, 2)} ${signature(revision.user, revision.timestamp)}`;
    revision.text = text;
  });
  return { title: plan.title, namespace: plan.namespace, revisions };
}

function fixedTextPage(
  random: Random,
  plan: PagePlan,
  count: number,
  policy: AuthorPolicy,
  textAt: (revision: number) => string,
): GeneratedPage {
  const texts = Array.from({ length: count }, (_, r) => textAt(r));
  return { title: plan.title, namespace: plan.namespace, revisions: buildRevisions(random, texts, policy) };
}

function buildPage(random: Random, plan: PagePlan, options: WikiContentOptions, users: readonly string[]): GeneratedPage {
  const count = revisionCount(random, options);
  const policy: AuthorPolicy = { users, owner: plan.owner, ipChance: plan.namespace === NS.main ? 0.02 : 0 };
  const scribunto = options.scribunto ?? true;
  switch (plan.kind) {
    case 'template':
      return fixedTextPage(random, plan, count, policy, (r) => templateText(plan.subject, scribunto, r));
    case 'module':
      return fixedTextPage(random, plan, count, policy, (r) => moduleText(plan.subject, r));
    case 'redirect':
      return fixedTextPage(random, plan, count, policy, (r) =>
        r === count - 1 || r % 2 === 1
          ? `#REDIRECT [[${plan.subject}]]\n\n[[Category:Redirects]]\n<!-- checked in revision ${r + 1} -->`
          : paragraph(random),
      );
    case 'category':
      return fixedTextPage(random, plan, count, policy, (r) =>
        `Pages about ${plan.subject.toLowerCase()}.${r > 0 ? ` ${paragraph(random, r)}` : ''}${plan.subject === 'Topics' ? '' : '\n\n[[Category:Topics]]'}`,
      );
    case 'talk':
      return talkPage(random, plan, count, policy);
    case 'big': {
      const texts = bigPageTexts(random, count, options.bigPageBytes ?? 1_100_000);
      return { title: plan.title, namespace: plan.namespace, revisions: buildRevisions(random, texts, policy) };
    }
    case 'prose':
      return prosePage(random, plan, count, policy);
  }
}

/**
 * Describes a whole wiki from a seed: same options, same output, byte for byte.
 *
 * @example
 * const wiki = generateWikiContent({ ...DEFAULT_WIKI, pages: 1000 });
 */
export function generateWikiContent(options: WikiContentOptions): GeneratedWiki {
  if (options.pages < 1 || options.users < 1) throw new Error('need at least one page and one user');
  const root = createRandom(options.seed);
  const users = generateUsers(root.fork('users'), options.users);
  const names = users.map((user) => user.name);
  const files = generateFiles(root.fork('files'), options.files, names.slice(0, Math.min(3, names.length)));
  const plans = planTitles(root.fork('titles'), {
    pages: options.pages,
    users: names,
    files: files.map((file) => file.name),
    scribunto: options.scribunto ?? true,
    fileCategory: FILE_CATEGORY,
  });
  const pageRandom = root.fork('pages');
  const pages = plans.map((plan) => buildPage(pageRandom.fork(`${plan.namespace}:${plan.title}`), plan, options, names));
  addRealWorldShapes(root.fork('real-world'), pages, names);
  return { users, pages, files };
}
