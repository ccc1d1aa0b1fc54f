import type { GeneratedFile } from './content-types.js';
import { buildPdf } from './pdf.js';
import { discPicture } from './png.js';
import type { Random } from './prng.js';
import { ADJECTIVES, NOUNS } from './vocabulary.js';

/** Category every generated file description puts its file in. */
export const FILE_CATEGORY = 'Media files';

type Kind = 'png' | 'pdf' | 'svg';

/** A deterministic picture of a random size, different per seed. */
function picture(random: Random): Buffer {
  return discPicture(random, random.int(24, 240), random.int(24, 180));
}

function document(random: Random, title: string, version: number): Buffer {
  return buildPdf({
    title,
    lines: [`Version ${version}`, ...Array.from({ length: random.int(3, 8) }, (_, i) => `Line ${i + 1}: ${random.int(0, 1e6)}`)],
  });
}

function drawing(random: Random, version: number): Buffer {
  const size = random.int(40, 200);
  const svg = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">
  <rect width="${size}" height="${size}" fill="#${random.int(0, 0xffffff).toString(16).padStart(6, '0')}"/>
  <circle cx="${size / 2}" cy="${size / 2}" r="${Math.floor(size / 3)}" fill="#${random.int(0, 0xffffff).toString(16).padStart(6, '0')}"/>
  <text x="4" y="${size - 6}" font-size="10">v${version}</text>
</svg>
`;
  return Buffer.from(svg, 'utf8');
}

const MIME: Record<Kind, string> = { png: 'image/png', pdf: 'application/pdf', svg: 'image/svg+xml' };

// A few names outside ASCII, to test titles of files too.
const SPECIAL_NAMES = ['Café terrace', 'מפה עתיקה', 'Straße im Winter'];

function kindOf(index: number, count: number): Kind {
  if (count >= 2 && index === 1) return 'pdf';
  if (count >= 10 && index === count - 1) return 'pdf';
  if (count >= 5 && index === 3) return 'svg';
  return 'png';
}

function render(random: Random, kind: Kind, name: string, version: number): Buffer {
  if (kind === 'pdf') return document(random, name, version);
  if (kind === 'svg') return drawing(random, version);
  return picture(random);
}

/**
 * `count` files: mostly PNGs, a PDF or two and an SVG. Every fourth file has an
 * older version, and the third has two, so tests can see version history.
 */
export function generateFiles(random: Random, count: number, uploaders: readonly string[]): GeneratedFile[] {
  const used = new Set<string>();
  const files: GeneratedFile[] = [];
  for (let i = 0; i < count; i++) {
    const kind = kindOf(i, count);
    let stem = SPECIAL_NAMES[i - 5] ?? `${random.pick(ADJECTIVES)} ${random.pick(NOUNS)}`;
    while (used.has(stem)) stem = `${stem} ${random.int(2, 99)}`;
    used.add(stem);
    const name = `${stem}.${kind}`;
    const olderCount = i === 2 ? 2 : i % 4 === 0 ? 1 : 0;
    const versions = Array.from({ length: olderCount + 1 }, (_, v) => render(random, kind, stem, v + 1));
    const bytes = versions.pop() as Buffer;
    const user = uploaders[i % uploaders.length] as string;
    files.push({
      name,
      bytes,
      mime: MIME[kind],
      description: `== Summary ==\n${kind === 'pdf' ? 'A generated document' : 'A generated picture'} of ${stem}.\n\n== Licensing ==\nPublic domain.\n\n[[Category:${FILE_CATEGORY}]]`,
      user,
      olderVersions: versions,
    });
  }
  return files;
}
