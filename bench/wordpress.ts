/**
 * The WordPress case of the benchmark: Ferry's throughput and memory, side by
 * side with a minimal REST copy script, on the same generated source site, in
 * one run.
 *
 *   npx tsx bench/wordpress.ts                      # DEFAULT_SITE (200 posts), concurrency 4
 *   npx tsx bench/wordpress.ts --posts 60           # a smaller source
 *   npx tsx bench/wordpress.ts --concurrency 2 --keep
 *   npx tsx bench/wordpress.ts --posts 60 --no-baseline --no-native   # Ferry alone
 *
 * One source site (folder under /dev/shm) is started already filled from the
 * deterministic generator (startFilledSite: filled once, then copied from the
 * cache). Then, one after the other, never at the same time:
 *  - Ferry: a fresh empty target site; `node bin/ferry.js run plan.yaml --json`
 *    in its own process (every type the connector carries, `concurrency: C`),
 *    wall clock and peak RSS (VmHWM polled from /proc every 100 ms, tsx loader
 *    included). Items = created + updated + adopted from the run's summary.
 *  - baseline: another fresh empty target; this process reads the source over
 *    REST (timed separately), then writes users, categories, tags, media
 *    (bytes downloaded from the source inside the write phase), pages, posts
 *    and comments with plain fetch + Basic auth, at most C requests at a time
 *    (p-limit), parents before children, ids mapped in memory. No retries, no
 *    link rewriting, no verification, no settings or menus. Like Ferry, a
 *    comment on a draft or on a post with comments closed needs the post opened
 *    for the moment (WordPress refuses it otherwise): the baseline opens those
 *    posts before the comments and closes them after (timed, not counted as items).
 * Results are printed as a table and written to bench/results/wordpress-latest.json.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { startFilledSite } from '../src/generator/wordpress-filled-site-cache.js';
import { DEFAULT_SITE } from '../src/generator/wordpress-content.js';
import { ensureWordPressPackages, startSite, type SiteInstance } from '../src/harness/wordpress.js';
import { REQUEST_STATS_ENV, REQUEST_STATS_PREFIX, requestKind, type RequestStat } from '../src/connectors/wordpress/api-client.js';
import { describeFailure, LoadSampler, measureProcess, parseJsonOutput, timed, type Measured } from './measure.js';
import { fixed, int, mb, table } from './report.js';
import { runNativeWordPress, type NativeWpResult } from './wordpress-native.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FERRY_BIN = join(REPO, 'bin', 'ferry.js');
const RESULTS_DIR = join(REPO, 'bench', 'results');
const SHM = existsSync('/dev/shm') ? '/dev/shm' : '/tmp';
/** The types the baseline copies too; Ferry also carries settings, menus and menu items. */
const COMPARABLE_TYPES = ['user', 'category', 'tag', 'media', 'page', 'post', 'comment'] as const;

// ---------------------------------------------------------------- results

export interface WordPressBenchOptions {
  posts: number;
  concurrency: number;
  /** Keep the site folders and Ferry's data folder under /dev/shm. */
  keep?: boolean;
  /** Also run WordPress's own path (export_wp() + a WXR import, bench/wordpress-native.ts) into a third site; default true. */
  native?: boolean;
  /** Also run the minimal REST script; default true. */
  baseline?: boolean;
  /** Where the JSON goes; default bench/results/wordpress-latest.json. */
  out?: string;
  /** Progress lines; default: timestamped lines on stdout. */
  onProgress?: (message: string) => void;
}

export interface TypeWritten {
  written: number;
  failed: number;
}

export interface FerryWpResult {
  ok: boolean;
  status: string | null;
  exitCode: number | null;
  seconds: number;
  /** created + updated + adopted over every type (settings and menus included). */
  items: number;
  itemsPerSecond: number | null;
  /** created + updated + adopted over the types the baseline copies too. */
  comparableItems: number;
  peakRssMB: number;
  peakChildRssMB: number;
  cpuSeconds: number;
  load: { mean: number; max: number };
  /** Per type: created + updated + adopted, and failed. */
  types: Record<string, TypeWritten>;
  summary: unknown;
  steps: Array<{ step: string; status: string; done: number; total: number; seconds: number | null }>;
  logFile: string | null;
  /** Every REST request of the run (verify included) by site and kind: count and total ms. */
  requests: RequestStat[];
  error?: string;
}

