import { describe, expect, it } from 'vitest';
import type { ItemRef, SourceItem, WriteOutcome, WriteRequest } from '../../sdk/connector.js';
import { ConnectorError } from '../../sdk/errors.js';
import { batchMaxOf, type BatchAnswer, type BatchRequest } from './api-client.js';
import { writeComments } from './comment-write.js';
import { lookupComments, type CommentData } from './comments.js';
import type { WpContext } from './context.js';
import { writeTerms, type TermData } from './terms.js';

/**
 * The connector's batched writes against a stand-in for the REST API that
 * answers as WordPress 6.1 does (only the calls these writes make).
 */

interface Call {
  method: string;
  route: string;
  body?: unknown;
  query?: Record<string, unknown>;
}

function fakeTarget(options: { batchMax: number; existingTags?: Array<{ id: number; slug: string; name: string }>; refuse?: Record<string, { status: number; body: unknown }>; commentDelayMs?: (body: Record<string, unknown>) => number }) {
  const calls: Call[] = [];
  let nextId = 100;
  const terms = [...(options.existingTags ?? []).map((t) => ({ ...t, description: '', parent: 0 }))];
  const createTerm = (body: Record<string, unknown>): BatchAnswer => {
    const refused = options.refuse?.[String(body.slug)];
    if (refused) return refused;
    const row = { id: nextId++, name: String(body.name), slug: String(body.slug), description: String(body.description ?? ''), parent: Number(body.parent ?? 0) };
    terms.push(row);
    return { status: 201, body: row };
  };
  const api = {
    root: async () => ({ style: { kind: 'path', root: 'http://t/wp-json/' }, index: { batchMax: options.batchMax } }),
    all: async (route: string, o: { query?: Record<string, unknown> }) => {
      calls.push({ method: 'GET', route, ...(o.query ? { query: o.query } : {}) });
      return [];
    },
    get: async (route: string, o: { query?: Record<string, unknown> }) => {
      calls.push({ method: 'GET', route, ...(o.query ? { query: o.query } : {}) });
      const slugs = o.query?.slug;
      const wanted = Array.isArray(slugs) ? slugs.map(String) : slugs === undefined ? [] : [String(slugs)];
      return terms.filter((t) => wanted.includes(t.slug));
    },
    post: async (route: string, body: Record<string, unknown>) => {
      calls.push({ method: 'POST', route, body });
      if (route.startsWith('wp/v2/comments')) {
        await new Promise((resolve) => setTimeout(resolve, options.commentDelayMs?.(body) ?? 0));
        return { id: nextId++, post: body.post, parent: body.parent ?? 0, author: body.author ?? 0, author_name: body.author_name, author_email: body.author_email, author_url: body.author_url ?? '', author_ip: '127.0.0.1', author_user_agent: '', date_gmt: body.date_gmt, content: { raw: body.content }, status: body.status, type: 'comment' };
      }
      const answer = createTerm(body);
      if (answer.status >= 300) throw new ConnectorError(`creating failed: HTTP ${answer.status} ${JSON.stringify(answer.body)}`, { kind: 'data' });
      return answer.body;
    },
    batch: async (requests: BatchRequest[]) => {
      calls.push({ method: 'BATCH', route: 'batch/v1', body: requests });
      return requests.map((r) => createTerm(r.body));
    },
  };
  const ctx = {
    api,
    connector: { log: () => undefined, userAgent: 'test', tempDir: '/tmp' },
    targetLinks: { rewrite: async (texts: Record<string, string>) => ({ texts, deferred: [] }), forget: () => undefined },
    commentsClosed: new Set<number>(),
    commentWrites: new Map<string, Promise<string | undefined>>(),
    writtenPosts: new Map<string, number>(),
    createdPosts: new Set<number>(),
    media: { writes: 0 },
    uncertainCommentPosts: new Set<number>(),
    sessionComments: new Map<string, { post: number; ref: { targetId: string; version?: string } }>(),
    exclusive: <T>(_key: string, work: () => Promise<T>) => work(),
  } as unknown as WpContext;
  return { ctx, calls, terms };
}

function termRequest(taxonomy: 'tag' | 'category', id: number, slug: string, parent = 0, resolve: (ref: ItemRef) => string | undefined = () => undefined): WriteRequest {
  const data: TermData = { id, taxonomy, name: slug.toUpperCase(), slug, description: '', parent, links: [] };
  const item: SourceItem<TermData> = { type: taxonomy, sourceId: String(id), key: slug, label: data.name, hash: 'h', refs: [], data };
  return { item, mode: 'create', resolve };
}

