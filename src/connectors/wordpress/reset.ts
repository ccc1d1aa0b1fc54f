import pLimit from 'p-limit';
import { z } from 'zod';
import { hasWpCode } from './api-errors.js';
import type { WpContext } from './context.js';
import { COMMENT_STATUSES } from './comments.js';

/**
 * Empties a site: comments, menu items, menus, posts, pages, media, tags,
 * categories (but the default one) and users (but the account Ferry uses,
 * which inherits their content first). Everything is deleted for good
 * (force=true), not moved to the trash. Settings stay.
 */

const DELETE_CONCURRENCY = 2;

interface Collection {
  route: string;
  query?: Record<string, string | number | boolean>;
  deleteQuery?: Record<string, string | number | boolean>;
  /** Several listing passes (comments: by status). */
  passes?: ReadonlyArray<Record<string, string>>;
}

export async function resetSite(ctx: WpContext, options: { signal: AbortSignal; onProgress?: (done: number) => void }): Promise<{ removed: number }> {
  const { signal } = options;
  const me = await ctx.account(signal);
  const collections: Collection[] = [
    { route: 'wp/v2/comments', passes: COMMENT_STATUSES.map((status) => ({ status })) },
    { route: 'wp/v2/menu-items' },
    { route: 'wp/v2/menus' },
    { route: 'wp/v2/posts', query: { status: 'any' } },
    { route: 'wp/v2/pages', query: { status: 'any' } },
    { route: 'wp/v2/media' },
    { route: 'wp/v2/tags', query: { hide_empty: false } },
    { route: 'wp/v2/categories', query: { hide_empty: false } },
    { route: 'wp/v2/users', deleteQuery: { reassign: me.id } },
  ];
  const limit = pLimit(DELETE_CONCURRENCY);
  let removed = 0;
  for (const collection of collections) {
    const ids = await listIds(ctx, collection, signal);
    const keep = collection.route === 'wp/v2/users' ? new Set([me.id]) : new Set<number>();
    await Promise.all(
      ids.filter((id) => !keep.has(id)).map((id) =>
        limit(async () => {
          try {
            await ctx.api.delete(`${collection.route}/${id}`, { signal, query: { force: true, ...collection.deleteQuery }, what: `deleting ${collection.route.split('/').pop()} ${id}` });
            removed++;
            options.onProgress?.(removed);
          } catch (error) {
            // The default category, and anything deleted meanwhile (a post's comments go with it).
            if (!hasWpCode(error, 'rest_cannot_delete', 'rest_post_invalid_id', 'rest_comment_invalid_id', 'rest_term_invalid', 'rest_user_invalid_id')) throw error;
          }
        }),
      ),
    );
  }
  ctx.connector.log('info', `reset: deleted ${removed} object(s); kept the account "${me.username}" and the settings`);
  return { removed };
}

async function listIds(ctx: WpContext, collection: Collection, signal: AbortSignal): Promise<number[]> {
  const ids: number[] = [];
  // List first, delete after: deleting while paging would skip items.
  for (const pass of collection.passes ?? [{}]) {
    for await (const page of ctx.api.pages(collection.route, { signal, query: { ...collection.query, ...pass, context: 'edit', _fields: 'id' }, what: `listing ${collection.route}` })) {
      ids.push(...z.array(z.object({ id: z.number() })).parse(page.items).map((r) => r.id));
    }
  }
  return [...new Set(ids)];
}
