import pLimit from 'p-limit';
import { z } from 'zod';
import type { MwContext } from './context.js';
import { deletePage } from './pages.js';
import { fullTitle } from './titles.js';
import { pageNamespaces } from './site-info.js';

/**
 * Empties a wiki: deletes every page of every namespace and every file,
 * except the user page of the account Ferry uses. Users stay (MediaWiki
 * cannot delete them). Deleted pages go to the archive, as with any
 * deletion: an administrator can still restore them.
 */

const DELETE_CONCURRENCY = 2;

export async function resetWiki(
  ctx: MwContext,
  options: { signal: AbortSignal; onProgress?: (done: number) => void },
): Promise<{ removed: number }> {
  const { signal } = options;
  const site = await ctx.site(signal);
  await ctx.api.ensureLogin(signal);
  const keep = fullTitle({ ns: 2, text: ctx.api.userName }, site);
  let removed = 0;
  const limit = pLimit(DELETE_CONCURRENCY);
  const remove = async (page: { pageid?: number; title?: string }): Promise<void> => {
    if ((await deletePage(ctx, page, signal)) === 'removed') removed++;
    options.onProgress?.(removed);
  };
  for (const ns of pageNamespaces(site)) {
    const ids: number[] = [];
    // List first, delete after: deleting while continuing a listing would skip pages.
    for await (const batch of ctx.api.query({ list: 'allpages', apnamespace: ns.id, aplimit: 'max' }, signal)) {
      const rows = z.array(z.object({ pageid: z.number(), title: z.string() })).parse(batch.query.allpages ?? []);
      ids.push(...rows.filter((r) => r.title !== keep).map((r) => r.pageid));
    }
    await Promise.all(ids.map((pageid) => limit(() => remove({ pageid }))));
  }
  // A file whose description page was deleted separately is still listed here.
  const files: string[] = [];
  for await (const batch of ctx.api.query({ list: 'allimages', ailimit: 'max' }, signal)) {
    const rows = z.array(z.object({ name: z.string() })).parse(batch.query.allimages ?? []);
    files.push(...rows.map((r) => fullTitle({ ns: 6, text: r.name.replace(/_/g, ' ') }, site)));
  }
  await Promise.all(files.map((title) => limit(() => remove({ title }))));
  ctx.connector.log('info', `reset: deleted ${removed} page(s) and file(s); kept ${keep}`);
  return { removed };
}