const signal = new AbortController().signal;
const ids = (outcomes: WriteOutcome[]) => outcomes.map((o) => (o.ok ? o.result.targetId : `failed: ${o.error instanceof Error ? o.error.message : String(o.error)}`));

describe('batchMaxOf', () => {
  it('reads requests.maxItems of /batch/v1 from the REST index routes', () => {
    const routes = { '/batch/v1': { endpoints: [{ methods: ['POST'], args: { validation: {}, requests: { type: 'array', maxItems: 25 } } }] } };
    expect(batchMaxOf(routes)).toBe(25);
    expect(batchMaxOf({})).toBe(0);
    expect(batchMaxOf(undefined)).toBe(0);
  });
});

describe('writeTerms with /batch/v1', () => {
  it('creates plain terms in one batch call after one bulk look-up, each mapped to its own id', async () => {
    const { ctx, calls } = fakeTarget({ batchMax: 25 });
    const outcomes = await writeTerms(ctx, 'tag', [termRequest('tag', 1, 'alpha'), termRequest('tag', 2, 'beta'), termRequest('tag', 3, 'gamma')], signal);
    expect(ids(outcomes)).toEqual(['100', '101', '102']);
    expect(outcomes.every((o) => o.ok && o.result.outcome === 'created')).toBe(true);
    expect(calls.map((c) => c.method)).toEqual(['GET', 'BATCH']);
  });

  it('fails only the refused term, with its reason, and keeps the others', async () => {
    const { ctx } = fakeTarget({ batchMax: 25, refuse: { beta: { status: 400, body: { code: 'term_exists', message: 'A term with the name provided already exists.', data: { status: 400 } } } } });
    const outcomes = await writeTerms(ctx, 'tag', [termRequest('tag', 1, 'alpha'), termRequest('tag', 2, 'beta'), termRequest('tag', 3, 'gamma')], signal);
    expect(outcomes[0]).toMatchObject({ ok: true, result: { targetId: '100', outcome: 'created' } });
    expect(outcomes[2]).toMatchObject({ ok: true, result: { targetId: '101', outcome: 'created' } });
    expect(outcomes[1]!.ok).toBe(false);
    const error = (outcomes[1] as { error: ConnectorError }).error;
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.kind).toBe('conflict');
    expect(error.message).toContain('another slug than "beta"');
  });

  it('writes a term already on the target one by one (unchanged), and a slug WordPress would rewrite with its own look-up', async () => {
    const { ctx, calls } = fakeTarget({ batchMax: 25, existingTags: [{ id: 7, slug: 'alpha', name: 'ALPHA' }] });
    const outcomes = await writeTerms(ctx, 'tag', [termRequest('tag', 1, 'alpha'), termRequest('tag', 2, 'Café'), termRequest('tag', 3, 'gamma')], signal);
    expect(outcomes[0]).toMatchObject({ ok: true, result: { targetId: '7', outcome: 'unchanged' } });
    expect(outcomes[2]).toMatchObject({ ok: true, result: { outcome: 'created' } });
    expect(outcomes[1]).toMatchObject({ ok: true, result: { outcome: 'created' } });
    // The odd slug had its own look-up by slug before its create, as before batching.
    expect(calls.some((c) => c.method === 'GET' && c.query?.slug === 'Café')).toBe(true);
  });

  it('puts a category under a parent created in the same batch (no second pass), in a second wave of the batch endpoint', async () => {
    const { ctx, terms, calls } = fakeTarget({ batchMax: 25 });
    const outcomes = await writeTerms(ctx, 'category', [termRequest('category', 2, 'child', 1), termRequest('category', 1, 'parent')], signal);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const parentId = Number((outcomes[1] as { result: { targetId: string } }).result.targetId);
    expect(terms.find((t) => t.slug === 'child')?.parent).toBe(parentId);
    expect((outcomes[0] as { result: { deferred?: unknown } }).result.deferred).toBeUndefined();
    expect(calls.map((c) => c.method)).toEqual(['GET', 'BATCH', 'GET', 'BATCH']);
  });

  it('writes one by one when the site has no batch endpoint', async () => {
    const { ctx, calls } = fakeTarget({ batchMax: 0 });
    const outcomes = await writeTerms(ctx, 'tag', [termRequest('tag', 1, 'alpha'), termRequest('tag', 2, 'beta')], signal);
    expect(ids(outcomes)).toEqual(['100', '101']);
    expect(calls.filter((c) => c.method === 'BATCH')).toHaveLength(0);
  });
});

