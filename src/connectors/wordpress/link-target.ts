import { z } from 'zod';
import type { ItemRef } from '../../sdk/connector.js';
import type { WpApi } from './api-client.js';
import { isFinalPageLink, pageLinkUnder, rewriteText, targetUrlOf, type LinkRef, type TargetObject } from './links.js';

/**
 * The target side of link rewriting: the addresses of migrated objects on
 * the target (asked once per object and session), and the rewrite of one
 * item's texts with the references `resolve` answers.
 */

const ROUTE_OF_TYPE: Readonly<Record<string, string>> = {
  post: 'wp/v2/posts',
  page: 'wp/v2/pages',
  media: 'wp/v2/media',
  category: 'wp/v2/categories',
  tag: 'wp/v2/tags',
};

const objectRowSchema = z.object({
  id: z.number(),
  link: z.string().optional(),
  slug: z.string().optional(),
  parent: z.number().nullable().optional(),
  source_url: z.string().optional(),
  media_details: z
    .object({
      original_image: z.string().optional(),
      sizes: z.record(z.string(), z.object({ source_url: z.string().optional() })).optional(),
    })
    .partial()
    .nullable()
    .optional(),
});

const IDS_PER_CALL = 100;

export interface Rewritten<T extends Record<string, string>> {
  texts: T;
  /** References that did not resolve yet: their links still point at the source. */
  deferred: ItemRef[];
}

export class TargetLinks {
  private readonly objects = new Map<string, TargetObject>();

  constructor(private readonly api: WpApi) {}

  /** Drops what is known of an object (after Ferry changed it). */
  forget(type: string, targetId: string): void {
    this.objects.delete(`${type}:${targetId}`);
    // A page's address holds its ancestors' slugs: a page that moved moves its descendants too.
    if (type === 'page') for (const key of [...this.objects.keys()]) if (key.startsWith('page:')) this.objects.delete(key);
  }

  /**
   * Rewrites the links and attachment ids in the texts of one item. A
   * reference that does not resolve leaves its link as it is and is
   * returned in `deferred`, for the engine's second pass.
   */
  async rewrite<T extends Record<string, string>>(texts: T, links: readonly LinkRef[], resolve: (ref: ItemRef) => string | undefined, signal: AbortSignal): Promise<Rewritten<T>> {
    const deferred = new Map<string, ItemRef>();
    const byRaw = new Map(links.map((link) => [link.raw, link]));
    const needed: Array<{ type: string; targetId: string }> = [];
    for (const link of links) {
      if (!link.ref) continue;
      const targetId = resolve(link.ref);
      if (targetId === undefined) deferred.set(refKey(link.ref), link.ref);
      else if (link.form !== 'query') needed.push({ type: link.ref.type, targetId });
      if (link.form !== 'permalink') continue;
      for (const sourceId of link.pageParents ?? []) {
        const parent = { type: 'page', sourceId };
        const parentId = resolve(parent);
        // Not written yet: the page's address changes once it is, so this item is written again then.
        if (parentId === undefined) deferred.set(refKey(parent), parent);
        else needed.push({ type: 'page', targetId: parentId });
      }
    }
    // What this rewrite reads is kept apart: another batch saving a page meanwhile empties the shared cache.
    const seen = new Map<string, TargetObject>();
    const view: ObjectView = {
      get: (key) => seen.get(key) ?? this.objects.get(key),
      ensure: async (objects) => {
        for (const [key, object] of await this.prepare(objects, signal)) seen.set(key, object);
      },
    };
    await view.ensure(needed);
    const { index } = await this.api.root(signal);
    const home = index.home || index.url;
    // Links to pages get the address the page has under the copies of its source ancestors, even
    // while the copy is not under its parent yet (that comes in the engine's second pass, in an order
    // this item's write does not know).
    const pageLinks = new Map<string, string>();
    for (const link of links) {
      if (!link.ref || !link.pageKey || link.form !== 'permalink') continue;
      const targetId = resolve(link.ref);
      const object = targetId === undefined ? undefined : view.get(`${link.ref.type}:${targetId}`);
      if (!object?.link || targetId === undefined) continue;
      const final = link.pageParents ? await this.pageLink(view, targetId, link.pageParents.map((sourceId) => resolve({ type: 'page', sourceId }))) : undefined;
      if (final) pageLinks.set(link.raw, final);
      else if (!isFinalPageLink(object.link, link.pageKey)) deferred.set(refKey(link.ref), link.ref);
    }
    const replaceUrl = (raw: string): string | undefined => {
      const link = byRaw.get(raw);
      if (!link) return undefined;
      const targetId = link.ref ? resolve(link.ref) : undefined;
      if (link.ref && targetId === undefined) return undefined;
      const object = link.ref && targetId !== undefined ? view.get(`${link.ref.type}:${targetId}`) : undefined;
      const pageLink = pageLinks.get(raw);
      return targetUrlOf(link, targetId, pageLink ? { ...object, link: pageLink } : object, home);
    };
    const replaceMediaId = (id: string): string | undefined => {
      const ref = { type: 'media', sourceId: id };
      const targetId = resolve(ref);
      if (targetId === undefined) deferred.set(refKey(ref), ref);
      return targetId;
    };
    const out: Record<string, string> = {};
    for (const [name, text] of Object.entries(texts)) out[name] = rewriteText(text, replaceUrl, replaceMediaId);
    return { texts: out as T, deferred: [...deferred.values()] };
  }

