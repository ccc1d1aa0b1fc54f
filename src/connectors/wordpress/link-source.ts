import { z } from 'zod';
import type { ItemRef } from '../../sdk/connector.js';
import type { WpApi } from './api-client.js';
import { isRelativeUrl, mediaIdsIn, parseSourceUrl, pathAfterHome, urlsIn, type LinkQuery, type LinkRef, type SiteUrls } from './links.js';
import type { PostKeys, PostKind } from './post-keys.js';
import { ROUTES, briefOf } from './post-keys.js';

/**
 * The source side of link rewriting: turns the URLs found in content into
 * references to source objects (at load time, so the engine resolves them),
 * looking up what each URL names on the source site, with caches for the
 * whole session.
 */

export interface Extracted {
  links: LinkRef[];
  refs: ItemRef[];
  /** Links into the source that name nothing Ferry can carry (a file outside the media library). */
  warnings: string[];
}

const TYPE_OF_KIND: Readonly<Record<PostKind, string>> = { post: 'post', page: 'page', media: 'media' };

const mediaRowSchema = z.object({
  id: z.number(),
  source_url: z.string().default(''),
  media_details: z
    .object({
      file: z.string().optional(),
      original_image: z.string().optional(),
      sizes: z.record(z.string(), z.object({ file: z.string().optional(), source_url: z.string().optional() })).optional(),
    })
    .partial()
    .nullable()
    .optional(),
});

const termRowSchema = z.object({ id: z.number(), slug: z.string(), link: z.string().default('') });

export class SourceLinks {
  private urls: Promise<SiteUrls> | undefined;
  private mediaFiles: Promise<Map<string, { id: number; size: string }>> | undefined;
  private readonly permalinks = new Map<string, ItemRef | null>();
  private readonly termSlugs = new Map<string, number | null>();

  constructor(
    private readonly api: WpApi,
    private readonly postKeys: PostKeys,
  ) {}

  /** The source's home and uploads addresses (uploads learnt from an attachment when there is one). */
  async siteUrls(signal: AbortSignal): Promise<SiteUrls> {
    this.urls ??= this.findSiteUrls(signal).catch((error: unknown) => {
      this.urls = undefined;
      throw error;
    });
    return this.urls;
  }

  /**
   * The links and attachment ids in some texts of one item, as references to
   * source objects. `parallel`: how many distinct URLs are looked up at once
   * (verify reads a whole chunk's texts in one call; the write path, inside
   * its batch's slot, one at a time).
   */
  async extract(texts: readonly string[], signal: AbortSignal, parallel = 1): Promise<Extracted> {
    const site = await this.siteUrls(signal);
    const links: LinkRef[] = [];
    const refs = new Map<string, ItemRef>();
    const warnings: string[] = [];
    const addRef = (ref: ItemRef) => refs.set(`${ref.type}\u0000${ref.sourceId}`, ref);
    const raws = [...new Set(texts.flatMap((text) => urlsIn(text)))];
    const queries = raws.map((raw) => ({ raw, query: parseSourceUrl(raw, site) })).filter((q): q is { raw: string; query: LinkQuery } => q.query !== undefined);
    const postIds = queries.flatMap(({ query }) => (query.kind === 'post-id' && query.param === 'p' ? [query.id] : []));
    const kinds = postIds.length > 0 ? await this.postKeys.briefsOf(postIds, signal) : new Map();
    await this.permalinksInBulk(queries.flatMap(({ query }) => (query.kind === 'path' ? [query] : [])), site, signal);
    const found = await mapLimited(queries, parallel, ({ raw, query }) => this.linkFor(raw, query, site, kinds, signal));
    for (const [i, { raw, query }] of queries.entries()) {
      const link = found[i];
      if (link === undefined) {
        if (query.kind === 'file') warnings.push(`The link ${raw} names a file that is not in the source's media library; it still points at the source.`);
        continue;
      }
      links.push(link);
      if (link.ref) addRef(link.ref);
      for (const parent of link.pageParents ?? []) addRef({ type: 'page', sourceId: parent });
    }
    for (const id of new Set(texts.flatMap((text) => mediaIdsIn(text)))) addRef({ type: 'media', sourceId: id });
    return { links, refs: [...refs.values()], warnings };
  }

