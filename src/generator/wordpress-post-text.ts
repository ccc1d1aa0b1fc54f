/** Bodies of generated posts and pages: block markup or classic HTML, with links and images as tokens. */
import type { Random } from './prng.js';
import { CONTENT_TOKENS, type GeneratedMedia } from './wordpress-content-types.js';
import {
  classicParagraphs,
  escapeHtml,
  headingBlock,
  imageBlock,
  listBlock,
  paragraph,
  paragraphBlock,
  postLink,
  quoteBlock,
  sentence,
} from './wordpress-text.js';

export interface BodyContext {
  /** Images that may appear inline. */
  images: readonly GeneratedMedia[];
  /** Keys of posts and pages that may be linked to. */
  linkable: readonly string[];
  /** Links to put in the text (child pages, for instance), besides random ones. */
  extraLinks?: readonly { key: string; text: string }[];
}

function linksFor(random: Random, context: BodyContext): { key: string; text: string }[] {
  const links = [...(context.extraLinks ?? [])];
  if (context.linkable.length > 0 && random.chance(0.55)) {
    for (let n = random.int(1, 2); n > 0; n--) links.push({ key: random.pick(context.linkable), text: 'see also' });
  }
  return links;
}

/** A paragraph with the given links woven in. */
function linkedParagraph(random: Random, links: readonly { key: string; text: string }[]): string {
  const parts = [escapeHtml(paragraph(random, 2))];
  for (const link of links) parts.push(`${postLink(random, link.key, link.text)}: ${escapeHtml(sentence(random))}`);
  return parts.join(' ');
}

/** Gutenberg content: heading, paragraphs, maybe an image, list, quote or gallery. */
export function blockBody(random: Random, context: BodyContext): string {
  const blocks: string[] = [];
  if (random.chance(0.5)) blocks.push(headingBlock(sentence(random).replace(/\.$/, '')));
  for (let n = random.int(2, 4); n > 0; n--) blocks.push(paragraphBlock(escapeHtml(paragraph(random))));
  const links = linksFor(random, context);
  if (links.length > 0) blocks.splice(1, 0, paragraphBlock(linkedParagraph(random, links)));
  if (context.images.length > 0 && random.chance(0.45)) {
    const image = random.pick(context.images);
    blocks.splice(random.int(0, blocks.length), 0, imageBlock(image.key, image.alt ?? '', image.caption));
  }
  if (random.chance(0.2)) blocks.push(listBlock(Array.from({ length: random.int(2, 5) }, () => escapeHtml(sentence(random)))));
  if (random.chance(0.1)) blocks.push(quoteBlock(sentence(random), 'A local legend'));
  if (context.images.length >= 3 && random.chance(0.06)) blocks.push(galleryBlock(random.shuffle(context.images).slice(0, 3)));
  return blocks.join('\n\n');
}

function galleryBlock(images: readonly GeneratedMedia[]): string {
  const inner = images.map((image) => imageBlock(image.key, image.alt ?? ''));
  return `<!-- wp:gallery {"linkTo":"none"} -->\n<figure class="wp-block-gallery has-nested-images columns-default is-cropped">${inner.join('\n')}</figure>\n<!-- /wp:gallery -->`;
}

/** Classic-editor HTML: bare paragraphs, inline <img>, [caption] and [gallery] shortcodes. */
export function classicBody(random: Random, context: BodyContext): string {
  const parts = classicParagraphs(random, random.int(2, 4)).map(escapeHtml);
  const links = linksFor(random, context);
  if (links.length > 0) parts.splice(1, 0, linkedParagraph(random, links));
  if (context.images.length > 0 && random.chance(0.4)) {
    const image = random.pick(context.images);
    const id = CONTENT_TOKENS.id(image.key);
    const size = image.width === undefined ? '' : ` width="${image.width}" height="${image.height}"`;
    const img = `<img class="alignnone size-full wp-image-${id}" src="${CONTENT_TOKENS.file(image.key)}" alt="${escapeHtml(image.alt ?? '')}"${size} />`;
    parts.splice(
      random.int(0, parts.length),
      0,
      image.caption === undefined
        ? img
        : `[caption id="attachment_${id}" align="alignnone" width="${image.width ?? 100}"]${img} ${escapeHtml(image.caption)}[/caption]`,
    );
  }
  if (context.images.length >= 3 && random.chance(0.06)) {
    parts.push(`[gallery ids="${random.shuffle(context.images).slice(0, 3).map((image) => CONTENT_TOKENS.id(image.key)).join(',')}"]`);
  }
  return parts.join('\n\n');
}

/** Earlier versions of a body: plain paragraphs, each a little longer than the last. */
export function history(random: Random, versions: number): string[] {
  const result: string[] = [];
  let text = paragraphBlock(escapeHtml(paragraph(random, 2)));
  for (let n = 0; n < versions; n++) {
    result.push(text);
    text = `${text}\n\n${paragraphBlock(escapeHtml(paragraph(random, 2)))}`;
  }
  return result;
}
