import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/ports.js';
import type { GeneratedSite } from '../../src/generator/wordpress-content.js';
import type { SiteInstance } from '../../src/harness/wordpress.js';
import type { PostAction } from '../../src/sdk/connector.js';
import { ferry, json } from './cli.js';
import { access, addSite, emptySite, filledSite } from './sites.js';
import { expectNoSourceLinks, expectSameSite } from './site-compare.js';
import { snapshotSite, type SiteSnapshot } from './site-snapshot.js';
import { scratch, writePlan } from './wikis.js';

type RunJson = RunRecord & { actions: PostAction[] };
describe('WordPress -> WordPress between two real sites', () => {
  let root: string;
  let dataDir: string;
  let source: SiteInstance;
  let target: SiteInstance;
  let content: GeneratedSite;
  let before: SiteSnapshot;

  beforeAll(async () => {
    root = scratch('e2e-wp');
    dataDir = join(root, 'data');
    ({ source, content } = await filledSite(root));
    target = await emptySite(root, 'E2E Target Blog');
    for (const [name, site] of [['src', source], ['tgt', target]] as const) {
      const added = await addSite(dataDir, name, site);
      if (added.code !== 0) throw new Error(added.stderr);
    }
    before = await snapshotSite(access(target));
  }, 600_000);

  afterAll(async () => {
    await source?.stop();
    await target?.stop();
    if (!process.env.FERRY_KEEP_TEST_DIRS) rmSync(root, { recursive: true, force: true });
  });

  it('generated the acceptance volume on the source', () => {
    const posts = content.posts.filter((p) => p.type === 'post');
    expect(posts.length).toBeGreaterThanOrEqual(200);
    expect(content.posts.filter((p) => p.type === 'page').length).toBeGreaterThanOrEqual(40);
    expect(content.media.length).toBeGreaterThanOrEqual(60);
    expect(content.comments.length).toBeGreaterThanOrEqual(400);
    expect(new Set(content.comments.map((c) => c.status))).toEqual(new Set(['approved', 'hold', 'spam', 'trash']));
    expect(new Set(posts.map((p) => p.status))).toEqual(new Set(['publish', 'draft', 'pending', 'private', 'future']));
    expect(content.categories.length).toBeGreaterThanOrEqual(30);
    expect(content.tags.length).toBeGreaterThanOrEqual(80);
    expect(content.users.length).toBeGreaterThanOrEqual(12);
    expect(content.menus.length).toBeGreaterThanOrEqual(2);
  });

  it('migrates every object; the target equals the source and no link points at the source', async () => {
    const plan = writePlan(root, 'wp', 'name: wp-main\nsource: src\ntarget: tgt\n');
    const run = json<RunJson>(await ferry(dataDir, ['run', plan, '--json']));
    const failed = json<Array<{ label: string; reason: string }>>(await ferry(dataDir, ['items', String(run.id), '--status', 'FAILED', '--json']));
    expect(failed).toEqual([]);
    expect(run.status).toBe('FINISHED');
    const [s, t] = await Promise.all([snapshotSite(access(source)), snapshotSite(access(target))]);
    expectSameSite(s, t, before);
    expectNoSourceLinks(source, t);
    expect(t.settings).toEqual(s.settings);
    expect(run.actions.some((a) => a.code === 'user-password')).toBe(true);
  });

  it('re-runs with nothing to do, then carries exactly two changed posts and one changed comment', async () => {
    const again = json<RunJson>(await ferry(dataDir, ['run', 'wp-main', '--json']));
    expect(again.summary?.totals).toMatchObject({ created: 0, updated: 0, failed: 0 });
    const changed = await source.php(`
      // Generated content only: post 1 ("Hello world!") is WordPress's own, and the target has its own copy.
      $posts = get_posts(['post_type' => 'post', 'post_status' => 'publish', 'numberposts' => 2, 'orderby' => 'ID', 'order' => 'ASC', 'exclude' => [1]]);
      foreach ($posts as $p) wp_update_post(['ID' => $p->ID, 'post_content' => $p->post_content . "\\n<p>Edited for the delta run.</p>"]);
      $c = get_comments(['status' => 'approve', 'number' => 1, 'orderby' => 'comment_ID', 'order' => 'ASC', 'type' => 'comment', 'post__not_in' => [1]])[0];
      wp_update_comment(['comment_ID' => $c->comment_ID, 'comment_content' => $c->comment_content . ' (edited)']);
      echo json_encode(['posts' => array_map(fn($p) => $p->post_title, $posts), 'comment' => (int) $c->comment_ID]);
    `);
    const expected = JSON.parse(changed) as { posts: string[] };
    const delta = json<RunJson>(await ferry(dataDir, ['run', 'wp-main', '--json']));
    expect(delta.status).toBe('FINISHED');
    expect(delta.summary?.totals).toMatchObject({ created: 0, updated: 3 });
    expect(delta.summary?.types.post).toMatchObject({ updated: 2 });
    expect(delta.summary?.types.comment).toMatchObject({ updated: 1 });
    const items = json<Array<{ type: string; label: string; outcome: string | null }>>(await ferry(dataDir, ['items', String(delta.id), '--json', '--limit', '100000']));
    expect(items.filter((i) => i.outcome === 'updated' && i.type === 'post').map((i) => i.label).sort()).toEqual([...expected.posts].sort());
    const [s, t] = await Promise.all([snapshotSite(access(source)), snapshotSite(access(target))]);
    expectSameSite(s, t, before);
  });
});