  private async linkFor(raw: string, query: LinkQuery, site: SiteUrls, kinds: Map<number, { kind: PostKind }>, signal: AbortSignal): Promise<LinkRef | undefined> {
    const relative = isRelativeUrl(raw);
    switch (query.kind) {
      case 'post-id': {
        const kind: PostKind | undefined = query.param === 'page_id' ? 'page' : query.param === 'attachment_id' ? 'media' : kinds.get(query.id)?.kind;
        // An id the source does not have (deleted, or trashed): nothing to point at on the target.
        if (!kind) return { raw, form: 'rebase', path: pathAfterHome(raw, site), suffix: '', relative };
        return { raw, form: 'query', param: query.param, ref: { type: TYPE_OF_KIND[kind], sourceId: String(query.id) }, suffix: query.suffix, relative };
      }
      case 'term-id':
        return { raw, form: 'query', param: 'cat', ref: { type: 'category', sourceId: String(query.id) }, suffix: query.suffix, relative };
      case 'term-slug': {
        const id = await this.termBySlug(query.taxonomy, query.slug, signal);
        if (id === undefined) return { raw, form: 'rebase', path: pathAfterHome(raw, site), suffix: '', relative };
        return { raw, form: 'permalink', ref: { type: query.taxonomy, sourceId: String(id) }, suffix: query.suffix, relative };
      }
      case 'path': {
        const ref = await this.permalink(query.path, query.slug, site, signal);
        if (!ref) return { raw, form: 'rebase', path: pathAfterHome(raw, site), suffix: '', relative };
        return { raw, form: 'permalink', ref, suffix: query.suffix, relative, ...(ref.type === 'page' ? await this.pagePlace(Number(ref.sourceId), signal) : {}) };
      }
      case 'file': {
        const index = await this.mediaIndex(signal);
        const file = index.get(query.file) ?? index.get(stripScaled(query.file));
        if (!file) return undefined;
        return { raw, form: 'file', ref: { type: 'media', sourceId: String(file.id) }, size: file.size, suffix: query.suffix, relative };
      }
      case 'site':
        return { raw, form: 'rebase', path: query.path, suffix: '', relative };
      default: {
        const never: never = query;
        throw new Error(`unknown link query ${JSON.stringify(never)}`);
      }
    }
  }

  /** Where a page sits on the source: its path, and its ancestors, whose copies make its address on the target. */
  private async pagePlace(id: number, signal: AbortSignal): Promise<Pick<LinkRef, 'pageKey' | 'pageParents'>> {
    const brief = (await this.postKeys.briefsOf([id], signal, ['page'])).get(id);
    if (!brief) return {};
    const parents = (await this.postKeys.ancestorsOf(brief, signal)).map((up) => String(up.id));
    return { pageKey: await this.postKeys.keyOfBrief(brief, signal), pageParents: parents };
  }

  /**
   * The objects of several paths at once (100 slugs a request per kind,
   * instead of up to three requests per path): the same choice as
   * `permalink`, made over the rows of each path's slug. Only slugs as
   * WordPress stores them (lower case, percent-encoded) go this way, so a
   * row belongs to the path whose slug it has; the others stay one by one.
   */
  private async permalinksInBulk(paths: ReadonlyArray<{ path: string; slug: string }>, site: SiteUrls, signal: AbortSignal): Promise<void> {
    const open = new Map<string, { slug: string; wanted: string; segments: string; found?: ItemRef; byPath: ItemRef[] }>();
    for (const { path, slug } of paths) {
      const stored = decodeSlug(slug);
      if (this.permalinks.has(path) || open.has(path) || !/^[a-z0-9%_-]+$/.test(stored)) continue;
      open.set(path, { slug: stored, wanted: normalPath(`${site.home}${path}`), segments: decodeSafe(path).split('/').filter(Boolean).join('/'), byPath: [] });
    }
    if (open.size < 2) return;
    for (const kind of ['post', 'page', 'media'] as const) {
      const waiting = [...open.values()].filter((p) => !p.found);
      const slugs = [...new Set(waiting.map((p) => p.slug))];
      for (let i = 0; i < slugs.length; i += 100) {
        const rows = await this.api.all(ROUTES[kind], {
          signal,
          query: { slug: slugs.slice(i, i + 100), ...(kind === 'media' ? {} : { status: 'any' }), context: 'edit', _fields: 'id,slug,parent,post,status,title,date_gmt,link' },
          what: `finding the ${kind}s of ${slugs.length} links`,
        });
        for (const row of z.array(z.unknown()).parse(rows)) {
          const brief = briefOf(kind, row);
          this.postKeys.remember(brief);
          const ref = { type: TYPE_OF_KIND[kind], sourceId: String(brief.id) };
          for (const p of waiting) {
            if (p.slug !== brief.slug || p.found) continue;
            if (normalPath(brief.link) === p.wanted) p.found = ref;
            else if (kind === 'page' ? endsWithPath(p.segments, decodeSafe(await this.postKeys.pagePath(brief, signal))) : kind === 'post') p.byPath.push(ref);
          }
        }
      }
    }
    for (const [path, p] of open) this.permalinks.set(path, p.found ?? (p.byPath.length === 1 ? p.byPath[0]! : null));
  }

