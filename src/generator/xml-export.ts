import { open } from 'node:fs/promises';
import { NAMESPACE_PREFIX, NS, type GeneratedPage, type GeneratedRevision } from './content-types.js';

// Characters XML 1.0 cannot carry at all, even escaped.
const NOT_XML = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Escapes text for XML element content and double-quoted attributes.
 * Characters XML cannot represent become U+FFFD; CR is kept as a reference
 * because parsers turn a literal CR LF into LF.
 *
 * @example
 * xmlEscape('a < b & "c"'); // 'a &lt; b &amp; &quot;c&quot;'
 */
export function xmlEscape(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/[&<>"'\r]/g, (c) => {
    switch (c) {
      case '&': return '&amp;';
      case '<': return '&lt;';
      case '>': return '&gt;';
      case '"': return '&quot;';
      case "'": return '&apos;';
      default: return '&#13;';
    }
  });
}

const IP = /^\d{1,3}(\.\d{1,3}){3}$|^[0-9a-f:]+:[0-9a-f:]*$/i;

const FORMATS = { json: 'application/json', css: 'text/css', javascript: 'text/javascript' } as const;

function contentModel(page: Pick<GeneratedPage, 'namespace' | 'model'>): { model: string; format: string } {
  if (page.model) return { model: page.model, format: FORMATS[page.model] };
  return page.namespace === NS.module
    ? { model: 'Scribunto', format: 'text/plain' }
    : { model: 'wikitext', format: 'text/x-wiki' };
}

function revisionXml(revision: GeneratedRevision, page: GeneratedPage): string {
  const contributor = IP.test(revision.user)
    ? `<ip>${xmlEscape(revision.user)}</ip>`
    : `<username>${xmlEscape(revision.user)}</username>`;
  const { model, format } = contentModel(page);
  return [
    '    <revision>',
    `      <timestamp>${xmlEscape(revision.timestamp)}</timestamp>`,
    `      <contributor>${contributor}</contributor>`,
    ...(revision.minor ? ['      <minor/>'] : []),
    ...(revision.comment !== '' ? [`      <comment>${xmlEscape(revision.comment)}</comment>`] : []),
    `      <model>${model}</model>`,
    `      <format>${format}</format>`,
    `      <text bytes="${Buffer.byteLength(revision.text)}" xml:space="preserve">${xmlEscape(revision.text)}</text>`,
    '    </revision>',
  ].join('\n');
}

/**
 * Which revisions of a page an export holds: 'current' leaves out the oldest
 * `lateRevisions`, which 'late' holds (imported afterwards); 'all' holds every one.
 */
export type ExportPart = 'all' | 'current' | 'late';

function revisionsOf(page: GeneratedPage, part: ExportPart): GeneratedRevision[] {
  const late = page.lateRevisions ?? 0;
  if (part === 'current') return page.revisions.slice(late);
  if (part === 'late') return page.revisions.slice(0, late);
  return page.revisions;
}

export function pageXml(page: GeneratedPage, part: ExportPart = 'all'): string {
  const revisions = revisionsOf(page, part);
  if (revisions.length === 0) return '';
  return [
    '  <page>',
    `    <title>${xmlEscape(page.title)}</title>`,
    `    <ns>${page.namespace}</ns>`,
    ...revisions.map((revision) => revisionXml(revision, page)),
    '  </page>',
    '',
  ].join('\n');
}

function headerXml(siteName: string): string {
  const namespaces = Object.entries(NAMESPACE_PREFIX)
    .map(([key, prefix]) => `      <namespace key="${key}" case="first-letter">${xmlEscape(prefix.replace(/:$/, ''))}</namespace>`)
    .join('\n');
  return `<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.mediawiki.org/xml/export-0.11/ http://www.mediawiki.org/xml/export-0.11.xsd" version="0.11" xml:lang="en">
  <siteinfo>
    <sitename>${xmlEscape(siteName)}</sitename>
    <generator>Ferry generator</generator>
    <case>first-letter</case>
    <namespaces>
${namespaces}
    </namespaces>
  </siteinfo>
`;
}

const FLUSH_BYTES = 1 << 20;

/**
 * Writes pages as a MediaWiki XML export (schema 0.11) to `path`, a page at a
 * time, so memory stays flat however many pages there are.
 */
export async function writeXmlExport(
  pages: Iterable<GeneratedPage>,
  path: string,
  options: { siteName?: string; part?: ExportPart } = {},
): Promise<void> {
  const file = await open(path, 'w');
  try {
    let buffer = headerXml(options.siteName ?? 'Ferry generated wiki');
    for (const page of pages) {
      buffer += pageXml(page, options.part ?? 'all');
      if (buffer.length >= FLUSH_BYTES) {
        await file.write(buffer);
        buffer = '';
      }
    }
    await file.write(`${buffer}</mediawiki>\n`);
  } finally {
    await file.close();
  }
}
