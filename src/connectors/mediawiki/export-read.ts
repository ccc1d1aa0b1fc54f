/**
 * Reads MediaWiki export XML (Special:Export, dumpBackup.php; schema
 * 0.10/0.11) as it streams in: chunks are pushed, each finished `<page>`
 * comes out at once, so a long answer is never held whole (only the page
 * being read). A small parser for this one well-formed, machine-written
 * format: elements, attributes, text with entity and character references,
 * comments and processing instructions skipped.
 */

export interface ExportedRevision {
  revid: number;
  parentid: number;
  /** ISO 8601, second precision. */
  timestamp: string;
  /** User name or IP address; '' when hidden. */
  user: string;
  /** 0 for IP edits and for imported names like "other>Name". */
  userid: number;
  ip: boolean;
  userHidden: boolean;
  /** undefined when hidden. */
  comment: string | undefined;
  minor: boolean;
  model: string;
  format: string;
  /** undefined when hidden. */
  text: string | undefined;
  /** Bytes of the text (the `bytes` attribute), 0 when not given. */
  size: number;
  /** Base-36 SHA-1 as the dump writes it ('' when hidden or absent). */
  sha1Base36: string;
}

export interface ExportedPage {
  id: number;
  ns: number;
  /** Full title, with its namespace prefix. */
  title: string;
  redirect: boolean;
  /** In the order the XML gives them (oldest first for a history export). */
  revisions: ExportedRevision[];
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes XML entity and character references. */
export function decodeXmlText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    return NAMED_ENTITIES[ref] ?? whole;
  });
}

/** Hex SHA-1 (40 digits) from MediaWiki's base-36 form; undefined when it is not one. */
export function sha1HexFromBase36(base36: string): string | undefined {
  if (!/^[0-9a-z]{1,31}$/.test(base36)) return undefined;
  let value = 0n;
  for (const char of base36) value = value * 36n + BigInt(Number.parseInt(char, 36));
  const hex = value.toString(16);
  return hex.length > 40 ? undefined : hex.padStart(40, '0');
}

type Attributes = Record<string, string>;

function parseAttributes(source: string): Attributes {
  const out: Attributes = {};
  for (const match of source.matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) out[match[1]!] = decodeXmlText(match[2] ?? match[3] ?? '');
  return out;
}

/** Leaf elements whose text is kept, by parent. */
const PAGE_FIELDS = new Set(['title', 'ns', 'id']);
const REVISION_FIELDS = new Set(['id', 'parentid', 'timestamp', 'comment', 'model', 'format', 'text', 'sha1']);
const CONTRIBUTOR_FIELDS = new Set(['username', 'id', 'ip']);

/**
 * Push parser for export XML. `push` takes decoded text in any chunks and
 * returns the pages it completed; `end` checks that the document was whole.
 */
export class ExportXmlReader {
  private buffer = '';
  private readonly stack: string[] = [];
  private sawRoot = false;
  private closedRoot = false;
  private page: ExportedPage | undefined;
  private revision: ExportedRevision | undefined;
  /** The leaf element whose text is being collected, and the text so far. */
  private field: { name: string; parts: string[] } | undefined;

  /** True once the `<mediawiki>` root element was seen: the answer is export XML. */
  get isExport(): boolean {
    return this.sawRoot;
  }

  push(chunk: string): ExportedPage[] {
    this.buffer += chunk;
    const done: ExportedPage[] = [];
    let at = 0;
    const buffer = this.buffer;
    for (;;) {
      const lt = buffer.indexOf('<', at);
      if (lt === -1) {
        // Text up to the end of what came so far (references are decoded once the element is whole).
        this.text(buffer.slice(at));
        at = buffer.length;
        break;
      }
      if (lt > at) {
        this.text(buffer.slice(at, lt));
        at = lt;
      }
      const close = this.tagEnd(buffer, lt);
      if (close === -1) break;
      this.tag(buffer.slice(lt, close + 1), done);
      at = close + 1;
    }
    this.buffer = buffer.slice(at);
    return done;
  }

  /** Throws when the document stopped before its end (a cut answer). */
  end(): void {
    if (this.sawRoot && (!this.closedRoot || this.buffer.trim() !== '')) {
      throw new Error('the export XML ended before its closing </mediawiki>');
    }
  }

  /** Index of the '>' that ends the markup starting at `lt`, or -1 when it has not arrived yet. */
  private tagEnd(buffer: string, lt: number): number {
    if (buffer.startsWith('<!--', lt)) {
      const end = buffer.indexOf('-->', lt + 4);
      return end === -1 ? -1 : end + 2;
    }
    if (buffer.startsWith('<![CDATA[', lt)) {
      const end = buffer.indexOf(']]>', lt + 9);
      return end === -1 ? -1 : end + 2;
    }
    // Attribute values in this format never hold '>' unescaped (MediaWiki escapes it).
    return buffer.indexOf('>', lt + 1);
  }

