import { describe, expect, it } from 'vitest';
import type { SourceItem, WriteRequest } from '../../sdk/connector.js';
import type { WpContext } from './context.js';
import { PostKeys } from './post-keys.js';
import { writePosts } from './post-write.js';
import type { PostData } from './posts.js';

/**
 * WordPress makes a post format's term when the first post takes that format;
 * two saves at once make two terms and one post ends up "quote-2" (seen on a
 * stock 6.1 at concurrency 4). These saves must not overlap until one has
 * landed, and after that they must not wait for each other.
 */

function post(id: number, format: string): WriteRequest<PostData> {
  const data: PostData = { id, kind: 'post', date_gmt: '2024-01-01T00:00:00', slug: `p-${id}`, status: 'publish', password: '', title: `Post ${id}`, content: '', excerpt: '', author: 0, featured_media: 0, comment_status: 'open', ping_status: 'open', template: '', meta: {}, format, sticky: false, categories: [], tags: [], links: [] };
  const item = { type: 'post', sourceId: String(id), key: `p-${id}`, label: `Post ${id}`, refs: [], data } as unknown as SourceItem<PostData>;
  return { item, mode: 'create', resolve: () => undefined };
}

function fakeSite() {
  const saves: Array<{ format: string; start: number; end: number }> = [];
  let nextId = 500;
  const locks = new Map<string, Promise<unknown>>();
  const api = {
    post: async (_route: string, body: Record<string, unknown>) => {
      const save = { format: String(body.format), start: performance.now(), end: 0 };
      saves.push(save);
      await new Promise((resolve) => setTimeout(resolve, 40));
      save.end = performance.now();
      return { id: nextId++, status: body.status, slug: body.slug, format: body.format, sticky: false, categories: [], tags: [], link: `http://t/?p=${nextId}` };
    },
  };
  const ctx = {
    api,
    connector: { log: () => undefined },
    postKeys: new PostKeys(api as never),
    targetLinks: { rewrite: async (texts: Record<string, string>) => ({ texts, deferred: [] }), forget: () => undefined },
    writtenPosts: new Map(),
    createdPosts: new Set(),
    formatsSaved: new Set<string>(),
    // The session's lock (session.ts): each holder after the one before.
    exclusive: async <T>(key: string, work: () => Promise<T>): Promise<T> => {
      const run = (locks.get(key) ?? Promise.resolve()).catch(() => undefined).then(work);
      locks.set(key, run.catch(() => undefined));
      return run;
    },
  } as unknown as WpContext;
  return { ctx, saves };
}

const overlap = (a: { start: number; end: number }, b: { start: number; end: number }): boolean => a.start < b.end && b.start < a.end;

describe('WordPress post formats', () => {
  it('saves the first posts of a format one at a time, then lets them overlap', async () => {
    const { ctx, saves } = fakeSite();
    const signal = new AbortController().signal;
    // Three writes at once, as the engine sends them: two quotes and a standard post.
    const first = await Promise.all([writePosts(ctx, 'post', [post(1, 'quote')], signal), writePosts(ctx, 'post', [post(2, 'quote')], signal), writePosts(ctx, 'post', [post(3, 'standard')], signal)]);
    expect(first.flat().every((outcome) => outcome.ok)).toBe(true);
    const quotes = saves.filter((s) => s.format === 'quote');
    expect(quotes).toHaveLength(2);
    expect(overlap(quotes[0]!, quotes[1]!), 'the two first quotes were saved at the same time').toBe(false);
    const standard = saves.find((s) => s.format === 'standard')!;
    expect(overlap(standard, quotes[0]!), 'a standard post does not wait for a format').toBe(true);

    // The term exists now: quotes go side by side.
    saves.length = 0;
    await Promise.all([writePosts(ctx, 'post', [post(4, 'quote')], signal), writePosts(ctx, 'post', [post(5, 'quote')], signal)]);
    expect(overlap(saves[0]!, saves[1]!)).toBe(true);
  });
});
