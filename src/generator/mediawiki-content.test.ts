import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WIKI, NS, generateWikiContent, titleText, type GeneratedWiki } from './mediawiki-content.js';
import { IMPORTED_PREFIX, IP_EDITORS, IPV6_EDITOR, SYSTEM_AUTHORS } from './vocabulary.js';
import { xmlEscape, pageXml } from './xml-export.js';

const small = { ...DEFAULT_WIKI, pages: 60, bigPageBytes: 20_000 };

/** A stable digest of the whole description (Buffers as hex), cheaper to compare than deep equality. */
function digest(wiki: GeneratedWiki): string {
  const json = JSON.stringify(wiki, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && (value as { type?: string }).type === 'Buffer'
      ? Buffer.from((value as { data: number[] }).data).toString('hex')
      : value,
  );
  return createHash('sha256').update(json).digest('hex');
}

function revisionCount(wiki: GeneratedWiki): number {
  return wiki.pages.reduce((sum, page) => sum + page.revisions.length, 0);
}

describe('generateWikiContent', () => {
  const wiki = generateWikiContent(DEFAULT_WIKI);

  it('is deterministic for a seed and differs between seeds', () => {
    expect(digest(generateWikiContent(small))).toBe(digest(generateWikiContent(small)));
    expect(digest(generateWikiContent(DEFAULT_WIKI))).toBe(digest(wiki));
    const other = generateWikiContent({ ...small, seed: small.seed + 1 });
    expect(other.pages.map((p) => p.revisions[0]?.text)).not.toEqual(generateWikiContent(small).pages.map((p) => p.revisions[0]?.text));
  });

  it('meets the default acceptance numbers', () => {
    expect(wiki.pages.length).toBeGreaterThanOrEqual(300);
    expect(revisionCount(wiki)).toBeGreaterThanOrEqual(1500);
    expect(wiki.files.length).toBeGreaterThanOrEqual(20);
    expect(wiki.users.length).toBeGreaterThanOrEqual(15);
    expect(wiki.files.some((f) => f.mime === 'application/pdf')).toBe(true);
    expect(wiki.files.filter((f) => f.mime === 'image/png').length).toBeGreaterThanOrEqual(10);
    expect(wiki.files.some((f) => f.olderVersions.length > 0)).toBe(true);
  });

  it('makes exactly the requested number of distinct pages', () => {
    for (const pages of [1, 7, 60, 1000]) {
      const generated = generateWikiContent({ ...DEFAULT_WIKI, pages, bigPageBytes: 1000 });
      expect(generated.pages).toHaveLength(pages);
      expect(new Set(generated.pages.map((p) => `${p.namespace}|${p.title}`)).size).toBe(pages);
    }
  });

  it('covers the kinds of pages a migration must handle', () => {
    const namespaces = new Set(wiki.pages.map((p) => p.namespace));
    for (const ns of Object.values(NS).filter((n) => n !== NS.file)) expect(namespaces).toContain(ns);
    const latest = wiki.pages.map((p) => p.revisions[p.revisions.length - 1]?.text ?? '');
    expect(latest.some((text) => text.startsWith('#REDIRECT [['))).toBe(true);
    expect(latest.some((text) => /\{\{Infobox place/.test(text))).toBe(true);
    expect(latest.some((text) => /\[\[Category:/.test(text))).toBe(true);
    expect(latest.some((text) => /\[\[File:/.test(text))).toBe(true);
    expect(latest.some((text) => text.includes('{{#invoke:Greeting'))).toBe(true);
    const titles = wiki.pages.map((p) => p.title);
    expect(titles.some((t) => /^[^/]+\/[^/]+\/[^/]+$/.test(titleText({ title: t, namespace: 0 })))).toBe(true);
    expect(titles.some((t) => /[\u0590-\u05FF]/.test(t))).toBe(true); // Hebrew
    expect(titles.some((t) => /[\u0600-\u06FF]/.test(t))).toBe(true); // Arabic
    expect(titles.some((t) => /\p{Extended_Pictographic}/u.test(t))).toBe(true);
    const sizes = latest.map((text) => Buffer.byteLength(text));
    expect(sizes.filter((size) => size > 1_100_000)).toHaveLength(1);
  });

  it('writes revisions by generated users in strictly increasing past time', () => {
    const userNames = wiki.users.map((u) => u.name);
    const names = new Set<string>([...userNames, ...IP_EDITORS, ...SYSTEM_AUTHORS, IPV6_EDITOR, ...userNames.map((n) => `${IMPORTED_PREFIX}>${n}`)]);
    const now = new Date().toISOString();
    for (const page of wiki.pages) {
      if (page.namespace !== NS.mediawiki) expect(page.revisions.length).toBeGreaterThanOrEqual(DEFAULT_WIKI.revisionsPerPage.min);
      page.revisions.forEach((revision, index) => {
        expect(names).toContain(revision.user);
        expect(revision.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        expect(revision.timestamp < now).toBe(true);
        const previous = page.revisions[index - 1];
        if (previous) {
          // A protection's null revision repeats the text in the same second; any other revision moves on.
          const nullRevision = revision.text === previous.text && revision.comment.startsWith('Protected');
          expect(nullRevision ? revision.timestamp === previous.timestamp : revision.timestamp > previous.timestamp).toBe(true);
          if (!nullRevision) expect(revision.text).not.toBe(previous.text);
        }
      });
    }
  });

  it('holds the shapes of real dumps: late history, system/IPv6/imported authors, old dates, empty summaries, other content models', () => {
    const late = wiki.pages.filter((p) => (p.lateRevisions ?? 0) > 0);
    expect(late.length).toBeGreaterThanOrEqual(5);
    // Only the latest is written first: it keeps parent id 0 while older revisions exist.
    for (const page of late) expect(page.lateRevisions).toBe(page.revisions.length - 1);
    const authors = new Set(wiki.pages.flatMap((p) => p.revisions.map((r) => r.user)));
    for (const name of [...SYSTEM_AUTHORS, IPV6_EDITOR]) expect(authors).toContain(name);
    expect([...authors].some((a) => a.startsWith(`${IMPORTED_PREFIX}>`))).toBe(true);
    const stamps = wiki.pages.flatMap((p) => p.revisions.map((r) => r.timestamp));
    expect(stamps.some((t) => t < '2003-01-01')).toBe(true);
    expect(wiki.pages.some((p) => p.revisions.some((r, i) => i > 0 && r.comment === ''))).toBe(true);
    const sameSecond = wiki.pages.filter((p) => p.revisions.some((r, i) => i > 0 && r.timestamp === p.revisions[i - 1]!.timestamp && r.text === p.revisions[i - 1]!.text));
    expect(sameSecond.length).toBeGreaterThanOrEqual(3);
    expect(wiki.pages.filter((p) => p.model).map((p) => p.model).sort()).toEqual(['css', 'javascript', 'json']);
    expect(wiki.pages.map((p) => p.title)).toEqual(expect.arrayContaining(['AT&T history', 'What is "quoted"?']));
    const lateXml = pageXml(late[0]!, 'late');
    expect(lateXml.match(/<revision>/g)).toHaveLength(late[0]!.lateRevisions!);
    expect(pageXml(late[0]!, 'current').match(/<revision>/g)).toHaveLength(1);
    const json = wiki.pages.find((p) => p.model === 'json')!;
    expect(pageXml(json)).toContain('<model>json</model>');
    expect(() => JSON.parse(json.revisions.at(-1)!.text)).not.toThrow();
  });

  it('puts users in groups, including the custom one', () => {
    const groups = new Set(wiki.users.flatMap((u) => u.groups));
    for (const group of ['sysop', 'bureaucrat', 'bot', 'interface-admin', 'reviewer']) expect(groups).toContain(group);
    expect(new Set(wiki.users.map((u) => u.name)).size).toBe(wiki.users.length);
  });

  it('leaves out Module: pages without Scribunto', () => {
    const plain = generateWikiContent({ ...small, scribunto: false });
    expect(plain.pages.some((p) => p.namespace === NS.module)).toBe(false);
    expect(plain.pages.some((p) => p.revisions.some((r) => r.text.includes('#invoke')))).toBe(false);
  });

  it('makes real PNG and PDF files', () => {
    for (const file of wiki.files) {
      for (const bytes of [...file.olderVersions, file.bytes]) {
        expect(bytes.equals(file.bytes) && bytes !== file.bytes).toBe(false);
        if (file.mime === 'image/png') {
          expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
          const width = bytes.readUInt32BE(16);
          const height = bytes.readUInt32BE(20);
          const idatLength = bytes.readUInt32BE(33);
          expect(bytes.subarray(37, 41).toString('ascii')).toBe('IDAT');
          expect(inflateSync(bytes.subarray(41, 41 + idatLength))).toHaveLength((width * 3 + 1) * height);
        } else if (file.mime === 'application/pdf') {
          const text = bytes.toString('latin1');
          expect(text.startsWith('%PDF-1.4')).toBe(true);
          const xref = Number(/startxref\n(\d+)/.exec(text)?.[1]);
          expect(text.slice(xref, xref + 4)).toBe('xref');
          expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
        }
      }
    }
  });
});

describe('XML export', () => {
  it('escapes markup, quotes and characters XML cannot hold', () => {
    expect(xmlEscape(`a<b>&"c"'d'\r`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;&#13;');
    expect(xmlEscape('bell\u0007 and lone \uD800 surrogate')).toBe('bell\uFFFD and lone \uFFFD surrogate');
    expect(xmlEscape('שלום 😀')).toBe('שלום 😀');
  });

  it('writes contributors, flags and models', () => {
    const xml = pageXml({
      title: 'Module:X',
      namespace: NS.module,
      revisions: [
        { text: 'return {}', user: '192.0.2.17', timestamp: '2020-01-01T00:00:00Z', comment: '', minor: false },
        { text: 'return { a = "<b>" }', user: 'Alice', timestamp: '2020-01-02T00:00:00Z', comment: 'x & y', minor: true },
      ],
    });
    expect(xml).toContain('<ip>192.0.2.17</ip>');
    expect(xml).toContain('<username>Alice</username>');
    expect(xml).toContain('<minor/>');
    expect(xml).toContain('<comment>x &amp; y</comment>');
    expect(xml).toContain('<model>Scribunto</model>');
    expect(xml).toContain('return { a = &quot;&lt;b&gt;&quot; }');
  });
});
