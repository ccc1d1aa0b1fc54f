/** Text building blocks for generated WordPress content: dates, slugs, HTML and block markup. */
import { paragraph, sentence } from './page-text.js';
import type { Random } from './prng.js';
import { CONTENT_TOKENS } from './wordpress-content-types.js';

export { paragraph, sentence };

/** ISO 8601 UTC without milliseconds, as the generated descriptions carry dates. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A whole-second time between two ISO dates. */
export function dateBetween(random: Random, from: string, to: string): string {
  const start = Date.parse(from) / 1000;
  const end = Date.parse(to) / 1000;
  return isoDate(random.int(start, Math.max(start, end)) * 1000);
}

/** Adds whole seconds to an ISO date. */
export function addSeconds(iso: string, seconds: number): string {
  return isoDate(Date.parse(iso) + seconds * 1000);
}

/** An ASCII slug ('' when nothing Latin is left, e.g. for Hebrew or Japanese text). */
export function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export const paragraphBlock = (html: string): string => `<!-- wp:paragraph -->\n<p>${html}</p>\n<!-- /wp:paragraph -->`;

export const headingBlock = (text: string): string =>
  `<!-- wp:heading -->\n<h2>${escapeHtml(text)}</h2>\n<!-- /wp:heading -->`;

export const listBlock = (items: readonly string[]): string =>
  `<!-- wp:list -->\n<ul>${items.map((item) => `<!-- wp:list-item -->\n<li>${item}</li>\n<!-- /wp:list-item -->`).join('\n')}</ul>\n<!-- /wp:list -->`;

export const quoteBlock = (text: string, cite: string): string =>
  `<!-- wp:quote -->\n<blockquote class="wp-block-quote"><!-- wp:paragraph -->\n<p>${escapeHtml(text)}</p>\n<!-- /wp:paragraph --><cite>${escapeHtml(cite)}</cite></blockquote>\n<!-- /wp:quote -->`;

/** An image block pointing at a media item's file, with the wp-image-ID class the editor writes. */
export function imageBlock(mediaKey: string, alt: string, caption?: string): string {
  const id = CONTENT_TOKENS.id(mediaKey);
  const img = `<img src="${CONTENT_TOKENS.file(mediaKey)}" alt="${escapeHtml(alt)}" class="wp-image-${id}"/>`;
  const figcaption = caption === undefined ? '' : `<figcaption class="wp-element-caption">${escapeHtml(caption)}</figcaption>`;
  return `<!-- wp:image {"id":${id},"sizeSlug":"full","linkDestination":"none"} -->\n<figure class="wp-block-image size-full">${img}${figcaption}</figure>\n<!-- /wp:image -->`;
}

/** A link in the form WordPress writes for ?p=ID, or the permalink. */
export function postLink(random: Random, postKey: string, text: string): string {
  const href = random.chance(0.5) ? `${CONTENT_TOKENS.site}/?p=${CONTENT_TOKENS.id(postKey)}` : CONTENT_TOKENS.link(postKey);
  return `<a href="${href}">${escapeHtml(text)}</a>`;
}

/** Classic-editor HTML: paragraphs separated by blank lines (wpautop adds the <p>s on display). */
export function classicParagraphs(random: Random, count: number): string[] {
  return Array.from({ length: count }, () => paragraph(random));
}

/** A few sentences with some inline markup, for comments. */
export function commentText(random: Random): string {
  const text = Array.from({ length: random.int(1, 3) }, () => sentence(random)).join(' ');
  if (random.chance(0.15)) return `<em>${text}</em>`;
  if (random.chance(0.1)) return `${text} 👍`;
  return text;
}
