import type { ItemRef } from '../../sdk/connector.js';

/**
 * Finding and rewriting references inside WordPress content, without I/O.
 *
 * Content names other objects in two ways: URLs (`?p=12`, permalinks such
 * as `/2024/03/hello/`, term archives, files under wp-content/uploads) and
 * attachment ids (`wp-image-12` classes, `{"id":12}` in image blocks,
 * `[caption id="attachment_12"]`, `[gallery ids="1,2"]`, gallery `"ids":["1","2"]`
 * given as strings, `data-id="12"` of images in galleries). At load time the
 * source side turns each source URL into a {@link LinkRef}; at write time
 * the target side replaces it with the address of the migrated object.
 * Both sides scan the text with the same {@link scanTokens}, so the tokens
 * line up exactly.
 */

/** Where a site's links start. No trailing slashes. */
export interface SiteUrls {
  /** The public address: http://old.example.org or https://example.org/blog */
  home: string;
  /** The uploads folder's address: http://old.example.org/wp-content/uploads */
  uploads: string;
}

export type Token =
  | { kind: 'url'; start: number; end: number; raw: string }
  | { kind: 'media-id'; start: number; end: number; raw: string; prefix: string; ids: string[]; separator: string; suffix: string };

/** What a source URL names, before anything is looked up. */
export type LinkQuery =
  | { kind: 'post-id'; id: number; param: 'p' | 'page_id' | 'attachment_id'; suffix: string }
  | { kind: 'term-id'; id: number; suffix: string }
  | { kind: 'term-slug'; taxonomy: 'category' | 'tag'; slug: string; param?: 'tag'; suffix: string }
  | { kind: 'path'; path: string; slug: string; suffix: string }
  | { kind: 'file'; file: string; suffix: string }
  | { kind: 'site'; path: string };

/** A source URL found in content and what it stands for; kept in the item's data. */
export interface LinkRef {
  /** The URL exactly as written in the text. */
  raw: string;
  /**
   * How the target URL is made: `query` keeps the `?p=ID` form with the
   * target's id, `permalink` takes the target object's own link, `file` its
   * file (same image size), `rebase` swaps the source home for the target's.
   */
  form: 'query' | 'permalink' | 'file' | 'rebase';
  ref?: ItemRef;
  param?: 'p' | 'page_id' | 'attachment_id' | 'cat';
  /** For files: 'full', 'original' or an image size name ('medium', 'thumbnail'...). */
  size?: string;
  /** Query extras and #fragment kept after the object's address. */
  suffix: string;
  /** For rebase: the part after the source home ('/2024/03/' or '/?s=x'). */
  path?: string;
  /** The URL had no scheme and host (`/about/`): the rewritten one has none either. */
  relative: boolean;
  /**
   * For permalinks of pages: the page's path on the source (`about/team`).
   * A target page whose address does not end so yet (its parent comes in
   * the second pass) gets the link again once it does.
   */
  pageKey?: string;
  /**
   * For permalinks of pages: the source ids of the page's ancestors, top
   * first. Their copies make the page's address on the target, which the
   * link gets even while the copy is not under its parent yet.
   */
  pageParents?: string[];
}

/** The target's addresses of one migrated object. */
export interface TargetObject {
  link?: string;
  sourceUrl?: string;
  /** Image size name -> file URL. */
  sizes?: Record<string, string>;
  /** Address of the original of a scaled image. */
  original?: string;
  /** For pages: the slug (post_name) and the parent's id, which make the page's address. */
  slug?: string;
  parent?: number;
}

