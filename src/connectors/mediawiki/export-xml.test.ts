import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildExportXml, escapeXmlText, sanitizeXmlChars, sha1Base36, xmlHeader, xmlPage, type XmlRevision } from './export-xml.js';

const revision: XmlRevision = {
  timestamp: '2024-01-31T12:00:00Z',
  contributor: { kind: 'user', name: 'Alice' },
  comment: 'first',
  minor: false,
  model: 'wikitext',
  format: 'text/x-wiki',
  text: 'Hello',
};

const hasPhp = (() => {
  try {
    execFileSync('php', ['-r', 'exit(class_exists("XMLReader") ? 0 : 1);']);
    return true;
  } catch {
    return false;
  }
})();

/** Reads the titles and texts back with PHP's XMLReader, the parser MediaWiki's importer uses. */
function readWithXmlReader(xml: string): string[] {
  const script = `
    $r = new XMLReader(); $r->XML(stream_get_contents(STDIN), null, LIBXML_PARSEHUGE); $out = [];
    while ($r->read()) { if ($r->nodeType === XMLReader::ELEMENT && in_array($r->localName, ['title', 'text', 'comment', 'username'])) { $out[] = $r->readString(); } }
    echo json_encode($out);`;
  return JSON.parse(execFileSync('php', ['-r', script], { input: xml }).toString()) as string[];
}

/** Undoes our escaping, to check that text survives the trip. */
function unescape(xml: string): string {
  return xml.replace(/&#13;/g, '\r').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

describe('export XML', () => {
  it('escapes markup characters, including the > of "]]>"', () => {
    const text = '<b>&amp;</b> ]]> <![CDATA[ x ]]> "q" \'s\'';
    const escaped = escapeXmlText(text);
    expect(escaped).toBe('&lt;b&gt;&amp;amp;&lt;/b&gt; ]]&gt; &lt;![CDATA[ x ]]&gt; "q" \'s\'');
    expect(escaped).not.toContain(']]>');
    expect(unescape(escaped)).toBe(text);
  });

  it('keeps odd Unicode as it is: RTL, astral emoji, ZWJ sequences, combining marks, BOM', () => {
    const text = 'עברית العربية \u200F 🚀👩\u200D👩\u200D👧 e\u0301 \uFEFF 𝔘𝔫𝔦 \u00A0';
    expect(escapeXmlText(text)).toBe(text);
  });

  it('keeps a carriage return as a character reference, so the XML parser does not turn it into a line feed', () => {
    expect(escapeXmlText('a\r\nb')).toBe('a&#13;\nb');
  });

  it('replaces characters XML 1.0 cannot carry and says so', () => {
    const text = 'bell\u0007 nul\u0000 vt\u000B ff\u000C esc\u001B lone\uD800 surrogate \uFFFE\uFFFF tab\tok';
    const { text: clean, changed } = sanitizeXmlChars(text);
    expect(changed).toBe(true);
    expect(clean).toBe('bell\uFFFD nul\uFFFD vt\uFFFD ff\uFFFD esc\uFFFD lone\uFFFD surrogate \uFFFD\uFFFD tab\tok');
    expect(sanitizeXmlChars('plain 🚀 text\n').changed).toBe(false);
    expect(escapeXmlText('x\u0001y')).toBe('x\uFFFDy');
  });

  it('computes MediaWiki\'s base-36 SHA-1', () => {
    // Measured on MediaWiki 1.39: the export of a page with this text.
    expect(sha1Base36('2933028ea079774e865c5f033d1ef4edc7d18187')).toBe('4t91j89vd378sl5it18fpvhsv7bjwcn');
    const empty = createHash('sha1').update('').digest('hex');
    expect(sha1Base36(empty)).toHaveLength(31);
    expect(sha1Base36('0000000000000000000000000000000000000001')).toBe('0000000000000000000000000000001');
  });

  it('writes contributors as user, IP or hidden, and hidden comments as deleted', () => {
    const xml = xmlPage({
      title: 'Talk:Thing',
      ns: 1,
      revisions: [
        revision,
        { ...revision, contributor: { kind: 'ip', ip: '10.0.0.1' }, minor: true },
        { ...revision, contributor: { kind: 'hidden' }, comment: undefined, sha1Base36: 'abc' },
      ],
    });
    expect(xml).toContain('<contributor><username>Alice</username></contributor>');
    expect(xml).toContain('<contributor><ip>10.0.0.1</ip></contributor>');
    expect(xml).toContain('<minor />');
    expect(xml).toContain('<contributor deleted="deleted" />');
    expect(xml).toContain('<comment deleted="deleted" />');
    expect(xml).toContain('<sha1>abc</sha1>');
    expect(xml.match(/<revision>/g)).toHaveLength(3);
  });

  it('builds a whole file with the target\'s namespace names and escaped titles', () => {
    const xml = buildExportXml({
      namespaces: [
        { id: 0, name: '' },
        { id: 4, name: 'Target & Co' },
        { id: 828, name: 'Module' },
      ],
      pages: [{ title: 'Target & Co:About <us>', ns: 4, revisions: [revision] }],
    });
    expect(xml.startsWith('<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11"')).toBe(true);
    expect(xml).toContain('<namespace key="0" case="first-letter" />');
    expect(xml).toContain('<namespace key="4" case="first-letter">Target &amp; Co</namespace>');
    expect(xml).toContain('<title>Target &amp; Co:About &lt;us&gt;</title>');
    expect(xml).toContain('<ns>4</ns>');
    expect(xml.trimEnd().endsWith('</mediawiki>')).toBe(true);
    expect(xmlHeader([])).toContain('<namespaces>');
  });

  it.skipIf(!hasPhp)('round-trips through PHP\'s XMLReader exactly (odd Unicode, ]]>, CR, controls)', () => {
    const odd = 'a\r\nb ]]> <x> & 🚀 e\u0301 עברית \u0007bell';
    const xml = buildExportXml({
      namespaces: [{ id: 0, name: '' }],
      pages: [{ title: 'Odd ]]> & <title> 🚀', ns: 0, revisions: [{ ...revision, text: odd, comment: 'c ]]> \u0001', contributor: { kind: 'user', name: 'Ünï' } }] }],
    });
    expect(readWithXmlReader(xml)).toEqual(['Odd ]]> & <title> 🚀', 'Ünï', 'c ]]> \uFFFD', sanitizeXmlChars(odd).text]);
  });
});