export interface BaselineWpResult {
  ok: boolean;
  /** Reading the source over REST (not part of the throughput figure). */
  readSeconds: number;
  /** The write phase: what items/s is computed from. */
  seconds: number;
  items: number;
  failed: number;
  itemsPerSecond: number | null;
  requests: number;
  /** The write phase's requests by site and kind. */
  requestKinds: RequestStat[];
  load: { mean: number; max: number };
  types: Record<string, TypeWritten>;
  /** Seconds per phase of the write. */
  phases: Record<string, number>;
  /** The first few failures, as WordPress answered them. */
  failures: string[];
  error?: string;
}

export interface WordPressBenchResult {
  posts: number;
  concurrency: number;
  content: Record<string, number>;
  /** Items the baseline read from the source, per type. */
  sourceItems: Record<string, number>;
  sourceFromCache: boolean;
  sourceSeconds: number;
  ferry: FerryWpResult;
  baseline: BaselineWpResult | null;
  /** export_wp() + the WXR import (null when not run). */
  native: NativeWpResult | null;
  /** Ferry items/s divided by baseline items/s. */
  throughputRatio: number | null;
  /** Ferry items/s on the comparable types only (settings and menus left out) divided by baseline items/s. */
  comparableThroughputRatio: number | null;
  /** host:port -> source / Ferry's target / baseline's target, for the request tables. */
  siteRoles: Record<string, string>;
  environment: Record<string, string | number>;
  finishedAt: string;
}

// ---------------------------------------------------------------- helpers

const defaultSay = (message: string): void => {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};


/** Sites this process started, so errors and Ctrl-C stop every one of them. */
const running = new Set<SiteInstance>();

async function stopSite(site: SiteInstance | undefined): Promise<void> {
  if (!site || !running.has(site)) return;
  running.delete(site);
  await site.stop();
}

async function startEmpty(name: string, baseDir: string): Promise<SiteInstance> {
  const site = await startSite({ name, baseDir });
  running.add(site);
  return site;
}

// ---------------------------------------------------------------- REST (baseline)

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

class Rest {
  requests = 0;
  readonly kinds = new Map<string, RequestStat>();
  private readonly auth: string;

  constructor(readonly site: SiteInstance) {
    this.auth = `Basic ${Buffer.from(`${site.adminUser}:${site.appPassword}`).toString('base64')}`;
  }