  private text(raw: string): void {
    if (raw === '' || !this.field) return;
    this.field.parts.push(raw);
  }

  private tag(markup: string, done: ExportedPage[]): void {
    if (markup.startsWith('<?') || markup.startsWith('<!--') || markup.startsWith('<!DOCTYPE') || markup.startsWith('<!doctype')) return;
    if (markup.startsWith('<![CDATA[')) {
      // Not written by MediaWiki; taken literally if it ever is.
      if (this.field) this.field.parts.push(markup.slice(9, -3).replace(/&/g, '&amp;').replace(/</g, '&lt;'));
      return;
    }
    if (markup.startsWith('</')) {
      this.close(markup.slice(2, -1).trim(), done);
      return;
    }
    const selfClosing = markup.endsWith('/>');
    const inner = markup.slice(1, selfClosing ? -2 : -1);
    const space = inner.search(/\s/);
    const name = space === -1 ? inner : inner.slice(0, space);
    const attributes = space === -1 ? {} : parseAttributes(inner.slice(space));
    this.open(name, attributes);
    if (selfClosing) this.close(name, done);
  }

  private open(name: string, attributes: Attributes): void {
    const parent = this.stack.at(-1);
    this.stack.push(name);
    if (this.stack.length === 1) {
      if (name === 'mediawiki') this.sawRoot = true;
      return;
    }
    if (!this.sawRoot) return;
    if (name === 'page' && parent === 'mediawiki') {
      this.page = { id: 0, ns: 0, title: '', redirect: false, revisions: [] };
      return;
    }
    if (!this.page) return;
    if (name === 'redirect' && parent === 'page') {
      this.page.redirect = true;
      return;
    }
    if (name === 'revision' && parent === 'page') {
      this.revision = {
        revid: 0, parentid: 0, timestamp: '', user: '', userid: 0, ip: false, userHidden: false, comment: '', minor: false,
        model: 'wikitext', format: 'text/x-wiki', text: '', size: 0, sha1Base36: '',
      };
      return;
    }
    const revision = this.revision;
    if (parent === 'page' && PAGE_FIELDS.has(name)) this.field = { name, parts: [] };
    else if (revision && parent === 'revision') {
      if (name === 'minor') revision.minor = true;
      else if (name === 'contributor') {
        if (attributes.deleted !== undefined) revision.userHidden = true;
      } else if (REVISION_FIELDS.has(name)) {
        if (name === 'comment' && attributes.deleted !== undefined) revision.comment = undefined;
        else if (name === 'text') {
          if (attributes.bytes !== undefined) revision.size = Number(attributes.bytes) || 0;
          if (attributes.deleted !== undefined) revision.text = undefined;
          else this.field = { name, parts: [] };
        } else this.field = { name, parts: [] };
      }
    } else if (revision && parent === 'contributor' && CONTRIBUTOR_FIELDS.has(name)) this.field = { name, parts: [] };
  }

  private close(name: string, done: ExportedPage[]): void {
    const open = this.stack.pop();
    if (!this.sawRoot) return;
    if (open !== name) throw new Error(`the export XML is not well formed: </${name}> closes <${open ?? 'nothing'}>`);
    const parent = this.stack.at(-1);
    if (this.stack.length === 0) {
      if (name === 'mediawiki') this.closedRoot = true;
      return;
    }
    if (this.field && this.field.name === name) {
      const value = decodeXmlText(this.field.parts.join(''));
      this.field = undefined;
      this.assign(name, parent, value);
      return;
    }
    if (name === 'revision' && parent === 'page' && this.page && this.revision) {
      this.page.revisions.push(this.revision);
      this.revision = undefined;
    } else if (name === 'page' && parent === 'mediawiki' && this.page) {
      done.push(this.page);
      this.page = undefined;
    }
  }

  private assign(name: string, parent: string | undefined, value: string): void {
    const page = this.page;
    const revision = this.revision;
    if (!page) return;
    if (parent === 'page') {
      if (name === 'title') page.title = value;
      else if (name === 'ns') page.ns = Number(value);
      else if (name === 'id') page.id = Number(value);
      return;
    }
    if (!revision) return;
    if (parent === 'contributor') {
      if (name === 'username') revision.user = value;
      else if (name === 'id') revision.userid = Number(value) || 0;
      else if (name === 'ip') {
        revision.user = value;
        revision.ip = true;
      }
      return;
    }
    switch (name) {
      case 'id':
        revision.revid = Number(value);
        break;
      case 'parentid':
        revision.parentid = Number(value) || 0;
        break;
      case 'timestamp':
        revision.timestamp = value;
        break;
      case 'comment':
        revision.comment = value;
        break;
      case 'model':
        revision.model = value;
        break;
      case 'format':
        revision.format = value;
        break;
      case 'text':
        revision.text = value;
        break;
      case 'sha1':
        revision.sha1Base36 = value;
        break;
      default:
        break;
    }
  }
}
