import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { WikiInstance } from '../../harness/mediawiki.js';

/**
 * Content for the MediaWiki connector's integration test, made through
 * MediaWiki's own maintenance scripts and one anonymous API edit: users in
 * groups, pages with several revisions by several people, a 1 MB page,
 * Unicode and right-to-left titles, a template, a category, a redirect, a
 * Lua module, and files (one with an older version, one over the target's
 * upload limit).
 */

/** A group only the source defines (the target lacks it: a warning, not a failure). */
export const SOURCE_ONLY_GROUP = 'translator';

export const FIXTURE_USERS: ReadonlyArray<{ name: string; groups: readonly string[] }> = [
  { name: 'Alice', groups: [] },
  { name: 'Bob', groups: ['sysop'] },
  { name: 'Carol', groups: ['reviewer'] },
  { name: 'Dave', groups: [SOURCE_ONLY_GROUP] },
];

export const FIXTURE = {
  bigPage: 'Big page',
  unicodePage: 'Ünïcødé ✓ 日本語 🚀',
  rtlPage: 'שלום עולם',
  template: 'Template:Greeting',
  category: 'Category:Things',
  module: 'Module:Hello',
  files: { logo: 'Logo.png', icon: 'Icon.gif', big: 'Big.pdf' },
  /** Written today, then given older history by importDump: its latest revision has parent id 0. */
  lateHistory: 'Late history',
  /** An edit and a null revision (same text) saved in the same second, as uploads and protections make them. */
  sameSecond: 'Same second',
} as const;

/**
 * Older revisions imported into FIXTURE.lateHistory after its latest one was
 * written, as real wikis get them (merged histories, a dump imported later):
 * a reserved system account, an IP, a name imported from another wiki, a
 * carried user, an empty summary, a timestamp from 2003.
 */
export const LATE_REVISIONS = [
  { timestamp: '2003-02-01T10:00:00Z', contributor: '<username>Conversion script</username>', comment: 'Converted from the old wiki', text: 'Oldest text' },
  { timestamp: '2004-03-02T11:00:00Z', contributor: '<ip>10.1.2.3</ip>', comment: '', text: 'Oldest text, by an IP' },
  { timestamp: '2005-04-03T12:00:00Z', contributor: '<username>oldwiki>Zed</username>', comment: 'from oldwiki', text: 'Oldest text, by Zed' },
  { timestamp: '2006-05-04T13:00:00Z', contributor: '<username>Bob</username>', comment: 'Bob in 2006', text: 'Text of 2006' },
] as const;

/** Odd text: RTL marks, emoji, combining marks, markup-looking characters and `]]>`. */
export const ODD_TEXT = [
  'Mixed: English עברית العربية 日本語 🚀👩‍👩‍👧 e\u0301 \u200Fright-to-left mark\u200E',
  '<b>not markup</b> &amp; & ]]> <![CDATA[ x ]]> "quotes" \'single\'',
  'Tabs\tand\u00A0non-breaking spaces, zero\u200Bwidth',
].join('\n');

const PASSWORD = 'Fixture-Password-1234!';

export async function fillSource(wiki: WikiInstance): Promise<void> {
  for (const user of FIXTURE_USERS) {
    const groups = user.groups.filter((g) => g !== 'sysop');
    const args = [...(user.groups.includes('sysop') ? ['--sysop'] : []), ...(groups.length ? [`--custom-groups=${groups.join(',')}`] : []), user.name, PASSWORD];
    await wiki.php('createAndPromote.php', args);
  }
  const edit = (title: string, user: string, text: string, summary: string, minor = false) =>
    wiki.php('edit.php', ['--user', user, '--summary', summary, ...(minor ? ['--minor'] : []), title], { input: text });

  await edit('Test page', 'Alice', "Hello '''world''' v1", 'first version');
  await edit('Test page', 'Bob', 'Hello world v2 [[Category:Things]] {{Greeting|you}}', 'second version', true);
  await anonymousEdit(wiki, 'Test page', 'Hello world v3, by an IP [[Category:Things]] {{Greeting}}', 'anonymous change');
  await edit('Test page', 'Carol', 'Hello world v4 [[Category:Things]] {{Greeting|all}}', 'fourth version');
  await edit('Talk:Test page', 'Dave', 'Talk about it. ~~~~', 'talk');
  await edit(FIXTURE.template, 'Alice', 'Hi {{{1|there}}}!', 'template');
  await edit(FIXTURE.template, 'Bob', 'Hello {{{1|there}}}!<noinclude>[[Category:Templates]]</noinclude>', 'template v2');
  await edit(FIXTURE.category, 'Bob', 'Things we talk about.', 'category');
  // Namespace 4 is named after the site: "Source Wiki:About" here, "Target Wiki:About" there.
  await edit('Project:About', 'Bob', 'About this wiki.', 'project page');
  await edit('Redir', 'Alice', '#REDIRECT [[Test page]]', 'redirect');
  await edit(FIXTURE.module, 'Alice', 'local p = {}\nfunction p.hello() return "Hello" end\nreturn p\n', 'module');
  await edit(FIXTURE.unicodePage, 'Carol', ODD_TEXT, 'unicode ✓ summary <&>');
  await edit(FIXTURE.rtlPage, 'Dave', 'טקסט בעברית עם [[Test page|קישור]]', 'עריכה');
  await edit(FIXTURE.rtlPage, 'Alice', 'טקסט בעברית עם [[Test page|קישור]] ועוד', 'עריכה שנייה');
  // About 1 MB per revision, three revisions: more than the target accepts in one upload.
  for (const [i, user] of ['Alice', 'Bob', 'Carol'].entries()) {
    await edit(FIXTURE.bigPage, user, bigText(i), `big v${i + 1}`);
  }
  // Kinds Ferry names as not carried: a deleted page (archived revisions) and a protected page.
  await edit('Deleted page', 'Alice', 'Soon gone', 'to be deleted');
  await wiki.php('deleteBatch.php', ['-r', 'fixture'], { input: 'Deleted page\n' });
  await wiki.php('protect.php', ['-r', 'fixture', FIXTURE.template]);
  await edit(FIXTURE.lateHistory, 'Alice', 'Current text, written first', 'latest, written before its history arrived');
  await importLateHistory(wiki);
  await uploadFiles(wiki);
}

