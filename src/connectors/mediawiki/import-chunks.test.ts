import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../sdk/errors.js';
import type { ApiParams, PostOptions } from './api-client.js';
import { MediaWikiApiError } from './api-errors.js';
import { INITIAL_IMPORT_BUDGET, type MwContext } from './context.js';
import type { XmlRevision } from './export-xml.js';
import { importJobs, type ImportJob } from './import-chunks.js';

/**
 * The import planner against a fake wiki that behaves like PHP + MediaWiki
 * 1.39: an upload over the limit is refused with "badupload" and the limit in
 * `size`; a page it cannot take fails the whole upload.
 */

interface FakeWiki {
  limit: number;
  uploads: Array<{ bytes: number; titles: string[] }>;
  failTitle?: string;
  deny?: boolean;
}

function fakeContext(wiki: FakeWiki): MwContext {
  const post = async (params: ApiParams, options: PostOptions) => {
    expect(params.action).toBe('import');
    expect(params.interwikiprefix).toBe('ferry');
    const xml = await options.files!.xml!.blob.text();
    const bytes = Buffer.byteLength(xml);
    if (wiki.deny) throw new MediaWikiApiError('import', { code: 'cantimport', info: 'no rights' });
    if (bytes > wiki.limit) {
      throw new MediaWikiApiError('import', { code: 'badupload', info: 'too big', details: { size: wiki.limit } });
    }
    const pages = [...xml.matchAll(/<page>[\s\S]*?<\/page>/g)].map((m) => m[0]);
    const titles = pages.map((p) => /<title>(.*?)<\/title>/.exec(p)![1]!);
    if (wiki.failTitle && titles.includes(wiki.failTitle)) {
      throw new MediaWikiApiError('import', { code: 'import-unknownerror', info: 'Unknown content model' });
    }
    wiki.uploads.push({ bytes, titles });
    return { import: pages.map((p, i) => ({ ns: 0, title: titles[i], revisions: (p.match(/<revision>/g) ?? []).length })) };
  };
  return {
    api: { post } as unknown as MwContext['api'],
    site: () => Promise.reject(new Error('not needed')),
    connector: { log: () => undefined, userAgent: 'Ferry-test', tempDir: '/tmp' },
    limits: { importBudget: INITIAL_IMPORT_BUDGET },
  };
}

function revision(text: string, second: number): XmlRevision {
  const timestamp = `2024-01-01T00:00:${String(second).padStart(2, '0')}Z`;
  return { timestamp, contributor: { kind: 'user', name: 'Alice' }, comment: '', minor: false, model: 'wikitext', format: 'text/x-wiki', text };
}

function job(title: string, texts: string[]): ImportJob {
  return { title, ns: 0, revisions: texts.map((t, i) => revision(t, i)), imported: 0, parts: 0 };
}

const namespaces = [{ id: 0, name: '' }];
const signal = AbortSignal.timeout(10_000);

describe('importJobs', () => {
  it('packs small pages into one upload', async () => {
    const wiki: FakeWiki = { limit: 10_000_000, uploads: [] };
    const jobs = ['A', 'B', 'C'].map((t) => job(t, ['one', 'two']));
    await importJobs(fakeContext(wiki), jobs, namespaces, signal);
    expect(wiki.uploads).toHaveLength(1);
    expect(jobs.map((j) => [j.imported, j.parts, j.error])).toEqual([
      [2, 1, undefined],
      [2, 1, undefined],
      [2, 1, undefined],
    ]);
  });

  it('learns the upload limit from a refusal and cuts a big history by revision', async () => {
    const wiki: FakeWiki = { limit: 150_000, uploads: [] };
    const ctx = fakeContext(wiki);
    const big = job('Big', ['x'.repeat(100_000), 'y'.repeat(100_000), 'z'.repeat(100_000)]);
    const small = job('Small', ['tiny']);
    await importJobs(ctx, [small, big], namespaces, signal);
    expect(ctx.limits.phpUploadBytes).toBe(150_000);
    expect(ctx.limits.importBudget).toBeLessThanOrEqual(150_000);
    expect(big).toMatchObject({ imported: 3, parts: 3 });
    expect(small).toMatchObject({ imported: 1, parts: 1 });
    expect(big.error).toBeUndefined();
    expect(wiki.uploads.every((u) => u.bytes <= 150_000)).toBe(true);
    // Oldest revision first, each part of the page in its own upload.
    expect(wiki.uploads.filter((u) => u.titles.includes('Big'))).toHaveLength(3);
  });

  it('fails only the page that breaks an upload', async () => {
    const wiki: FakeWiki = { limit: 10_000_000, uploads: [], failTitle: 'Broken' };
    const jobs = [job('Fine 1', ['a']), job('Broken', ['b']), job('Fine 2', ['c'])];
    await importJobs(fakeContext(wiki), jobs, namespaces, signal);
    expect(jobs.map((j) => j.imported)).toEqual([1, 0, 1]);
    expect(jobs[1]!.error).toBeInstanceOf(MediaWikiApiError);
    expect(jobs[0]!.error).toBeUndefined();
  });

  it('reports a single revision over the limit as too_large, naming the page', async () => {
    const wiki: FakeWiki = { limit: 50_000, uploads: [] };
    const jobs = [job('Huge', ['h'.repeat(80_000)]), job('Normal', ['n'])];
    await importJobs(fakeContext(wiki), jobs, namespaces, signal);
    const error = jobs[0]!.error as ConnectorError;
    expect(error.kind).toBe('too_large');
    expect(error.message).toContain('"Huge"');
    expect(error.message).toContain('49 KB');
    expect(error.hint).toMatch(/upload_max_filesize/);
    expect(jobs[1]!.imported).toBe(1);
  });

  it('throws when the account may not import at all', async () => {
    const wiki: FakeWiki = { limit: 10_000_000, uploads: [], deny: true };
    await expect(importJobs(fakeContext(wiki), [job('A', ['a'])], namespaces, signal)).rejects.toMatchObject({ kind: 'auth' });
  });

  it('sends nothing for pages without new revisions', async () => {
    const wiki: FakeWiki = { limit: 10_000_000, uploads: [] };
    await importJobs(fakeContext(wiki), [job('Done', [])], namespaces, signal);
    expect(wiki.uploads).toHaveLength(0);
  });
});