describe('writeComments, a reply whose parent another batch is writing', () => {
  function commentRequest(id: number, parent: number): WriteRequest {
    const data = { id, post: 1, postType: 'post', parent, author: 0, author_name: 'A', author_email: 'a@example.org', author_url: '', author_ip: '10.0.0.1', author_user_agent: '', date_gmt: '2024-01-01T00:00:00', content: `words ${id}`, status: 'approved', type: 'comment', links: [] } as unknown as CommentData;
    const item: SourceItem<CommentData> = { type: 'comment', sourceId: String(id), key: String(id), label: `c${id}`, hash: 'h', refs: [], data };
    return { item, mode: 'create', resolve: (ref) => (ref.type === 'post' ? '50' : undefined) };
  }

  it('waits for the parent instead of deferring the reply', async () => {
    // The parent's write is slow; the reply's batch starts while it is on its way.
    const { ctx, calls } = fakeTarget({ batchMax: 25, commentDelayMs: (body) => (body.content === 'words 1' ? 50 : 0) });
    const parentBatch = writeComments(ctx, [commentRequest(1, 0)], signal);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const replyBatch = writeComments(ctx, [commentRequest(2, 1)], signal);
    const [[parent], [reply]] = await Promise.all([parentBatch, replyBatch]);
    expect(parent!.ok && reply!.ok).toBe(true);
    const parentId = Number((parent as { result: { targetId: string } }).result.targetId);
    expect((reply as { result: { deferred?: unknown } }).result.deferred).toBeUndefined();
    expect(calls.find((c) => (c.body as Record<string, unknown>)?.content === 'words 2')?.body).toMatchObject({ parent: parentId });
  });

  it('still defers a reply whose parent nobody is writing', async () => {
    const { ctx } = fakeTarget({ batchMax: 25 });
    const [reply] = await writeComments(ctx, [commentRequest(2, 1)], signal);
    expect(reply).toMatchObject({ ok: true, result: { deferred: [{ type: 'comment', sourceId: '1' }] } });
  });
});

describe('lookupComments after the posts step', () => {
  it('takes the target id of a post this session wrote from memory: no slug look-up', async () => {
    const { ctx, calls } = fakeTarget({ batchMax: 25 });
    ctx.writtenPosts.set('post:hello-world', 42);
    const found = await lookupComments(ctx, ['post:hello-world \u241F 2024-01-01T00:00:00 \u241F a@example.org \u241F abc'], signal);
    expect(found.size).toBe(0);
    expect(calls.some((c) => c.route === 'wp/v2/posts')).toBe(false);
    const commentReads = calls.filter((c) => c.route === 'wp/v2/comments');
    expect(commentReads.length).toBeGreaterThan(0);
    expect(commentReads.every((c) => String(c.query?.post) === '42')).toBe(true);
  });
});

describe('lookupComments on posts this session created', () => {
  const key = 'post:new-post \u241F 2024-01-01T00:00:00 \u241F a@example.org \u241F abc';

  it('reads no comments of a post this session created: only its own writes can be there', async () => {
    const { ctx, calls } = fakeTarget({ batchMax: 25 });
    ctx.writtenPosts.set('post:new-post', 77);
    ctx.createdPosts.add(77);
    expect((await lookupComments(ctx, [key], signal)).size).toBe(0);
    expect(calls.filter((c) => c.route === 'wp/v2/comments')).toEqual([]);
  });

  it('finds the comments this session wrote there from memory, with their target ids', async () => {
    const { ctx, calls } = fakeTarget({ batchMax: 25 });
    ctx.writtenPosts.set('post:new-post', 77);
    ctx.createdPosts.add(77);
    const data: CommentData = { id: 5, post: 9, postType: 'post', parent: 0, author: 0, author_name: 'A', author_email: 'a@example.org', author_url: '', author_ip: '127.0.0.1', author_user_agent: '', date_gmt: '2024-01-01T00:00:00', content: 'words', status: 'approved', links: [] };
    const item: SourceItem<CommentData> = { type: 'comment', sourceId: '5', key, label: 'c5', hash: 'h', refs: [], data };
    const [outcome] = await writeComments(ctx, [{ item, mode: 'create', resolve: (ref) => (ref.type === 'post' ? '77' : undefined) }], signal);
    expect(outcome!.ok).toBe(true);
    const targetId = (outcome as { result: { targetId: string } }).result.targetId;
    calls.length = 0;
    expect((await lookupComments(ctx, [key], signal)).get(key)?.targetId).toBe(targetId);
    expect(calls.filter((c) => c.route === 'wp/v2/comments')).toEqual([]);
  });

  it('reads them again once a comment write on that post failed (it may have reached the site)', async () => {
    const { ctx, calls } = fakeTarget({ batchMax: 25 });
    ctx.writtenPosts.set('post:new-post', 77);
    ctx.createdPosts.add(77);
    const data: CommentData = { id: 5, post: 9, postType: 'post', parent: 0, author: 0, author_name: 'A', author_email: 'a@example.org', author_url: '', author_ip: '127.0.0.1', author_user_agent: '', date_gmt: '2024-01-01T00:00:00', content: 'words', status: 'approved', links: [] };
    const item: SourceItem<CommentData> = { type: 'comment', sourceId: '5', key, label: 'c5', hash: 'h', refs: [], data };
    // The post resolves, the parent write throws: the outcome is a failure.
    const request: WriteRequest = { item, mode: 'create', resolve: (ref) => (ref.type === 'post' ? '77' : undefined) };
    ctx.api.post = async () => {
      throw new ConnectorError('HTTP 502 from the target', { kind: 'transient' });
    };
    const [outcome] = await writeComments(ctx, [request], signal);
    expect(outcome!.ok).toBe(false);
    await lookupComments(ctx, [key], signal);
    const reads = calls.filter((c) => c.route === 'wp/v2/comments' && c.method === 'GET');
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((c) => String(c.query?.post) === '77')).toBe(true);
  });
});

