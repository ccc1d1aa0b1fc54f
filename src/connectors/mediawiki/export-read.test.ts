import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeXmlText, ExportXmlReader, sha1HexFromBase36 } from './export-read.js';
import { sha1Base36 } from './export-xml.js';

// Shaped like MediaWiki 1.39's Special:Export with history (schema 0.11).
const text1 = 'Hello & <b>"world"</b>\r\nünïcödé 🚢';
const sha1 = createHash('sha1').update(text1).digest('hex');
const EXPORT = `<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="0.11" xml:lang="en">
  <siteinfo>
    <sitename>Src</sitename>
    <namespaces>
      <namespace key="0" case="first-letter" />
      <namespace key="10" case="first-letter">Template</namespace>
    </namespaces>
  </siteinfo>
  <page>
    <title>Template:A &amp; B</title>
    <ns>10</ns>
    <id>7</id>
    <redirect title="Template:C" />
    <revision>
      <id>11</id>
      <timestamp>2024-01-31T12:00:00Z</timestamp>
      <contributor>
        <username>Alice</username>
        <id>3</id>
      </contributor>
      <minor />
      <comment>first &lt;edit&gt;</comment>
      <origin>11</origin>
      <model>wikitext</model>
      <format>text/x-wiki</format>
      <text bytes="${Buffer.byteLength(text1)}" sha1="${sha1Base36(sha1)}" xml:space="preserve">Hello &amp; &lt;b&gt;"world"&lt;/b&gt;&#13;
ünïcödé 🚢</text>
      <sha1>${sha1Base36(sha1)}</sha1>
    </revision>
    <revision>
      <id>12</id>
      <parentid>11</parentid>
      <timestamp>2024-02-01T00:00:00Z</timestamp>
      <contributor>
        <ip>192.0.2.1</ip>
      </contributor>
      <origin>12</origin>
      <model>wikitext</model>
      <format>text/x-wiki</format>
      <text bytes="0" sha1="phoiac9h4m842xq45sp7s6u21eteeq1" xml:space="preserve" />
      <sha1>phoiac9h4m842xq45sp7s6u21eteeq1</sha1>
    </revision>
    <revision>
      <id>13</id>
      <parentid>12</parentid>
      <timestamp>2024-02-02T00:00:00Z</timestamp>
      <contributor deleted="deleted" />
      <comment deleted="deleted" />
      <model>wikitext</model>
      <format>text/x-wiki</format>
      <text bytes="5" deleted="deleted" />
      <sha1 />
    </revision>
  </page>
  <page>
    <title>Main</title>
    <ns>0</ns>
    <id>8</id>
    <revision>
      <id>20</id>
      <timestamp>2024-03-01T00:00:00Z</timestamp>
      <contributor>
        <username>other&gt;Bob</username>
        <id>0</id>
      </contributor>
      <model>wikitext</model>
      <format>text/x-wiki</format>
      <text bytes="1" xml:space="preserve">x</text>
      <sha1>x</sha1>
    </revision>
  </page>
</mediawiki>
`;

function readAll(chunks: string[]) {
  const reader = new ExportXmlReader();
  const pages = chunks.flatMap((c) => reader.push(c));
  reader.end();
  return { reader, pages };
}

describe('ExportXmlReader', () => {
  it('reads pages, revisions, contributors and hidden fields', () => {
    const { reader, pages } = readAll([EXPORT]);
    expect(reader.isExport).toBe(true);
    expect(pages.map((p) => [p.id, p.ns, p.title, p.redirect])).toEqual([
      [7, 10, 'Template:A & B', true],
      [8, 0, 'Main', false],
    ]);
    const [first, second, third] = pages[0]!.revisions;
    expect(first).toMatchObject({ revid: 11, parentid: 0, user: 'Alice', userid: 3, ip: false, minor: true, comment: 'first <edit>', text: text1, size: Buffer.byteLength(text1) });
    expect(sha1HexFromBase36(first!.sha1Base36)).toBe(sha1);
    expect(second).toMatchObject({ revid: 12, parentid: 11, user: '192.0.2.1', ip: true, userid: 0, minor: false, comment: '', text: '' });
    expect(sha1HexFromBase36(second!.sha1Base36)).toBe(createHash('sha1').update('').digest('hex'));
    expect(third).toMatchObject({ revid: 13, user: '', userHidden: true, comment: undefined, text: undefined, size: 5, sha1Base36: '' });
    expect(pages[1]!.revisions[0]).toMatchObject({ user: 'other>Bob', userid: 0, text: 'x' });
  });

  it('gives the same pages whatever the chunks (one character at a time)', () => {
    const whole = readAll([EXPORT]).pages;
    expect(readAll([...EXPORT]).pages).toEqual(whole);
    const cuts = [17, 400, 401, 1200];
    const pieces = cuts.map((c, i) => EXPORT.slice(i === 0 ? 0 : cuts[i - 1], c)).concat(EXPORT.slice(cuts.at(-1)));
    expect(readAll(pieces).pages).toEqual(whole);
  });

  it('hands each page over as soon as it is complete', () => {
    const reader = new ExportXmlReader();
    const end = EXPORT.indexOf('</page>') + '</page>'.length;
    expect(reader.push(EXPORT.slice(0, end - 1))).toEqual([]);
    expect(reader.push(EXPORT.slice(end - 1, end)).map((p) => p.id)).toEqual([7]);
  });

  it('throws on a cut answer, and says when the answer is not export XML', () => {
    const reader = new ExportXmlReader();
    reader.push(EXPORT.slice(0, EXPORT.length - 20));
    expect(() => reader.end()).toThrow(/ended before/);
    const html = new ExportXmlReader();
    expect(html.push('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Login required</title></head><body><p>x<br></body></html>')).toEqual([]);
    expect(html.isExport).toBe(false);
    expect(() => html.end()).not.toThrow();
  });

  it('decodes references and base-36 SHA-1s', () => {
    expect(decodeXmlText('&lt;&amp;lt;&#65;&#x1F6A2;&quot;&apos;&unknown;')).toBe('<&lt;A🚢"\'&unknown;');
    const hex = createHash('sha1').update('abc').digest('hex');
    expect(sha1HexFromBase36(sha1Base36(hex))).toBe(hex);
    expect(sha1HexFromBase36('')).toBeUndefined();
    expect(sha1HexFromBase36('NOT-BASE36')).toBeUndefined();
  });
});
