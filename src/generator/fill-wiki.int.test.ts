import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMediaWikiPackages, startWiki, type WikiInstance } from '../harness/mediawiki.js';
import { fillWiki } from './fill-wiki.js';
import { DEFAULT_WIKI, NS, generateWikiContent, titleText, type GeneratedPage } from './mediawiki-content.js';

const content = generateWikiContent(DEFAULT_WIKI);

type Json = Record<string, any>;

async function query(wiki: WikiInstance, params: Record<string, string>): Promise<Json[]> {
  // Follows API continuation and returns every batch.
  const batches: Json[] = [];
  let next: Record<string, string> = {};
  for (;;) {
    const search = new URLSearchParams({ action: 'query', format: 'json', formatversion: '2', ...params, ...next });
    const body = (await (await fetch(`${wiki.apiUrl}?${search}`)).json()) as Json;
    if (body.error) throw new Error(JSON.stringify(body.error));
    batches.push(body);
    if (!body.continue) return batches;
    next = body.continue;
  }
}

const sha1 = (data: string | Buffer): string => createHash('sha1').update(data).digest('hex');

describe('fillWiki', () => {
  let wiki: WikiInstance;
  let baseDir: string;

  beforeAll(async () => {
    await ensureMediaWikiPackages();
    baseDir = mkdtempSync(join(tmpdir(), 'ferry-fill-'));
    wiki = await startWiki({ name: 'Filled Wiki', baseDir });
    const started = Date.now();
    await fillWiki(wiki, content);
    console.log(`fillWiki(DEFAULT_WIKI) took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  afterAll(async () => {
    await wiki?.stop();
    if (baseDir) rmSync(baseDir, { recursive: true, force: true });
  });

  it('has every generated page, namespace by namespace', async () => {
    const namespaces = [...new Set(content.pages.map((p) => p.namespace))];
    for (const ns of namespaces) {
      const batches = await query(wiki, { list: 'allpages', apnamespace: String(ns), aplimit: 'max' });
      const found = new Set(batches.flatMap((b) => b.query.allpages.map((p: Json) => (ns === NS.main ? p.title : p.title.slice(p.title.indexOf(':') + 1)))));
      const expected = content.pages.filter((p) => p.namespace === ns).map((p) => titleText(p));
      for (const title of expected) expect(found, `${ns}:${title}`).toContain(title);
      // The installer's Main Page is the only page the generator did not make.
      expect(found.size).toBe(expected.length + (ns === NS.main ? 1 : 0));
    }
  });

  it('keeps full histories with authors, times and text', async () => {
    const samples: GeneratedPage[] = [
      content.pages.find((p) => p.namespace === NS.module),
      content.pages.find((p) => p.namespace === NS.talk),
      content.pages.find((p) => /[\u0590-\u05FF]/.test(p.title)),
      content.pages.find((p) => p.revisions.some((r) => r.user.startsWith('192.0.2.'))),
      content.pages.reduce((a, b) => (Buffer.byteLength(b.revisions.at(-1)!.text) > Buffer.byteLength(a.revisions.at(-1)!.text) ? b : a)),
    ].filter((p): p is GeneratedPage => p !== undefined);
    expect(samples).toHaveLength(5);
    for (const page of samples) {
      const batches = await query(wiki, {
        prop: 'revisions', titles: page.title, rvprop: 'user|timestamp|comment|flags|sha1|size', rvlimit: 'max', rvdir: 'newer',
      });
      const revisions = batches.flatMap((b) => b.query.pages[0].revisions);
      expect(revisions.map((r: Json) => r.user)).toEqual(page.revisions.map((r) => r.user));
      expect(revisions.map((r: Json) => r.timestamp)).toEqual(page.revisions.map((r) => r.timestamp));
      expect(revisions.map((r: Json) => r.comment)).toEqual(page.revisions.map((r) => r.comment));
      expect(revisions.map((r: Json) => r.minor)).toEqual(page.revisions.map((r) => r.minor));
      expect(revisions.map((r: Json) => r.sha1)).toEqual(page.revisions.map((r) => sha1(r.text)));
    }
  });

  it('has the users and their groups', async () => {
    const batches = await query(wiki, { list: 'allusers', auprop: 'groups', aulimit: 'max' });
    const users = new Map<string, string[]>(batches.flatMap((b) => b.query.allusers.map((u: Json) => [u.name, u.groups])));
    for (const user of content.users) {
      expect(users.get(user.name), user.name).toEqual(expect.arrayContaining(user.groups));
    }
  });

  it('has the files with their bytes and older versions', async () => {
    const batches = await query(wiki, { list: 'allimages', aiprop: 'sha1|size|mime|user', ailimit: 'max' });
    const images = new Map<string, Json>(batches.flatMap((b) => b.query.allimages.map((i: Json) => [i.name.replace(/_/g, ' '), i])));
    expect(images.size).toBe(content.files.length);
    for (const file of content.files) {
      const image = images.get(file.name);
      expect(image, file.name).toBeDefined();
      expect(image?.sha1).toBe(sha1(file.bytes));
      expect(image?.mime).toBe(file.mime);
      expect(image?.user).toBe(file.user);
    }
    const versioned = content.files.filter((f) => f.olderVersions.length > 0);
    for (const file of versioned) {
      const [info] = await query(wiki, { prop: 'imageinfo', titles: `File:${file.name}`, iiprop: 'sha1', iilimit: 'max' });
      const history = info!.query.pages[0].imageinfo.map((i: Json) => i.sha1);
      expect(history).toEqual([file.bytes, ...file.olderVersions.slice().reverse()].map(sha1));
    }
  });

  it('has working links, categories, templates and redirects', async () => {
    const [category] = await query(wiki, { list: 'categorymembers', cmtitle: 'Category:History', cmlimit: 'max' });
    expect(category!.query.categorymembers.length).toBeGreaterThan(0);
    const [transcluded] = await query(wiki, { prop: 'transcludedin', titles: 'Template:Citation needed', tilimit: 'max' });
    expect(transcluded!.query.pages[0].transcludedin.length).toBeGreaterThan(0);
    const redirect = content.pages.find((p) => p.revisions.at(-1)!.text.startsWith('#REDIRECT'))!;
    const [info] = await query(wiki, { prop: 'info', titles: redirect.title });
    expect(info!.query.pages[0].redirect).toBe(true);
    const [parsed] = await query(wiki, { prop: 'info', titles: 'Module:Greeting', inprop: '' });
    expect(parsed!.query.pages[0].contentmodel).toBe('Scribunto');
    const [stats] = await query(wiki, { meta: 'siteinfo', siprop: 'statistics' });
    const revisions = content.pages.reduce((sum, p) => sum + p.revisions.length, 0);
    expect(stats!.query.statistics.edits).toBeGreaterThanOrEqual(revisions);
    expect(stats!.query.statistics.images).toBe(content.files.length);
  });
});
