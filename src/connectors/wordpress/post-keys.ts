import { z } from 'zod';
import type { WpApi } from './api-client.js';

/**
 * Natural keys of posts, pages and attachments, and which of the three an
 * id is. A post is known by its slug, a page by the path of slugs from its
 * top ancestor (`about/team`: slugs repeat under different parents), an
 * attachment by its slug (unique among all of a site's posts). A draft
 * that has no slug yet is known by its date and title.
 */

export type PostKind = 'post' | 'page' | 'media';

export interface PostBrief {
  id: number;
  kind: PostKind;
  slug: string;
  parent: number;
  status: string;
  title: string;
  dateGmt: string;
  link: string;
}

export const ROUTES: Readonly<Record<PostKind, string>> = { post: 'wp/v2/posts', page: 'wp/v2/pages', media: 'wp/v2/media' };

const briefSchema = z.object({
  id: z.number(),
  slug: z.string().default(''),
  parent: z.number().nullable().optional(),
  post: z.number().nullable().optional(),
  status: z.string().default(''),
  title: z.object({ raw: z.string().default('') }).partial().default({}),
  date_gmt: z.string().nullable().default(''),
  link: z.string().default(''),
});

const BRIEF_FIELDS = 'id,slug,parent,post,status,title,date_gmt,link';
const IDS_PER_CALL = 100;

/** The key of a draft without a slug: its date and title. */
export function slugless(dateGmt: string, title: string): string {
  return `~draft~${dateGmt}~${title}`;
}

export function parseSlugless(key: string): { dateGmt: string; title: string } | undefined {
  const match = /^~draft~([^~]*)~([\s\S]*)$/.exec(key);
  return match ? { dateGmt: match[1]!, title: match[2]! } : undefined;
}

/** Brief of one row of a posts/pages/media answer (context=edit). */
export function briefOf(kind: PostKind, row: unknown): PostBrief {
  const data = briefSchema.parse(row);
  return {
    id: data.id,
    kind,
    slug: data.slug,
    // Attachments name their parent post `post`; pages name theirs `parent`.
    parent: kind === 'media' ? 0 : (data.parent ?? 0),
    status: data.status,
    title: data.title.raw ?? '',
    dateGmt: data.date_gmt ?? '',
    link: data.link,
  };
}

export class PostKeys {
  private readonly briefs = new Map<number, PostBrief>();

  constructor(private readonly api: WpApi) {}

  remember(brief: PostBrief): void {
    this.briefs.set(brief.id, brief);
  }

  forget(id: number): void {
    this.briefs.delete(id);
  }

  /** Briefs of ids, looked up among the given kinds (in that order); unknown ids are absent. */
  async briefsOf(ids: number[], signal: AbortSignal, kinds: readonly PostKind[] = ['post', 'page', 'media']): Promise<Map<number, PostBrief>> {
    const out = new Map<number, PostBrief>();
    let missing = [...new Set(ids.filter((id) => id > 0))];
    for (const id of missing) {
      const known = this.briefs.get(id);
      if (known && kinds.includes(known.kind)) out.set(id, known);
    }
    missing = missing.filter((id) => !out.has(id));
    for (const kind of kinds) {
      if (missing.length === 0) break;
      for (let i = 0; i < missing.length; i += IDS_PER_CALL) {
        const chunk = missing.slice(i, i + IDS_PER_CALL);
        const rows = await this.api.get(ROUTES[kind], {
          signal,
          query: { include: chunk, per_page: IDS_PER_CALL, context: 'edit', _fields: BRIEF_FIELDS, ...(kind === 'media' ? {} : { status: 'any' }) },
          what: `reading ${kind} ids`,
        });
        for (const row of z.array(z.unknown()).parse(rows)) {
          const brief = briefOf(kind, row);
          this.remember(brief);
          out.set(brief.id, brief);
        }
      }
      missing = missing.filter((id) => !out.has(id));
    }
    return out;
  }

  /** The natural key of a post, page or attachment id, or undefined when the site has no such object. */
  async keyOf(id: number, signal: AbortSignal, kinds?: readonly PostKind[]): Promise<{ kind: PostKind; key: string } | undefined> {
    const brief = (await this.briefsOf([id], signal, kinds)).get(id);
    if (!brief) return undefined;
    return { kind: brief.kind, key: await this.keyOfBrief(brief, signal) };
  }

  async keyOfBrief(brief: PostBrief, signal: AbortSignal): Promise<string> {
    if (brief.kind !== 'page') return brief.slug || slugless(brief.dateGmt, brief.title);
    return this.pagePath(brief, signal);
  }

  /** `grandparent/parent/slug`, from the page's ancestors. */
  async pagePath(brief: PostBrief, signal: AbortSignal): Promise<string> {
    if (!brief.slug) return slugless(brief.dateGmt, brief.title);
    return [...(await this.ancestorsOf(brief, signal)).map((up) => up.slug || `~${up.id}`), brief.slug].join('/');
  }

  /** The ancestors of a page, top first, as far as the site shows them. */
  async ancestorsOf(brief: PostBrief, signal: AbortSignal): Promise<PostBrief[]> {
    const out: PostBrief[] = [];
    const seen = new Set([brief.id]);
    let parent = brief.parent;
    while (parent > 0 && !seen.has(parent)) {
      seen.add(parent);
      const up = (await this.briefsOf([parent], signal, ['page'])).get(parent);
      if (!up) break;
      out.unshift(up);
      parent = up.parent;
    }
    return out;
  }
}
