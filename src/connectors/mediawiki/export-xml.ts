/**
 * Builds MediaWiki export XML (schema 0.11), the format `action=import`
 * reads. Built as separate fragments (header, one page, footer) so the
 * import can be cut into uploads that fit the target's size limit.
 */

export const EXPORT_XML_VERSION = '0.11';

export type XmlContributor = { kind: 'user'; name: string } | { kind: 'ip'; ip: string } | { kind: 'hidden' };

export interface XmlRevision {
  /** ISO 8601 in UTC, second precision: 2024-01-31T12:00:00Z. */
  timestamp: string;
  contributor: XmlContributor;
  /** undefined: hidden on the source. */
  comment: string | undefined;
  minor: boolean;
  model: string;
  format: string;
  text: string;
  /** SHA-1 of the text in base 36 (31 digits): lets MediaWiki skip a revision it already has. */
  sha1Base36?: string;
}

export interface XmlPage {
  /** Full title as the target names it (its own namespace prefix). */
  title: string;
  ns: number;
  revisions: XmlRevision[];
}

export interface XmlNamespace {
  id: number;
  /** Local name on the target ('' for the main namespace). */
  name: string;
}

/**
 * The opening of an export file. The namespace list tells the importer how
 * the titles' prefixes map to numbers: give the target's own names.
 */
export function xmlHeader(namespaces: readonly XmlNamespace[]): string {
  const lines = namespaces.map((ns) =>
    ns.name === ''
      ? `      <namespace key="${ns.id}" case="first-letter" />`
      : `      <namespace key="${ns.id}" case="first-letter">${escapeXmlText(ns.name)}</namespace>`,
  );
  return [
    `<mediawiki xmlns="http://www.mediawiki.org/xml/export-${EXPORT_XML_VERSION}/" version="${EXPORT_XML_VERSION}" xml:lang="en">`,
    '  <siteinfo>',
    '    <namespaces>',
    ...lines,
    '    </namespaces>',
    '  </siteinfo>',
    '',
  ].join('\n');
}

export const XML_FOOTER = '</mediawiki>\n';

/** One `<page>` element with the given revisions, oldest first. */
export function xmlPage(page: XmlPage): string {
  const parts = ['  <page>', `    <title>${escapeXmlText(page.title)}</title>`, `    <ns>${page.ns}</ns>`];
  for (const revision of page.revisions) parts.push(xmlRevision(revision));
  parts.push('  </page>', '');
  return parts.join('\n');
}

function xmlRevision(revision: XmlRevision): string {
  const lines = ['    <revision>', `      <timestamp>${escapeXmlText(revision.timestamp)}</timestamp>`, `      ${xmlContributor(revision.contributor)}`];
  if (revision.minor) lines.push('      <minor />');
  lines.push(
    revision.comment === undefined ? '      <comment deleted="deleted" />' : `      <comment>${escapeXmlText(revision.comment)}</comment>`,
    `      <model>${escapeXmlText(revision.model)}</model>`,
    `      <format>${escapeXmlText(revision.format)}</format>`,
    `      <text xml:space="preserve">${escapeXmlText(revision.text)}</text>`,
  );
  if (revision.sha1Base36) lines.push(`      <sha1>${revision.sha1Base36}</sha1>`);
  lines.push('    </revision>');
  return lines.join('\n');
}

function xmlContributor(contributor: XmlContributor): string {
  switch (contributor.kind) {
    case 'user':
      return `<contributor><username>${escapeXmlText(contributor.name)}</username></contributor>`;
    case 'ip':
      return `<contributor><ip>${escapeXmlText(contributor.ip)}</ip></contributor>`;
    case 'hidden':
      return '<contributor deleted="deleted" />';
    default: {
      const never: never = contributor;
      throw new Error(`unknown contributor ${JSON.stringify(never)}`);
    }
  }
}

/** A whole export file (tests and small imports). */
export function buildExportXml(input: { namespaces: readonly XmlNamespace[]; pages: readonly XmlPage[] }): string {
  return xmlHeader(input.namespaces) + input.pages.map(xmlPage).join('') + XML_FOOTER;
}

// Characters XML 1.0 cannot carry at all, even as references: C0 controls
// other than tab/LF/CR, lone surrogates, U+FFFE and U+FFFF.
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Replaces characters XML cannot carry with U+FFFD (what MediaWiki itself
 * does with invalid input). The caller learns whether the text changed:
 * its SHA-1 on the target will then differ from the source's.
 */
export function sanitizeXmlChars(text: string): { text: string; changed: boolean } {
  NOT_XML.lastIndex = 0;
  if (!NOT_XML.test(text)) return { text, changed: false };
  return { text: text.replace(NOT_XML, '\uFFFD'), changed: true };
}

/**
 * Escapes element text. `>` is escaped too, so `]]>` cannot end anything,
 * and CR becomes a character reference: a raw CR would be turned into LF by
 * the XML parser and change the text (and its SHA-1).
 */
export function escapeXmlText(text: string): string {
  return sanitizeXmlChars(text)
    .text.replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/** MediaWiki's base-36 SHA-1 (31 digits, zero padded) from a hex SHA-1. */
export function sha1Base36(hex: string): string {
  return BigInt(`0x${hex}`).toString(36).padStart(31, '0');
}