describe('lookupMedia from one listing of the target', () => {
  function mediaTarget(total: number, rows: Array<{ id: number; slug: string }>) {
    const { ctx, calls } = fakeTarget({ batchMax: 25 });
    const api = ctx.api as unknown as Record<string, unknown>;
    api.pages = async function* (route: string, o: { query?: Record<string, unknown> }) {
      calls.push({ method: 'GET', route, ...(o.query ? { query: o.query } : {}) });
      yield { items: rows, page: 1, totalPages: 1, total };
    };
    api.get = async (route: string, o: { query?: Record<string, unknown> }) => {
      calls.push({ method: 'GET', route, ...(o.query ? { query: o.query } : {}) });
      const wanted = ([] as unknown[]).concat(o.query?.slug ?? []).map(String);
      return rows.filter((r) => wanted.includes(r.slug));
    };
    return { ctx, calls };
  }

  it('lists the library once, then answers every look-up from it and from this session\'s uploads', async () => {
    const { lookupMedia, mediaWritten } = await import('./media.js');
    const { ctx, calls } = mediaTarget(2, [{ id: 3, slug: 'cat-photo' }, { id: 4, slug: '%e6%9d%b1' }]);
    expect((await lookupMedia(ctx, ['cat-photo'], signal)).get('cat-photo')?.targetId).toBe('3');
    expect((await lookupMedia(ctx, ['東'], signal)).get('東')?.targetId).toBe('4');
    expect((await lookupMedia(ctx, ['dog'], signal)).size).toBe(0);
    mediaWritten(ctx, (await import('./media.js')).mediaRowSchema.parse({ id: 9, slug: 'dog' }));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect((await lookupMedia(ctx, ['dog'], signal)).get('dog')?.targetId).toBe('9');
    expect(calls.filter((c) => c.route === 'wp/v2/media')).toHaveLength(1);
  });

  it('asks the site again after a failed write, and per key on a big library', async () => {
    const { lookupMedia, mediaWritten, MEDIA_INDEX_MAX } = await import('./media.js');
    const small = mediaTarget(1, [{ id: 3, slug: 'cat-photo' }]);
    await lookupMedia(small.ctx, ['cat-photo'], signal);
    mediaWritten(small.ctx, undefined);
    await lookupMedia(small.ctx, ['cat-photo'], signal);
    expect(small.calls.filter((c) => c.route === 'wp/v2/media')).toHaveLength(2);

    const big = mediaTarget(MEDIA_INDEX_MAX + 1, [{ id: 3, slug: 'cat-photo' }]);
    expect((await lookupMedia(big.ctx, ['cat-photo'], signal)).get('cat-photo')?.targetId).toBe('3');
    expect((await lookupMedia(big.ctx, ['cat-photo'], signal)).get('cat-photo')?.targetId).toBe('3');
    // One listing (given up at its first page), then one slug query per look-up.
    expect(big.calls.filter((c) => c.route === 'wp/v2/media').map((c) => (c.query?.slug ? 'slug' : 'list'))).toEqual(['list', 'slug', 'slug']);
  });
});