  /** The post, page or attachment whose link is this path, found by its last slug. */
  private async permalink(path: string, slug: string, site: SiteUrls, signal: AbortSignal): Promise<ItemRef | undefined> {
    const cached = this.permalinks.get(path);
    if (cached !== undefined) return cached ?? undefined;
    const wanted = normalPath(`${site.home}${path}`);
    const segments = decodeSafe(path).split('/').filter(Boolean).join('/');
    let found: ItemRef | undefined;
    let byPath: ItemRef[] = [];
    for (const kind of ['post', 'page', 'media'] as const) {
      const rows = await this.api.get(ROUTES[kind], {
        signal,
        query: { slug: decodeSlug(slug), ...(kind === 'media' ? {} : { status: 'any' }), context: 'edit', _fields: 'id,slug,parent,post,status,title,date_gmt,link' },
        what: `finding the ${kind} of ${path}`,
      });
      for (const row of z.array(z.unknown()).parse(rows)) {
        const brief = briefOf(kind, row);
        this.postKeys.remember(brief);
        const ref = { type: TYPE_OF_KIND[kind], sourceId: String(brief.id) };
        if (normalPath(brief.link) === wanted) found ??= ref;
        // The same object under an older address: a page that became the front page, a post whose date moved.
        else if (kind === 'page' ? endsWithPath(segments, decodeSafe(await this.postKeys.pagePath(brief, signal))) : kind === 'post') byPath.push(ref);
      }
      if (found) break;
    }
    if (!found && byPath.length === 1) found = byPath[0];
    byPath = [];
    this.permalinks.set(path, found ?? null);
    return found;
  }

  private async termBySlug(taxonomy: 'category' | 'tag', slug: string, signal: AbortSignal): Promise<number | undefined> {
    const cacheKey = `${taxonomy}:${slug}`;
    const cached = this.termSlugs.get(cacheKey);
    if (cached !== undefined) return cached ?? undefined;
    const rows = await this.api.get(taxonomy === 'tag' ? 'wp/v2/tags' : 'wp/v2/categories', { signal, query: { slug: decodeSlug(slug), _fields: 'id,slug,link' }, what: `finding the ${taxonomy} "${slug}"` });
    const id = z.array(termRowSchema).parse(rows)[0]?.id;
    this.termSlugs.set(cacheKey, id ?? null);
    return id;
  }

  /** Every file of the media library (each image size too), relative to the uploads folder. */
  private async mediaIndex(signal: AbortSignal): Promise<Map<string, { id: number; size: string }>> {
    this.mediaFiles ??= this.readMediaIndex(signal).catch((error: unknown) => {
      this.mediaFiles = undefined;
      throw error;
    });
    return this.mediaFiles;
  }

  private async readMediaIndex(signal: AbortSignal): Promise<Map<string, { id: number; size: string }>> {
    const site = await this.siteUrls(signal);
    const index = new Map<string, { id: number; size: string }>();
    const relative = (url: string) => (url.startsWith(`${site.uploads}/`) ? decodeSafe(url.slice(site.uploads.length + 1)) : undefined);
    for await (const page of this.api.pages(ROUTES.media, { signal, query: { _fields: 'id,source_url,media_details' }, what: 'listing media files' })) {
      for (const row of z.array(mediaRowSchema).parse(page.items)) {
        const full = relative(row.source_url);
        if (!full) continue;
        const folder = full.includes('/') ? full.slice(0, full.lastIndexOf('/') + 1) : '';
        for (const [size, entry] of Object.entries(row.media_details?.sizes ?? {})) {
          const file = entry.source_url ? relative(entry.source_url) : entry.file ? folder + entry.file : undefined;
          if (file && !index.has(file)) index.set(file, { id: row.id, size });
        }
        if (row.media_details?.original_image) index.set(folder + row.media_details.original_image, { id: row.id, size: 'original' });
        index.set(full, { id: row.id, size: 'full' });
      }
    }
    return index;
  }

  private async findSiteUrls(signal: AbortSignal): Promise<SiteUrls> {
    const { index } = await this.api.root(signal);
    const home = index.home || index.url;
    const rows = await this.api.get(ROUTES.media, { signal, query: { per_page: 1, _fields: 'source_url,media_details' }, what: 'finding the uploads folder' });
    const first = z.array(mediaRowSchema.partial({ id: true })).parse(rows)[0];
    const file = first?.media_details?.file;
    if (first?.source_url && file && first.source_url.endsWith(`/${file}`)) {
      return { home, uploads: first.source_url.slice(0, -file.length - 1) };
    }
    return { home, uploads: `${index.url || home}/wp-content/uploads` };
  }
}

/** `work` over the items, at most `limit` at a time; results in the items' order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) out[i] = await work(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

function endsWithPath(path: string, tail: string): boolean {
  return path === tail || path.endsWith(`/${tail}`);
}

/** "photo-scaled.jpg" is the stand-in WordPress makes for a big "photo.jpg". */
function stripScaled(file: string): string {
  return file.replace(/-scaled(\.[a-z0-9]+)$/i, '$1');
}

function normalPath(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${decodeSafe(parsed.pathname).replace(/\/+$/, '')}${parsed.search}`;
  } catch {
    return url;
  }
}

function decodeSlug(slug: string): string {
  // WordPress keeps non-ASCII slugs percent-encoded (lower case) in post_name.
  return /[^\x20-\x7e]/.test(slug) ? encodeURIComponent(slug).toLowerCase() : slug;
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
