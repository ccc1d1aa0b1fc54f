import { z } from 'zod';
import type { ItemRef } from '../../sdk/connector.js';
import type { WpApi } from './api-client.js';
import { isFinalPageLink, rewriteText, targetUrlOf, type LinkRef, type TargetObject } from './links.js';

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
    }
    await this.prepare(needed, signal);
    const { index } = await this.api.root(signal);
    const home = index.home || index.url;
    for (const link of links) {
      // A page not under its parent yet (that comes in the second pass) has a provisional address.
      if (!link.ref || !link.pageKey || link.form !== 'permalink') continue;
      const targetId = resolve(link.ref);
      const object = targetId === undefined ? undefined : this.objects.get(`${link.ref.type}:${targetId}`);
      if (object?.link && !isFinalPageLink(object.link, link.pageKey)) deferred.set(refKey(link.ref), link.ref);
    }
    const replaceUrl = (raw: string): string | undefined => {
      const link = byRaw.get(raw);
      if (!link) return undefined;
      const targetId = link.ref ? resolve(link.ref) : undefined;
      if (link.ref && targetId === undefined) return undefined;
      const object = link.ref && targetId !== undefined ? this.objects.get(`${link.ref.type}:${targetId}`) : undefined;
      return targetUrlOf(link, targetId, object, home);
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

  /** Reads the addresses of these target objects, those not known yet. */
  async prepare(objects: ReadonlyArray<{ type: string; targetId: string }>, signal: AbortSignal): Promise<void> {
    const byType = new Map<string, Set<string>>();
    for (const { type, targetId } of objects) {
      if (this.objects.has(`${type}:${targetId}`) || !ROUTE_OF_TYPE[type]) continue;
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
          query: { include: chunk, per_page: IDS_PER_CALL, _fields: 'id,link,source_url,media_details', ...(isPost ? { status: 'any' } : {}), ...(type === 'category' || type === 'tag' ? { hide_empty: false } : {}) },
          what: `reading the addresses of ${type} ${chunk.join(', ')} on the target`,
        });
        for (const row of z.array(objectRowSchema).parse(rows)) this.objects.set(`${type}:${row.id}`, toObject(row));
      }
    }
  }
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
  };
}

function refKey(ref: ItemRef): string {
  return `${ref.type}\u0000${ref.sourceId}`;
}