  private url(route: string, query: Record<string, string | number> = {}): string {
    const url = new URL(`${this.site.restUrl}/${route}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
    return url.toString();
  }

  async send(method: string, route: string, body?: Json | FormData, query?: Record<string, string | number>): Promise<Json> {
    this.requests++;
    const init: RequestInit = { method, headers: { authorization: this.auth } };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const url = this.url(route, query);
    const t0 = performance.now();
    const response = await fetch(url, init);
    const text = await response.text();
    this.tally(method, url, performance.now() - t0);
    if (!response.ok) throw new Error(`${method} ${route}: HTTP ${response.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as Json;
  }

  tally(method: string, url: string, ms: number): void {
    const kind = requestKind(method, url);
    const stat = this.kinds.get(kind) ?? { kind, site: new URL(this.site.url).host, count: 0, ms: 0 };
    stat.count++;
    stat.ms += ms;
    this.kinds.set(kind, stat);
  }

  /** Every item of a collection, 100 a page. */
  async all(route: string, query: Record<string, string | number> = {}): Promise<Json[]> {
    const items: Json[] = [];
    for (let page = 1; ; page++) {
      this.requests++;
      const response = await fetch(this.url(route, { per_page: 100, context: 'edit', ...query, page }), { headers: { authorization: this.auth } });
      if (!response.ok) throw new Error(`GET ${route}: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
      items.push(...((await response.json()) as Json[]));
      const totalPages = Number(response.headers.get('x-wp-totalpages') ?? '1');
      if (page >= totalPages) return items;
    }
  }
}

interface SourceData {
  users: Json[];
  categories: Json[];
  tags: Json[];
  media: Json[];
  pages: Json[];
  posts: Json[];
  comments: Json[];
}

const POST_STATUSES = 'publish,future,draft,pending,private';

async function readSource(source: Rest): Promise<SourceData> {
  const [users, categories, tags, media, pages, posts, ...comments] = await Promise.all([
    source.all('wp/v2/users', { orderby: 'id', order: 'asc' }),
    source.all('wp/v2/categories', { orderby: 'id', order: 'asc' }),
    source.all('wp/v2/tags', { orderby: 'id', order: 'asc' }),
    source.all('wp/v2/media', { orderby: 'id', order: 'asc' }),
    source.all('wp/v2/pages', { status: POST_STATUSES, orderby: 'id', order: 'asc' }),
    source.all('wp/v2/posts', { status: POST_STATUSES, orderby: 'id', order: 'asc' }),
    ...['all', 'spam', 'trash'].map((status) => source.all('wp/v2/comments', { status, orderby: 'id', order: 'asc' })),
  ]);
  return { users: users!, categories: categories!, tags: tags!, media: media!, pages: pages!, posts: posts!, comments: comments.flat() };
}

/** Items in waves: an item's parent (by `parentOf`, a source id) is always in an earlier wave. */
function waves(items: Json[], parentOf: (item: Json) => number): Json[][] {
  const byId = new Map(items.map((item) => [item.id as number, item]));
  const depth = new Map<number, number>();
  const depthOf = (item: Json, seen = 0): number => {
    const known = depth.get(item.id as number);
    if (known !== undefined) return known;
    const parent = byId.get(parentOf(item));
    const d = parent === undefined || seen > 100 ? 0 : depthOf(parent, seen + 1) + 1;
    depth.set(item.id as number, d);
    return d;
  };
  const result: Json[][] = [];
  for (const item of items) (result[depthOf(item)] ??= []).push(item);
  return result.filter(Boolean);
}

const raw = (field: unknown): string => (typeof field === 'object' && field !== null && 'raw' in field ? String((field as { raw: unknown }).raw ?? '') : String(field ?? ''));

async function runBaseline(source: SiteInstance, target: SiteInstance, concurrency: number, say: (m: string) => void): Promise<{ result: BaselineWpResult; sourceItems: Record<string, number> }> {
  const src = new Rest(source);
  const tgt = new Rest(target);
  const types: Record<string, TypeWritten> = Object.fromEntries(COMPARABLE_TYPES.map((t) => [t, { written: 0, failed: 0 }]));
  const failures: string[] = [];
  const phases: Record<string, number> = {};
  const limit = pLimit(concurrency);

  say('baseline: reading the source over REST');
  const read = await timed(() => readSource(src));
  const data = read.value;
  const sourceItems = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, (v as Json[]).length]));
  say(`baseline: read ${Object.entries(sourceItems).map(([k, n]) => `${n} ${k}`).join(', ')} in ${fixed(read.seconds)} s`);

  // What the fresh target already has and the baseline maps onto (not timed).
  const targetAdmin = await tgt.send('GET', 'wp/v2/users/me');
  const targetUncategorized = (await tgt.send('GET', 'wp/v2/categories', undefined, { slug: 'uncategorized' })) as unknown as Json[];

  const ids = { user: new Map<number, number>(), category: new Map<number, number>(), tag: new Map<number, number>(), media: new Map<number, number>(), post: new Map<number, number>(), comment: new Map<number, number>() };
  const write = async (type: (typeof COMPARABLE_TYPES)[number], map: Map<number, number>, item: Json, call: () => Promise<Json>): Promise<void> => {
    try {
      const created = await call();
      map.set(item.id as number, created.id as number);
      types[type]!.written++;
    } catch (error) {
      types[type]!.failed++;
      if (failures.length < 20) failures.push(`${type} ${item.id}: ${(error as Error).message}`);
    }
  };
  const phase = async (name: string, body: () => Promise<unknown>): Promise<void> => {
    phases[name] = (await timed(body)).seconds;
  };
  const inWaves = async (groups: Json[][], each: (item: Json) => Promise<void>): Promise<void> => {
    for (const group of groups) await Promise.all(group.map((item) => limit(() => each(item))));
  };
  const user = (id: unknown): number => ids.user.get(Number(id)) ?? (targetAdmin.id as number);

  say(`baseline: writing at concurrency ${concurrency}`);
  const sampler = new LoadSampler();
  const requestsBefore = tgt.requests + src.requests;
  src.kinds.clear();
  tgt.kinds.clear();
  const kindsOf = (): RequestStat[] => [...src.kinds.values(), ...tgt.kinds.values()].map((k) => ({ ...k, ms: Math.round(k.ms) }));
  const started = process.hrtime.bigint();
  try {
    await phase('users', () =>
      inWaves([data.users], async (u) => {
        if (u.username === source.adminUser) {
          ids.user.set(u.id as number, targetAdmin.id as number);
          return;
        }
        await write('user', ids.user, u, () =>
          tgt.send('POST', 'wp/v2/users', {
            username: u.username, email: u.email, password: randomBytes(12).toString('hex'), name: u.name, first_name: u.first_name, last_name: u.last_name,
            url: u.url, description: u.description, nickname: u.nickname, slug: u.slug, roles: u.roles, locale: u.locale,
          }),
        );
      }),
    );
    await phase('categories', () =>
      inWaves(waves(data.categories, (c) => c.parent as number), async (c) => {
        if (c.slug === 'uncategorized' && targetUncategorized[0]) {
          ids.category.set(c.id as number, targetUncategorized[0].id as number);
          return;
        }
        await write('category', ids.category, c, () =>
          tgt.send('POST', 'wp/v2/categories', { name: c.name, slug: c.slug, description: c.description, parent: ids.category.get(c.parent as number) ?? 0 }),
        );
      }),
    );
    await phase('tags', () =>
      inWaves([data.tags], (t) => write('tag', ids.tag, t, () => tgt.send('POST', 'wp/v2/tags', { name: t.name, slug: t.slug, description: t.description }))),
    );
    await phase('media', () =>
      inWaves([data.media], (m) =>
        write('media', ids.media, m, async () => {
          src.requests++;
          const t0 = performance.now();
          const download = await fetch(m.source_url as string);
          if (!download.ok) throw new Error(`download ${m.source_url}: HTTP ${download.status}`);
          const form = new FormData();
          form.set('file', new Blob([await download.arrayBuffer()], { type: m.mime_type as string }), basename(new URL(m.source_url as string).pathname));
          src.tally('GET', m.source_url as string, performance.now() - t0);
          form.set('title', raw(m.title));
          form.set('alt_text', String(m.alt_text ?? ''));
          form.set('caption', raw(m.caption));
          form.set('description', raw(m.description));
          form.set('author', String(user(m.author)));
          if (m.date_gmt) form.set('date_gmt', m.date_gmt as string);
          return tgt.send('POST', 'wp/v2/media', form);
        }),
      ),
    );
    const postBody = (p: Json): Json => ({
      title: raw(p.title), content: raw(p.content), excerpt: raw(p.excerpt), status: p.status, date_gmt: p.date_gmt, slug: p.slug, author: user(p.author),
      comment_status: p.comment_status, ping_status: p.ping_status, password: p.password ?? '', template: p.template ?? '', meta: p.meta ?? {},
      featured_media: ids.media.get(p.featured_media as number) ?? 0,
    });
    await phase('pages', () =>
      inWaves(waves(data.pages, (p) => p.parent as number), (p) =>
        write('page', ids.post, p, () => tgt.send('POST', 'wp/v2/pages', { ...postBody(p), parent: ids.post.get(p.parent as number) ?? 0, menu_order: p.menu_order })),
      ),
    );
    await phase('posts', () =>
      inWaves([data.posts], (p) =>
        write('post', ids.post, p, () =>
          tgt.send('POST', 'wp/v2/posts', {
            ...postBody(p), format: p.format, sticky: p.sticky,
            categories: (p.categories as number[]).map((id) => ids.category.get(id)).filter((id) => id !== undefined),
            tags: (p.tags as number[]).map((id) => ids.tag.get(id)).filter((id) => id !== undefined),
          }),
        ),
      ),
    );
    // Comments: only the types and posts that made it; WordPress refuses comments on drafts and closed posts, so open those for the moment.
    const comments = data.comments.filter((c) => (c.type ?? 'comment') === 'comment' && ids.post.has(c.post as number));
    const everyPost = new Map([...data.pages, ...data.posts].map((p) => [p.id as number, p]));
    const toOpen = [...new Set(comments.map((c) => c.post as number))]
      .map((id) => everyPost.get(id)!)
      .filter((p) => p.status === 'draft' || p.comment_status !== 'open');
    const route = (p: Json): string => `wp/v2/${p.type === 'page' ? 'pages' : 'posts'}/${ids.post.get(p.id as number)}`;
    await phase('open posts', () =>
      Promise.all(toOpen.map((p) => limit(() => tgt.send('POST', route(p), { comment_status: 'open', ...(p.status === 'draft' ? { status: 'pending' } : {}) }).catch((e: Error) => failures.push(`open ${p.id}: ${e.message}`))))),
    );
    await phase('comments', () =>
      inWaves(waves(comments, (c) => c.parent as number), (c) =>
        write('comment', ids.comment, c, () =>
          tgt.send('POST', 'wp/v2/comments', {
            post: ids.post.get(c.post as number), parent: ids.comment.get(c.parent as number) ?? 0,
            author_name: c.author_name, author_email: c.author_email, author_url: c.author_url, content: raw(c.content), date_gmt: c.date_gmt, status: c.status,
            // WordPress refuses author 0 and an empty IP: a guest's comment leaves them out.
            ...(c.author ? { author: user(c.author) } : {}),
            ...(c.author_ip ? { author_ip: c.author_ip } : {}),
            ...(c.author_user_agent ? { author_user_agent: c.author_user_agent } : {}),
          }),
        ),
      ),
    );
    await phase('close posts', () =>
      Promise.all(toOpen.map((p) => limit(() => tgt.send('POST', route(p), { comment_status: p.comment_status, ...(p.status === 'draft' ? { status: 'draft' } : {}) }).catch((e: Error) => failures.push(`close ${p.id}: ${e.message}`))))),
    );
  } catch (error) {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      sourceItems,
      result: { ok: false, readSeconds: read.seconds, seconds, items: 0, failed: 0, itemsPerSecond: null, requests: 0, requestKinds: kindsOf(), load: sampler.stop(), types, phases, failures, error: String(error) },
    };
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const load = sampler.stop();
  const items = Object.values(types).reduce((sum, t) => sum + t.written, 0);
  const failed = Object.values(types).reduce((sum, t) => sum + t.failed, 0);
  return {
    sourceItems,
    result: { ok: true, readSeconds: read.seconds, seconds, items, failed, itemsPerSecond: items / seconds, requests: tgt.requests + src.requests - requestsBefore, requestKinds: kindsOf(), load, types, phases, failures },
  };
}

// ---------------------------------------------------------------- Ferry

async function runFerry(source: SiteInstance, target: SiteInstance, base: string, concurrency: number, say: (m: string) => void): Promise<FerryWpResult> {
  const dataDir = join(base, 'ferry-data');
  mkdirSync(dataDir, { recursive: true });
  const env = { ...process.env, [REQUEST_STATS_ENV]: '1', FERRY_BENCH_WP_SOURCE_PW: source.appPassword, FERRY_BENCH_WP_TARGET_PW: target.appPassword };
  const ferry = (args: string[]): Promise<Measured> => measureProcess(process.execPath, [FERRY_BIN, '--data-dir', dataDir, ...args], { cwd: REPO, env });
  for (const [name, site, variable] of [
    ['src', source, 'FERRY_BENCH_WP_SOURCE_PW'],
    ['tgt', target, 'FERRY_BENCH_WP_TARGET_PW'],
  ] as const) {
    const added = await ferry(['connection', 'add', name, '--platform', 'wordpress', '--url', site.url, '--username', site.adminUser, '--password-env', variable]);
    if (added.exitCode !== 0) throw new Error(describeFailure(`ferry connection add ${name}`, added));
  }
  const planFile = join(base, 'plan.yaml');
  writeFileSync(planFile, `name: bench-wp\nsource: src\ntarget: tgt\noptions:\n  concurrency: ${concurrency}\n`);

  say(`Ferry: node bin/ferry.js --data-dir ${dataDir} run ${planFile} --json`);
  const sampler = new LoadSampler();
  const measured = await ferry(['run', planFile, '--json']);
  const load = sampler.stop();
  const run = parseJsonOutput(measured.stdout);
  const status = typeof run?.status === 'string' ? run.status : null;
  const ok = measured.exitCode === 0 && status === 'FINISHED';
  const summary = run?.summary as { types?: Record<string, Record<string, number>>; totals?: Record<string, number> } | undefined;
  const written = (c: Record<string, number> | undefined): number => (c ? (c.created ?? 0) + (c.updated ?? 0) + (c.adopted ?? 0) : 0);
  const types: Record<string, TypeWritten> = Object.fromEntries(
    Object.entries(summary?.types ?? {}).map(([type, c]) => [type, { written: written(c), failed: (c.failed ?? 0) + (c.timedOut ?? 0) }]),
  );
  const items = written(summary?.totals);
  const comparableItems = COMPARABLE_TYPES.reduce((sum, t) => sum + (types[t]?.written ?? 0), 0);

  let steps: FerryWpResult['steps'] = [];
  const statusOut = await ferry(['status', 'bench-wp', '--json']);
  const report = statusOut.exitCode === 0 ? parseJsonOutput(statusOut.stdout) : undefined;
  if (report && Array.isArray(report.steps)) {
    steps = (report.steps as Array<{ label: string; status: string; done: number; total: number; startedAt: string | null; endedAt: string | null }>).map((s) => ({
      step: s.label,
      status: s.status,
      done: s.done,
      total: s.total,
      seconds: s.startedAt && s.endedAt ? (Date.parse(s.endedAt) - Date.parse(s.startedAt)) / 1000 : null,
    }));
  }
  return {
    ok,
    status,
    exitCode: measured.exitCode,
    seconds: measured.seconds,
    items,
    itemsPerSecond: ok ? items / measured.seconds : null,
    comparableItems,
    peakRssMB: mb(measured.peakRssBytes)!,
    peakChildRssMB: mb(measured.peakChildRssBytes)!,
    cpuSeconds: measured.cpuSeconds,
    load,
    types,
    summary: summary ?? null,
    steps,
    logFile: typeof run?.logFile === 'string' ? run.logFile : null,
    requests: parseRequestStats(measured.stderr),
    ...(ok ? {} : { error: describeFailure('ferry run', measured) }),
  };
}

/** The request table the Ferry process printed on stderr when it exited (FERRY_WP_REQUEST_STATS). */
function parseRequestStats(stderr: string): RequestStat[] {
  const line = stderr.split('\n').find((l) => l.startsWith(REQUEST_STATS_PREFIX));
  if (!line) return [];
  try {
    return JSON.parse(line.slice(REQUEST_STATS_PREFIX.length)) as RequestStat[];
  } catch {
    return [];
  }
}

/** Requests by kind, source and target apart, the most time first. */
export function requestTable(stats: RequestStat[], roles: Record<string, string>): string {
  const rows = [...stats].sort((a, b) => b.ms - a.ms);
  const total = rows.reduce((sum, r) => sum + r.count, 0);
  return table(
    [
      ...rows.map((r) => ({ SITE: roles[r.site] ?? r.site, REQUEST: r.kind, COUNT: int(r.count), 'TOTAL MS': int(r.ms), 'MS EACH': fixed(r.ms / r.count) })),
      { SITE: '', REQUEST: 'all', COUNT: int(total), 'TOTAL MS': int(rows.reduce((sum, r) => sum + r.ms, 0)), 'MS EACH': '' },
    ],
    ['SITE', 'REQUEST', 'COUNT', 'TOTAL MS', 'MS EACH'],
    new Set(['COUNT', 'TOTAL MS', 'MS EACH']),
  );
}

// ---------------------------------------------------------------- the bench

/**
 * Starts a filled source site of `posts` posts (the rest as DEFAULT_SITE),
 * migrates it with Ferry into one fresh site and with the baseline script into
 * another, stops every site, writes the JSON and returns the figures.
 *
 * @example
 * const result = await runWordPressBench({ posts: 60, concurrency: 4 });
 */
export async function runWordPressBench(options: WordPressBenchOptions): Promise<WordPressBenchResult> {
  const say = options.onProgress ?? defaultSay;
  if (!Number.isInteger(options.posts) || options.posts < 0) throw new Error('posts must be a whole number');
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1 || options.concurrency > 16) throw new Error('concurrency must be 1-16');
  await ensureWordPressPackages();
  const content = { ...DEFAULT_SITE, posts: options.posts };
  const base = mkdtempSync(join(SHM, `ferry-bench-wp-${options.posts}-`));
  say(`=== WordPress, ${options.posts} posts, concurrency ${options.concurrency} (folder ${base})`);
  let source: SiteInstance | undefined;
  try {
    const filled = await timed(() => startFilledSite({ name: 'Bench WP Source', baseDir: join(base, 'source'), content, onProgress: (m) => say(`  ${m}`) }));
    source = filled.value.site;
    running.add(source);
    say(`source ready at ${source.url} in ${fixed(filled.seconds)} s (${filled.value.fromCache ? 'from the cache' : 'filled now'})`);

    const siteRoles: Record<string, string> = { [new URL(source.url).host]: 'source' };
    let ferry: FerryWpResult;
    const ferryTarget = await startEmpty('Bench WP Ferry Target', join(base, 'ferry-target'));
    siteRoles[new URL(ferryTarget.url).host] = 'target';
    try {
      ferry = await runFerry(source, ferryTarget, base, options.concurrency, say);
    } finally {
      await stopSite(ferryTarget);
    }
    say(ferry.ok
      ? `Ferry: ${ferry.status}, ${ferry.items} items in ${fixed(ferry.seconds)} s, ${fixed(ferry.itemsPerSecond ?? undefined)} items/s, peak RSS ${fixed(ferry.peakRssMB)} MB`
      : `Ferry FAILED (${ferry.status ?? 'no status'}) after ${fixed(ferry.seconds)} s:\n${ferry.error}`);

    let baseline: BaselineWpResult | null = null;
    let sourceItems: Record<string, number> = {};
    if (options.baseline !== false) {
      const baselineTarget = await startEmpty('Bench WP Baseline Target', join(base, 'baseline-target'));
      siteRoles[new URL(baselineTarget.url).host] = 'target';
      try {
        ({ result: baseline, sourceItems } = await runBaseline(source, baselineTarget, options.concurrency, say));
      } finally {
        await stopSite(baselineTarget);
      }
      say(baseline.ok
        ? `baseline: ${baseline.items} items (${baseline.failed} failed) in ${fixed(baseline.seconds)} s, ${fixed(baseline.itemsPerSecond ?? undefined)} items/s (read ${fixed(baseline.readSeconds)} s)`
        : `baseline FAILED: ${baseline.error}`);
    }

    let native: NativeWpResult | null = null;
    if (options.native !== false) {
      const nativeTarget = await startEmpty('Bench WP Native Target', join(base, 'native-target'));
      try {
        say('native: export_wp() of the source to a WXR file, then the WXR import into an empty site (bench/wordpress-wxr-*.php)');
        native = await runNativeWordPress(source, nativeTarget, join(base, 'native'));
      } finally {
        await stopSite(nativeTarget);
      }
      say(native.ok
        ? `native: ${native.objects} objects created in ${fixed(native.seconds)} s (export ${fixed(native.exportSeconds)} s, import ${fixed(native.importSeconds)} s, WXR ${fixed(mb(native.wxrBytes))} MB)${native.counts.failed ? `, ${native.counts.failed} failed` : ''}`
        : `native FAILED: ${native.error}`);
    }

    const comparablePerSecond = ferry.ok ? ferry.comparableItems / ferry.seconds : null;
    const result: WordPressBenchResult = {
      posts: options.posts,
      concurrency: options.concurrency,
      content: { ...content },
      sourceItems,
      sourceFromCache: filled.value.fromCache,
      sourceSeconds: filled.seconds,
      ferry,
      baseline,
      native,
      throughputRatio: ferry.itemsPerSecond && baseline?.itemsPerSecond ? ferry.itemsPerSecond / baseline.itemsPerSecond : null,
      comparableThroughputRatio: comparablePerSecond && baseline?.itemsPerSecond ? comparablePerSecond / baseline.itemsPerSecond : null,
      siteRoles,
      environment: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGB: Math.round(totalmem() / 2 ** 30), phpServerWorkers: 4 },
      finishedAt: new Date().toISOString(),
    };
    const out = options.out ?? join(RESULTS_DIR, 'wordpress-latest.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    say(`results written to ${out}`);
    return result;
  } finally {
    await stopSite(source);
    if (options.keep) say(`kept ${base}`);
    else rmSync(base, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- output

/** Stands in for a baseline that was not run, in the text output. */
const NOT_RUN: BaselineWpResult = { ok: false, readSeconds: 0, seconds: 0, items: 0, failed: 0, itemsPerSecond: null, requests: 0, requestKinds: [], load: { mean: 0, max: 0 }, types: {}, phases: {}, failures: [], error: 'not run' };

export function formatWordPressResult(result: WordPressBenchResult): string {
  const r = { ...result, baseline: result.baseline ?? NOT_RUN };
  const columns = ['ITEMS', 'FERRY S', 'FERRY ITEMS/S', 'BASELINE ITEMS', 'BASELINE S', 'BASELINE ITEMS/S', 'FERRY/BASELINE', 'FERRY PEAK RSS MB'];
  const lines = [
    `Ferry vs a minimal REST copy script: WordPress, ${r.posts} posts, concurrency ${r.concurrency}`,
    `(node ${r.environment.node}, ${r.environment.cpus} CPUs, load during Ferry ${fixed(r.ferry.load.mean)} mean / ${fixed(r.ferry.load.max)} max, during baseline ${fixed(r.baseline.load.mean)} / ${fixed(r.baseline.load.max)})`,
    '',
    table(
      [
        {
          ITEMS: int(r.ferry.items),
          'FERRY S': fixed(r.ferry.seconds),
          'FERRY ITEMS/S': r.ferry.ok ? fixed(r.ferry.itemsPerSecond ?? undefined) : `FAILED (${r.ferry.status ?? `exit ${r.ferry.exitCode}`})`,
          'BASELINE ITEMS': `${int(r.baseline.items)}${r.baseline.failed > 0 ? ` (+${r.baseline.failed} failed)` : ''}`,
          'BASELINE S': fixed(r.baseline.seconds),
          'BASELINE ITEMS/S': r.baseline.ok ? fixed(r.baseline.itemsPerSecond ?? undefined) : 'FAILED',
          'FERRY/BASELINE': r.throughputRatio === null ? '-' : `${fixed(r.throughputRatio, 2)}x`,
          'FERRY PEAK RSS MB': fixed(r.ferry.peakRssMB),
        },
      ],
      columns,
      new Set(columns),
    ),
    '',
    'Per type (items written):',
    table(
      [...new Set([...Object.keys(r.ferry.types), ...COMPARABLE_TYPES])].map((type) => ({
        TYPE: type,
        FERRY: `${int(r.ferry.types[type]?.written ?? 0)}${r.ferry.types[type]?.failed ? ` (${r.ferry.types[type]!.failed} failed)` : ''}`,
        BASELINE: r.baseline.types[type] ? `${int(r.baseline.types[type]!.written)}${r.baseline.types[type]!.failed ? ` (${r.baseline.types[type]!.failed} failed)` : ''}` : '-',
      })),
      ['TYPE', 'FERRY', 'BASELINE'],
      new Set(['FERRY', 'BASELINE']),
    ),
    '',
    `Ferry on the baseline's types only: ${int(r.ferry.comparableItems)} items, ${fixed(r.ferry.ok ? r.ferry.comparableItems / r.ferry.seconds : undefined)} items/s, ratio ${r.comparableThroughputRatio === null ? '-' : `${fixed(r.comparableThroughputRatio, 2)}x`}`,
    `Baseline source read (not in its items/s): ${fixed(r.baseline.readSeconds)} s; write phases: ${Object.entries(r.baseline.phases).map(([k, s]) => `${k} ${fixed(s)}`).join(', ')}`,
    `Ferry steps: ${r.ferry.steps.map((s) => `${s.step} ${fixed(s.seconds ?? undefined)}`).join(', ')}`,
  ];
  if (r.native) {
    const n = r.native;
    lines.push('', n.ok
      ? `WordPress's own path (export_wp() + our WXR import, a stand-in for the WordPress Importer): ${fixed(n.seconds)} s (export ${fixed(n.exportSeconds)} s, import ${fixed(n.importSeconds)} s), ${int(n.objects)} objects created (${Object.entries(n.counts).map(([k, v]) => `${k} ${v}`).join(', ')}), WXR ${fixed(mb(n.wxrBytes))} MB, peak RSS ${fixed(n.peakRssMB ?? undefined)} MB; Ferry/native time ratio ${r.ferry.ok ? `${fixed(n.seconds / r.ferry.seconds, 2)}x` : '-'}`
      : `WordPress's own path FAILED: ${n.error ?? '-'}`);
    if (n.failures.length > 0) lines.push(...n.failures.slice(0, 5).map((f) => `  native failure: ${f}`));
  }
  if (r.ferry.requests.length > 0) lines.push('', `Ferry's REST requests by kind (the whole run, verify included):`, requestTable(r.ferry.requests, r.siteRoles));
  if (r.baseline.requestKinds.length > 0) lines.push('', `Baseline's requests by kind (write phase):`, requestTable(r.baseline.requestKinds, r.siteRoles));
  if (r.baseline.failures.length > 0) lines.push('', 'Baseline failures (first few):', ...r.baseline.failures.slice(0, 5).map((f) => `  ${f}`));
  if (!r.ferry.ok && r.ferry.error) lines.push('', r.ferry.error);
  return lines.join('\n');
}

function parseArgs(argv: string[]): WordPressBenchOptions {
  const options: WordPressBenchOptions = { posts: DEFAULT_SITE.posts, concurrency: 4 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--posts':
        options.posts = Number(value());
        break;
      case '--concurrency':
        options.concurrency = Number(value());
        break;
      case '--keep':
        options.keep = true;
        break;
      case '--no-native':
        options.native = false;
        break;
      case '--no-baseline':
        options.baseline = false;
        break;
      case '--out':
        options.out = resolve(value());
        break;
      case '--help':
      case '-h':
        process.stdout.write(`usage: npx tsx bench/wordpress.ts [--posts N] [--concurrency C] [--keep] [--out file.json]

  --posts N        posts in the generated source (default ${DEFAULT_SITE.posts}; the rest as DEFAULT_SITE)
  --concurrency C  Ferry's options.concurrency and the baseline's requests in flight (default 4, 1-16)
  --keep           keep the site folders and Ferry's data folder under ${SHM}
  --no-native      leave out WordPress's own path (export_wp() + the WXR import)
  --no-baseline    leave out the minimal REST script
  --out file       JSON results (default bench/results/wordpress-latest.json)
`);
        process.exit(0);
      // falls through (exit)
      default:
        throw new Error(`unknown option ${arg} (see --help)`);
    }
  }
  return options;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const stopAll = (): void => {
    void Promise.allSettled([...running].map((site) => stopSite(site))).then(() => process.exit(130));
  };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  runWordPressBench(parseArgs(process.argv.slice(2)))
    .then((result) => {
      process.stdout.write(`\n${formatWordPressResult(result)}\n`);
      process.exitCode = result.ferry.ok && result.baseline?.ok !== false && result.native?.ok !== false ? 0 : 1;
    })
    .catch(async (error: unknown) => {
      await Promise.allSettled([...running].map((site) => stopSite(site)));
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    });
}