async function importLateHistory(wiki: WikiInstance): Promise<void> {
  const revisions = LATE_REVISIONS.map((r) =>
    [
      '<revision>',
      `<timestamp>${r.timestamp}</timestamp>`,
      `<contributor>${r.contributor}</contributor>`,
      r.comment ? `<comment>${r.comment}</comment>` : '',
      '<model>wikitext</model><format>text/x-wiki</format>',
      `<text xml:space="preserve">${r.text}</text>`,
      '</revision>',
    ].join(''),
  );
  const same = ['Alice', 'Bob'].map(
    (user, i) =>
      `<revision><timestamp>2021-06-01T12:00:00Z</timestamp><contributor><username>${user}</username></contributor><comment>${i === 0 ? 'edit' : 'null revision'}</comment><model>wikitext</model><format>text/x-wiki</format><text xml:space="preserve">Same text twice</text></revision>`,
  );
  const xml = `<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="en"><page><title>${FIXTURE.lateHistory}</title><ns>0</ns>${revisions.join('')}</page><page><title>${FIXTURE.sameSecond}</title><ns>0</ns>${same.join('')}</page></mediawiki>\n`;
  const dir = await mkdtemp(join(tmpdir(), 'ferry-fixture-xml-'));
  try {
    await writeFile(join(dir, 'late.xml'), xml);
    await wiki.php('importDump.php', [join(dir, 'late.xml')]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function bigText(version: number): string {
  const line = `Line of the big page, version ${version}: lorem ipsum dolor sit amet, consectetur adipiscing elit. äöü €\n`;
  return line.repeat(Math.ceil(1_000_000 / Buffer.byteLength(line)));
}

async function anonymousEdit(wiki: WikiInstance, title: string, text: string, summary: string): Promise<void> {
  const body = new URLSearchParams({ action: 'edit', format: 'json', title, text, summary, token: '+\\' });
  const response = await fetch(wiki.apiUrl, { method: 'POST', body });
  const result = (await response.json()) as { edit?: { result?: string } };
  if (result.edit?.result !== 'Success') throw new Error(`anonymous edit failed: ${JSON.stringify(result)}`);
}

/** A valid 1x1 PNG of one colour. */
export function png(r: number, g: number, b: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const pixels = deflateSync(Buffer.from([0, r, g, b]));
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([signature, pngChunk('IHDR', header), pngChunk('IDAT', pixels), pngChunk('IEND', Buffer.alloc(0))]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** The classic 1x1 transparent GIF. */
const GIF = 'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

/** A PDF-looking file of about 1.6 MB (no PDF handler is loaded, so only its magic bytes matter). */
function bigPdf(): Buffer {
  return Buffer.concat([Buffer.from('%PDF-1.4\n%'), Buffer.alloc(1_600_000, 'a'), Buffer.from('\n%%EOF\n')]);
}

async function uploadFiles(wiki: WikiInstance): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-fixture-files-'));
  try {
    const put = async (name: string, bytes: Buffer, user: string, overwrite = false) => {
      const sub = await mkdtemp(join(dir, 'one-'));
      await writeFile(join(sub, name), bytes);
      await wiki.php('importImages.php', [`--user=${user}`, `--comment=Uploaded ${name} by ${user}`, '--extensions=png,gif,pdf', ...(overwrite ? ['--overwrite'] : []), sub]);
    };
    await put(FIXTURE.files.logo, png(255, 0, 0), 'Alice');
    await put(FIXTURE.files.logo, png(0, 0, 255), 'Bob', true);
    await put(FIXTURE.files.icon, Buffer.from(GIF, 'base64'), 'Carol');
    await put(FIXTURE.files.big, bigPdf(), 'Dave');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