const ABSOLUTE_URL = /(?:https?:)?\/\/[^\s"'<>()[\]{}\\^`|]+/g;
const RELATIVE_ATTRIBUTE = /\b(?:href|src)\s*=\s*(["'])(\/(?!\/)[^"'\s]*)\1/g;
const MEDIA_BLOCK = /<!--\s+wp:(?:core\/)?(image|cover|media-text|video|audio|file|gallery)\s+(\{[\s\S]*?\})\s+\/?-->/g;
const WP_IMAGE_CLASS = /\bwp-image-(\d+)\b/g;
const CAPTION_ID = /\[caption\b[^\]]*?\bid=(["'])attachment_(\d+)\1/g;
const IMAGE_DATA_ID = /<img\b[^>]*?\bdata-id=(["'])(\d+)\1/g;
const GALLERY_IDS = /\[gallery\b[^\]]*?\b(?:ids|include)=(["'])([\d,\s]+)\1/g;

/**
 * Every URL and attachment id in a text, in order, not overlapping.
 *
 * @example
 * scanTokens('<a href="http://old/?p=3">x</a>').map((t) => t.raw); // => ['http://old/?p=3']
 */
export function scanTokens(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(ABSOLUTE_URL)) {
    const raw = trimTrailing(match[0]);
    if (raw.length > 2) tokens.push({ kind: 'url', start: match.index, end: match.index + raw.length, raw });
  }
  for (const match of text.matchAll(RELATIVE_ATTRIBUTE)) {
    const raw = match[2]!;
    const start = match.index + match[0].indexOf(raw, match[0].indexOf('=') + 1);
    tokens.push({ kind: 'url', start, end: start + raw.length, raw });
  }
  for (const match of text.matchAll(MEDIA_BLOCK)) {
    const json = match[2]!;
    const jsonStart = match.index + match[0].indexOf(json);
    const key = match[1] === 'media-text' ? 'mediaId' : 'id';
    for (const id of json.matchAll(new RegExp(`"${key}":(\\d+)`, 'g'))) {
      tokens.push(mediaToken(jsonStart + id.index, id[0], `"${key}":`, [id[1]!], ',', ''));
    }
    for (const ids of json.matchAll(/"ids":\[([\d,\s]*)\]/g)) {
      const list = ids[1]!.split(',').map((s) => s.trim()).filter(Boolean);
      if (list.length > 0) tokens.push(mediaToken(jsonStart + ids.index, ids[0], '"ids":[', list, ',', ']'));
    }
    // Galleries saved by some editors and importers give the ids as strings: "ids":["12","13"].
    for (const ids of json.matchAll(/"ids":\[((?:\s*"\d+"\s*,?)+)\]/g)) {
      const listStart = jsonStart + ids.index + ids[0].indexOf('[') + 1;
      for (const id of ids[1]!.matchAll(/"(\d+)"/g)) tokens.push(mediaToken(listStart + id.index, id[0], '"', [id[1]!], ',', '"'));
    }
  }
  // Images inside a gallery block carry their attachment id as data-id too.
  for (const match of text.matchAll(IMAGE_DATA_ID)) {
    const raw = `data-id=${match[1]!}${match[2]!}${match[1]!}`;
    tokens.push(mediaToken(match.index + match[0].lastIndexOf(raw), raw, `data-id=${match[1]!}`, [match[2]!], ',', match[1]!));
  }
  for (const match of text.matchAll(WP_IMAGE_CLASS)) tokens.push(mediaToken(match.index, match[0], 'wp-image-', [match[1]!], ',', ''));
  for (const match of text.matchAll(CAPTION_ID)) {
    const raw = `attachment_${match[2]!}`;
    tokens.push(mediaToken(match.index + match[0].lastIndexOf(raw), raw, 'attachment_', [match[2]!], ',', ''));
  }
  for (const match of text.matchAll(GALLERY_IDS)) {
    const raw = match[2]!;
    const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
    const separator = raw.includes(', ') ? ', ' : ',';
    tokens.push(mediaToken(match.index + match[0].lastIndexOf(raw), raw, '', list, separator, ''));
  }
  tokens.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Token[] = [];
  for (const token of tokens) {
    const last = out[out.length - 1];
    if (!last || token.start >= last.end) out.push(token);
  }
  return out;
}

function mediaToken(start: number, raw: string, prefix: string, ids: string[], separator: string, suffix: string): Token {
  return { kind: 'media-id', start, end: start + raw.length, raw, prefix, ids, separator, suffix };
}

/** Sentence punctuation after a URL in running text is not part of it. */
function trimTrailing(url: string): string {
  let out = url;
  while (/[.,;:!?]$/.test(out)) out = out.slice(0, -1);
  if (out.endsWith('&amp') || out.endsWith('&quot') || out.endsWith('&gt') || out.endsWith('&lt')) out = out.slice(0, out.lastIndexOf('&'));
  return out;
}

/**
 * Rebuilds a text with each URL token and attachment id replaced; a
 * replacement function that answers undefined leaves the token as it is.
 *
 * @example
 * rewriteText('see http://old/?p=3', (url) => url.replace('old', 'new'), () => undefined); // => 'see http://new/?p=3'
 */
export function rewriteText(text: string, replaceUrl: (raw: string) => string | undefined, replaceMediaId: (id: string) => string | undefined): string {
  let out = '';
  let at = 0;
  for (const token of scanTokens(text)) {
    out += text.slice(at, token.start);
    if (token.kind === 'url') out += replaceUrl(token.raw) ?? token.raw;
    else out += token.prefix + token.ids.map((id) => replaceMediaId(id) ?? id).join(token.separator) + token.suffix;
    at = token.end;
  }
  return out + text.slice(at);
}

/** Attachment ids named in a text (wp-image-N, image blocks, captions, galleries). */
export function mediaIdsIn(text: string): string[] {
  const ids = new Set<string>();
  for (const token of scanTokens(text)) if (token.kind === 'media-id') for (const id of token.ids) ids.add(id);
  return [...ids];
}

/** URLs in a text (as written). */
export function urlsIn(text: string): string[] {
  return [...new Set(scanTokens(text).filter((t) => t.kind === 'url').map((t) => t.raw))];
}

const QUERY_IDS = ['p', 'page_id', 'attachment_id'] as const;

/** First path segments that are WordPress itself, never a post. */
const SITE_FOLDERS: ReadonlySet<string> = new Set(['wp-admin', 'wp-content', 'wp-includes', 'wp-json', 'wp-login.php', 'wp-signup.php', 'wp-cron.php', 'xmlrpc.php', 'index.php']);

/**
 * What a URL names on the source site, or undefined when it is not a link
 * into that site (another host, another path prefix).
 *
 * @example
 * parseSourceUrl('http://old/?page_id=7#top', { home: 'http://old', uploads: 'http://old/wp-content/uploads' });
 * // => { kind: 'post-id', id: 7, param: 'page_id', suffix: '#top' }
 */
export function parseSourceUrl(raw: string, site: SiteUrls): LinkQuery | undefined {
  const home = safeUrl(site.home);
  if (!home) return undefined;
  const text = raw.replace(/&amp;|&#0?38;/g, '&');
  const url = safeUrl(text.startsWith('//') ? `${home.protocol}${text}` : text, home.origin);
  if (!url || url.host !== home.host || (url.protocol !== 'http:' && url.protocol !== 'https:')) return undefined;
  const hash = url.hash;
  const uploads = safeUrl(site.uploads);
  const path = decodePath(url.pathname);
  if (uploads && url.host === uploads.host) {
    const base = decodePath(uploads.pathname).replace(/\/+$/, '');
    if (path.startsWith(`${base}/`) && path.length > base.length + 1) return { kind: 'file', file: path.slice(base.length + 1), suffix: url.search + hash };
  }
  const homePath = decodePath(home.pathname).replace(/\/+$/, '');
  if (path !== homePath && !path.startsWith(`${homePath}/`)) return undefined;
  const rest = path.slice(homePath.length) || '/';
  const params = url.searchParams;
  if (rest === '/' || rest === '/index.php') {
    for (const param of QUERY_IDS) {
      const id = positiveInt(params.get(param));
      if (id !== undefined) return { kind: 'post-id', id, param, suffix: extras(params, [param, 'post_type']) + hash };
    }
    const cat = positiveInt(params.get('cat'));
    if (cat !== undefined) return { kind: 'term-id', id: cat, suffix: extras(params, ['cat']) + hash };
    const tag = params.get('tag');
    if (tag) return { kind: 'term-slug', taxonomy: 'tag', slug: tag, param: 'tag', suffix: extras(params, ['tag']) + hash };
    return { kind: 'site', path: pathAfterHome(raw, site) };
  }
  const segments = rest.split('/').filter(Boolean);
  const first = segments[0] ?? '';
  if (SITE_FOLDERS.has(first) || first === 'feed' || first === 'author' || first === 'page' || first === 'search' || first === 'comments' || /\.(php|xml|txt)$/.test(rest)) {
    return { kind: 'site', path: pathAfterHome(raw, site) };
  }
  const last = segments[segments.length - 1] ?? '';
  if ((first === 'category' || first === 'tag') && segments.length >= 2 && segments[segments.length - 2] !== 'feed') {
    return { kind: 'term-slug', taxonomy: first === 'tag' ? 'tag' : 'category', slug: last, suffix: url.search + hash };
  }
  if (/^\d+$/.test(last) || last === 'feed' || last === 'embed' || last === 'trackback') return { kind: 'site', path: pathAfterHome(raw, site) };
  return { kind: 'path', path: rest, slug: last, suffix: url.search + hash };
}

/**
 * The target address for a link whose object the target holds (or, for
 * rebase links, the same path under the target's home).
 *
 * @example
 * targetUrlOf({ raw: 'http://old/?p=3', form: 'query', param: 'p', suffix: '', relative: false }, '41', undefined, 'http://new');
 * // => 'http://new/?p=41'
 */
export function targetUrlOf(link: LinkRef, targetId: string | undefined, object: TargetObject | undefined, targetHome: string): string | undefined {
  let url: string | undefined;
  switch (link.form) {
    case 'query':
      if (targetId === undefined) return undefined;
      url = `${targetHome}/?${link.param ?? 'p'}=${targetId}${link.suffix}`;
      break;
    case 'permalink':
      url = object?.link ? joinSuffix(object.link, link.suffix) : undefined;
      break;
    case 'file': {
      const file = link.size === 'original' ? (object?.original ?? object?.sourceUrl) : link.size && link.size !== 'full' ? (object?.sizes?.[link.size] ?? object?.sourceUrl) : object?.sourceUrl;
      url = file ? joinSuffix(file, link.suffix) : undefined;
      break;
    }
    case 'rebase': {
      // A rebased link keeps its own spelling (&amp; included): no re-encoding below.
      const rebased = `${targetHome}${link.path ?? '/'}`;
      if (!link.relative) return rebased;
      url = rebased;
      break;
    }
    default: {
      const never: never = link.form;
      throw new Error(`unknown link form ${String(never)}`);
    }
  }
  if (url === undefined) return undefined;
  if (link.relative) {
    const parsed = safeUrl(url);
    if (parsed) url = parsed.pathname + parsed.search + parsed.hash;
  }
  return link.raw.includes('&amp;') ? url.replace(/&(?!amp;|#)/g, '&amp;') : url;
}

/**
 * What follows the source's home in a URL, exactly as written ('' for the
 * home itself without a slash), so a rebased link differs only in its start.
 *
 * @example
 * pathAfterHome('http://old/blog/2024/?x=1', { home: 'http://old/blog', uploads: '' }); // => '/2024/?x=1'
 */
export function pathAfterHome(raw: string, site: SiteUrls): string {
  const home = safeUrl(site.home);
  if (!home) return '/';
  const homePath = home.pathname.replace(/\/+$/, '');
  const prefixes = isRelativeUrl(raw) ? [homePath] : [`http://${home.host}${homePath}`, `https://${home.host}${homePath}`, `//${home.host}${homePath}`];
  for (const prefix of prefixes) {
    if (raw.toLowerCase().startsWith(prefix.toLowerCase())) return raw.slice(prefix.length);
  }
  const url = safeUrl(raw.replace(/&amp;|&#0?38;/g, '&'), home.origin);
  if (!url) return '/';
  const path = url.pathname.startsWith(homePath) ? url.pathname.slice(homePath.length) : url.pathname;
  return (path || '/') + url.search + url.hash;
}

/**
 * Whether a target object's address already ends with the source page's
 * path (`…/about/team/` for `about/team`). Addresses without a path (plain
 * permalinks) cannot tell and count as final.
 *
 * @example
 * isFinalPageLink('http://new/about/team/', 'about/team'); // => true
 */
export function isFinalPageLink(link: string, key: string): boolean {
  const url = safeUrl(link);
  if (!url || url.searchParams.has('page_id') || url.searchParams.has('p')) return true;
  const path = decodePath(url.pathname).replace(/^\/+|\/+$/g, '');
  const wanted = decodePath(key).replace(/^\/+|\/+$/g, '');
  return path === wanted || path.endsWith(`/${wanted}`);
}

/**
 * A page's address once its path (`parent/slug`, the slugs of its ancestors
 * and its own, as WordPress's get_page_uri makes it) is another: the current
 * address with the current path swapped. Undefined when the address does not
 * end with the current path (the front page). A plain address (`?page_id=`)
 * has no path and stays as it is.
 *
 * @example
 * pageLinkUnder('http://new/index.php/team/', 'team', 'about/team'); // => 'http://new/index.php/about/team/'
 */
export function pageLinkUnder(link: string, currentPath: string, wantedPath: string): string | undefined {
  const url = safeUrl(link);
  if (!url) return undefined;
  if (url.search || url.hash) return url.searchParams.has('page_id') || url.searchParams.has('p') ? link : undefined;
  const trailing = link.endsWith('/') ? '/' : '';
  const body = trailing ? link.slice(0, -1) : link;
  if (!currentPath || !body.endsWith(`/${currentPath}`)) return undefined;
  return `${body.slice(0, body.length - currentPath.length)}${wantedPath}${trailing}`;
}

/** True when a URL as written has no scheme and host. */
export function isRelativeUrl(raw: string): boolean {
  return raw.startsWith('/') && !raw.startsWith('//');
}

function joinSuffix(base: string, suffix: string): string {
  if (!suffix) return base;
  if (suffix.startsWith('#')) return `${base.split('#')[0]}${suffix}`;
  if (suffix.startsWith('&')) return base.includes('?') ? `${base}${suffix}` : `${base}?${suffix.slice(1)}`;
  if (suffix.startsWith('?') && base.includes('?')) return `${base}&${suffix.slice(1)}`;
  return `${base}${suffix}`;
}

function extras(params: URLSearchParams, used: string[]): string {
  const rest = [...params.entries()].filter(([key]) => !used.includes(key));
  if (rest.length === 0) return '';
  return `&${rest.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
}

function positiveInt(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n > 0 ? n : undefined;
}

function safeUrl(text: string, base?: string): URL | undefined {
  try {
    return new URL(text, base);
  } catch {
    return undefined;
  }
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
