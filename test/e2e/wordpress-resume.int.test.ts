import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/ports.js';
import type { GeneratedSite } from '../../src/generator/wordpress-content.js';
import type { SiteInstance } from '../../src/harness/wordpress.js';
import type { PostAction } from '../../src/sdk/connector.js';
import { ferry, json, killWhen, progressOf } from './cli.js';
import { access, addSite, emptySite, filledSite } from './sites.js';
import { snapshotSite, type SiteSnapshot } from './site-snapshot.js';
import { scratch, writePlan } from './wikis.js';
import { expectNoSourceLinks, expectSameSite } from './site-compare.js';

type RunJson = RunRecord & { actions: PostAction[] };


const keys = (snapshot: SiteSnapshot) => ({
  users: [...snapshot.users.keys()].sort(),
  posts: [...snapshot.posts.keys()].sort(),
  media: [...snapshot.media.keys()].sort(),
  comments: [...snapshot.comments.keys()].sort(),
  categories: [...snapshot.categories.keys()].sort(),
  tags: [...snapshot.tags.keys()].sort(),
  menus: [...snapshot.menus.keys()].sort(),
});

describe('WordPress: crash, resume, undo, user mapping', () => {
  let root: string;
  let source: SiteInstance;
  let content: GeneratedSite;
  let sourceSnap: SiteSnapshot;
  const sites: SiteInstance[] = [];

  beforeAll(async () => {
    root = scratch('e2e-wp-resume');
    ({ source, content } = await filledSite(root));
    sites.push(source);
    sourceSnap = await snapshotSite(access(source));
  }, 600_000);

  afterAll(async () => {
    for (const site of sites) await site.stop();
    if (!process.env.FERRY_KEEP_TEST_DIRS) rmSync(root, { recursive: true, force: true });
  });

  let killed: { dataDir: string; target: SiteInstance; before: SiteSnapshot; runId: number } | undefined;

  it('kill -9 mid-run, then resume: no duplicate post, comment, term, media or user', async () => {
    const dataDir = join(root, 'data-kill');
    const target = await emptySite(root, 'Kill Target Blog');
    sites.push(target);
    for (const [name, site] of [['src', source], ['tgt', target]] as const) expect((await addSite(dataDir, name, site)).code).toBe(0);
    const before = await snapshotSite(access(target));
    const plan = writePlan(root, 'kill', 'name: wp-kill\nsource: src\ntarget: tgt\n');

    await killWhen(dataDir, plan, (err) => progressOf(err, 'media') >= 10);
    await killWhen(dataDir, plan, (err) => progressOf(err, 'post') >= 60);
    await killWhen(dataDir, plan, (err) => progressOf(err, 'comment') >= 100);
    const final = json<RunJson>(await ferry(dataDir, ['run', 'wp-kill', '--json']));
    expect(final.status).toBe('FINISHED');
    const after = await snapshotSite(access(target));
    expectSameSite(sourceSnap, after, before);
    expectNoSourceLinks(source, after);

    killed = { dataDir, target, before, runId: final.id };
  });

  // Undo runs right after the resumed run: children are deleted after their parents, which WordPress
  // re-parents on the way; that must not count as "changed on the target".
  it('undo removes exactly what the run created', async () => {
    expect(killed).toBeDefined();
    const { dataDir, target, before, runId } = killed!;
    const undo = json<RunJson>(await ferry(dataDir, ['undo', String(runId), '--json']));
    expect(undo.status).toBe('FINISHED');
    const after = keys(await snapshotSite(access(target)));
    const expected = keys(before);
    // What undo keeps, it must say it kept (e.g. the category the migrated settings made the site's
    // default, which WordPress refuses to delete): every leftover is a SKIPPED item of the undo run.
    const kept = json<Array<{ label: string; reason: string }>>(await ferry(dataDir, ['items', String(undo.id), '--status', 'SKIPPED', '--json', '--limit', '10000']));
    const keptLabels = kept.map((i) => i.label.toLowerCase());
    for (const name of Object.keys(expected) as Array<keyof typeof expected>) {
      const leftovers = after[name].filter((k) => !expected[name].includes(k));
      for (const key of leftovers) expect(keptLabels.some((label) => label.includes(key.replace(/^.*:/, '').replace(/-/g, ' ')) || label.includes(key)), `${name} ${key} left on the target without being reported`).toBe(true);
      expect(leftovers.length, `${name} left over: ${leftovers.join(', ')}`).toBeLessThanOrEqual(1);
    }
    expect(after.posts).toEqual(expected.posts);
    expect(after.comments).toEqual(expected.comments);
    expect(after.media).toEqual(expected.media);
    expect(after.users).toEqual(expected.users);
  });

  it('maps a user onto an existing target user, sends the others to a placeholder, and lists the placeholder items', async () => {
    const dataDir = join(root, 'data-map');
    const target = await emptySite(root, 'Mapping Target Blog');
    sites.push(target);
    await target.createUser({ login: 'chief', email: 'chief@example.org', role: 'editor' });
    for (const [name, site] of [['src', source], ['tgt', target]] as const) expect((await addSite(dataDir, name, site)).code).toBe(0);
    const authors = [...new Set(content.posts.filter((p) => p.type === 'post').map((p) => p.authorKey))];
    const mapped = content.users.find((u) => u.key === authors.find((k) => content.users.some((x) => x.key === k)))!;
    const plan = writePlan(root, 'map', `name: wp-map\nsource: src\ntarget: tgt\ntypes:\n  comment: false\n  menu: false\n  menu-item: false\nusers:\n  default: placeholder\n  placeholder: ferry-placeholder\n  map:\n    ${mapped.login}: { map: chief }\n    admin: { map: admin }\n`);
    const run = json<RunJson>(await ferry(dataDir, ['run', plan, '--json']));
    expect(run.status).toBe('FINISHED');
    // The source as beforeAll read it: a run only reads the source.
    const [s, t] = [sourceSnap, await snapshotSite(access(target))];
    let checked = 0;
    for (const [key, post] of s.posts) {
      if (!key.startsWith('post:') || !t.posts.has(key)) continue;
      const expected = post.author === mapped.login ? 'chief' : post.author === 'admin' ? 'admin' : 'ferry-placeholder';
      expect(t.posts.get(key)!.author, key).toBe(expected);
      checked++;
    }
    expect(checked).toBeGreaterThan(150);
    expect([...t.users.keys()].sort()).toEqual(['admin', 'chief', 'ferry-placeholder']);
    const placeholderActions = run.actions.filter((a) => a.code === 'placeholder-author');
    expect(placeholderActions.length).toBeGreaterThan(0);
    // Each action names the person and lists their items (posts by title, media by file name).
    const placeholderTitles = [...s.posts.values()].filter((p) => p.author !== mapped.login && p.author !== 'admin').map((p) => p.title as string);
    expect(placeholderActions.some((action) => placeholderTitles.some((title) => action.message.includes(title)))).toBe(true);
    for (const action of placeholderActions) expect(action.message).toMatch(/credited to the placeholder "ferry-placeholder" in \d+ item/);
  });
});
