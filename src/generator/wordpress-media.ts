import { buildPdf } from './pdf.js';
import { discPicture } from './png.js';
import type { Random } from './prng.js';
import { ADJECTIVES, NOUNS } from './vocabulary.js';
import type { GeneratedMedia } from './wordpress-content-types.js';
import { dateBetween, paragraph, sentence, slugify } from './wordpress-text.js';

/** Titles and file names outside ASCII, given to the first few images. */
const SPECIAL = [
  { title: 'Café terrace at night', fileName: 'Café terrace.png' },
  { title: 'Straße im Winter', fileName: 'Straße im Winter.png' },
  { title: 'מפה עתיקה', fileName: 'old-map.png' },
  { title: 'Sunset 🌅 over the bay', fileName: 'sunset over the bay.png' },
] as const;


export interface MediaPlan {
  count: number;
  /** Keys of users who may upload. */
  uploaders: readonly string[];
  /** How many posts there will be ('post-1' ... ), to attach some files to. */
  posts: number;
}

const isPdf = (index: number, count: number): boolean => (count >= 2 && index === 1) || (count >= 10 && index === count - 1);

/**
 * Mostly PNG images (a few large enough for WordPress to make medium and large
 * sizes), a PDF or two. Some have alt text, a caption, a description, a parent
 * post; two share a file name and a month, so WordPress renames the second.
 */
export function generateMedia(random: Random, plan: MediaPlan): GeneratedMedia[] {
  const media: GeneratedMedia[] = [];
  for (let i = 0; i < plan.count; i++) {
    const pdf = isPdf(i, plan.count);
    const special = pdf ? undefined : SPECIAL[i - 2];
    const stem = `${random.pick(ADJECTIVES)} ${random.pick(NOUNS)}`;
    const title = special?.title ?? (pdf ? `${stem} report` : stem);
    const duplicate = i === 8 || i === 9;
    const fileName = duplicate ? 'harbour-view.png' : special?.fileName ?? `${slugify(title) || `file-${i + 1}`}-${i + 1}.${pdf ? 'pdf' : 'png'}`;
    const date = duplicate ? `2022-06-1${i - 7}T10:00:00Z` : dateBetween(random, '2019-01-01T00:00:00Z', '2024-12-31T23:59:59Z');
    const large = !pdf && i % 7 === 0;
    const width = large ? 800 : random.int(32, 240);
    const height = large ? 600 : random.int(32, 180);
    const bytes = pdf
      ? buildPdf({ title, lines: Array.from({ length: random.int(3, 8) }, () => sentence(random)) })
      : discPicture(random, width, height);
    const item: GeneratedMedia = {
      key: `media-${i + 1}`,
      fileName,
      mime: pdf ? 'application/pdf' : 'image/png',
      bytes,
      ...(pdf ? {} : { width, height }),
      title,
      authorKey: random.pick(plan.uploaders),
      date,
    };
    if (!pdf && random.chance(0.4)) item.alt = `Picture of a ${stem.toLowerCase()}`;
    if (random.chance(0.25)) item.caption = sentence(random);
    if (random.chance(0.2)) item.description = paragraph(random, 2);
    if (plan.posts > 0 && random.chance(0.3)) item.parentKey = `post-${random.int(1, plan.posts)}`;
    media.push(item);
  }
  return media;
}