  /**
   * The address of a target page under the given ancestors (target ids, top
   * first; an ancestor that is not on the target cuts the path there, as it
   * cuts the copy's parents): its current address with the path of its
   * current ancestors swapped for theirs. Undefined when that cannot be told.
   */
  private async pageLink(view: ObjectView, targetId: string, ancestors: ReadonlyArray<string | undefined>): Promise<string | undefined> {
    const page = view.get(`page:${targetId}`);
    if (!page?.link || page.slug === undefined) return undefined;
    const current = await this.currentAncestors(view, page);
    if (!current) return undefined;
    const kept = ancestors.slice(ancestors.lastIndexOf(undefined) + 1);
    const wanted: string[] = [];
    for (const id of kept) {
      const up = view.get(`page:${id}`);
      if (!up || up.slug === undefined) return undefined;
      wanted.push(up.slug);
    }
    // Like get_page_uri: ancestors without a slug leave no segment.
    const path = (slugs: string[]) => [...slugs, page.slug].filter(Boolean).join('/');
    return pageLinkUnder(page.link, path(current), path(wanted));
  }

  /** Slugs of a target page's ancestors as they are now, top first. */
  private async currentAncestors(view: ObjectView, page: TargetObject): Promise<string[] | undefined> {
    const slugs: string[] = [];
    const seen = new Set<number>();
    let parent = page.parent ?? 0;
    while (parent > 0) {
      if (seen.has(parent)) return undefined;
      seen.add(parent);
      await view.ensure([{ type: 'page', targetId: String(parent) }]);
      const up = view.get(`page:${parent}`);
      if (!up || up.slug === undefined) return undefined;
      slugs.unshift(up.slug);
      parent = up.parent ?? 0;
    }
    return slugs;
  }

  /** Reads the addresses of these target objects, those not known yet; answers those it knows (type:id -> object). */
  async prepare(objects: ReadonlyArray<{ type: string; targetId: string }>, signal: AbortSignal): Promise<Map<string, TargetObject>> {
    const out = new Map<string, TargetObject>();
    const byType = new Map<string, Set<string>>();
    for (const { type, targetId } of objects) {
      const known = this.objects.get(`${type}:${targetId}`);
      if (known) out.set(`${type}:${targetId}`, known);
      if (known || !ROUTE_OF_TYPE[type]) continue;
      const ids = byType.get(type) ?? new Set<string>();
      ids.add(targetId);
      byType.set(type, ids);
    }
    for (const [type, set] of byType) {
      const ids = [...set];
      for (let i = 0; i < ids.length; i += IDS_PER_CALL) {
        const chunk = ids.slice(i, i + IDS_PER_CALL);
        const isPost = type === 'post' || type === 'page';
        const rows = await this.api.get(ROUTE_OF_TYPE[type]!, {
          signal,
          query: { include: chunk, per_page: IDS_PER_CALL, _fields: 'id,link,slug,parent,source_url,media_details', ...(isPost ? { status: 'any' } : {}), ...(type === 'category' || type === 'tag' ? { hide_empty: false } : {}) },
          what: `reading the addresses of ${type} ${chunk.join(', ')} on the target`,
        });
        for (const row of z.array(objectRowSchema).parse(rows)) {
          const object = toObject(row);
          this.objects.set(`${type}:${row.id}`, object);
          out.set(`${type}:${row.id}`, object);
        }
      }
    }
    return out;
  }
}

/** The objects one rewrite has read, over the shared cache. */
interface ObjectView {
  get(key: string): TargetObject | undefined;
  ensure(objects: ReadonlyArray<{ type: string; targetId: string }>): Promise<void>;
}

function toObject(row: z.infer<typeof objectRowSchema>): TargetObject {
  const sizes: Record<string, string> = {};
  for (const [name, size] of Object.entries(row.media_details?.sizes ?? {})) if (size.source_url) sizes[name] = size.source_url;
  const folder = row.source_url ? row.source_url.slice(0, row.source_url.lastIndexOf('/') + 1) : undefined;
  const original = row.media_details?.original_image && folder ? folder + row.media_details.original_image : undefined;
  return {
    ...(row.link ? { link: row.link } : {}),
    ...(row.source_url ? { sourceUrl: row.source_url } : {}),
    ...(Object.keys(sizes).length > 0 ? { sizes } : {}),
    ...(original ? { original } : {}),
    ...(row.slug !== undefined ? { slug: row.slug } : {}),
    ...(typeof row.parent === 'number' ? { parent: row.parent } : {}),
  };
}

function refKey(ref: ItemRef): string {
  return `${ref.type}\u0000${ref.sourceId}`;
}
