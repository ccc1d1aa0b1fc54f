import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/ports.js';
import type { VerifyReport } from '../../src/core/verify.js';
import { fillSite } from '../../src/generator/fill-site.js';
import { DEFAULT_SITE, generateSiteContent } from '../../src/generator/wordpress-content.js';
import type { WikiInstance } from '../../src/harness/mediawiki.js';
import { startSite, type SiteInstance } from '../../src/harness/wordpress.js';
import { ferry, json } from './cli.js';
import { addSite, emptySite } from './sites.js';
import { smallSource } from './small-wiki.js';
import { addConnection, scratch, target, writePlan } from './wikis.js';

/**
 * Verify catches damage: after a clean run, objects are deleted or changed
 * on the target behind Ferry's back (as a person or a broken server would),
 * and `ferry verify` must name each one and exit 5; the next run repairs
 * them and verify is clean again.
 */
type RunJson = RunRecord & { summary: { verify?: VerifyReport } };

/** What a run's JSON says went wrong, for an assertion's message. */
function why(result: { stdout: string; stderr: string }): string {
  try {
    return `${result.stderr}\n${JSON.stringify((JSON.parse(result.stdout) as RunJson).summary.verify?.discrepancies, null, 1)}`;
  } catch {
    return `${result.stdout}\n${result.stderr}`;
  }
}

function found(report: VerifyReport | undefined): string[] {
  return (report?.discrepancies ?? []).map((d) => `${d.type} ${d.label} ${d.problem}${d.field ? ` ${d.field.split(/[.[]/)[0]}` : ''}`);
}

const roots: string[] = [];
const stops: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const stop of stops) await stop();
  if (!process.env.FERRY_KEEP_TEST_DIRS) for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('verify catches damage on a MediaWiki target', () => {
  it('names a deleted page, a deleted revision, a deleted file and a file with other bytes; exit 5; the next run repairs them', async () => {
    const root = scratch('e2e-verify-mw');
    roots.push(root);
    const dataDir = join(root, 'data');
    const { source } = await smallSource(root, 'Verify Source');
    stops.push(() => source.stop());
    const wiki: WikiInstance = await target(root, 'Verify Target');
    stops.push(() => wiki.stop());
    await addConnection(dataDir, 'src', source);
    await addConnection(dataDir, 'tgt', wiki);
    const plan = writePlan(root, 'move', 'name: verify-mw\nsource: src\ntarget: tgt\n');
    const first = await ferry(dataDir, ['run', plan, '--json']);
    const run = json<RunJson>(first);
    expect(run.status, why(first)).toBe('FINISHED');
    expect(run.summary.verify?.discrepancyCount).toBe(0);

    // Pick the victims from the target itself.
    const pages = JSON.parse(await wiki.php('eval.php', [], { input: pickPagesPhp })) as { deleted: string; trimmed: string; revision: number };
    const files = JSON.parse(await wiki.php('eval.php', [], { input: pickFilesPhp })) as string[];
    expect(files.length).toBeGreaterThanOrEqual(2);
    await wiki.php('deleteBatch.php', ['-u', 'Admin', '-r', 'verify test'], { input: `${pages.deleted}\nFile:${files[0]}\n` });
    await wiki.php('sql.php', [], { input: `DELETE FROM revision WHERE rev_id = ${pages.revision};\n` });
    await wiki.php('eval.php', [], { input: `${localFile(files[1]!)} file_put_contents($f->getLocalRefPath(), 'not the picture');\n` });

    const checked = await ferry(dataDir, ['verify', 'verify-mw', '--json']);
    expect(checked.code, checked.stderr).toBe(5);
    const report = json<RunJson>(checked).summary.verify;
    const problems = found(report);
    for (const expected of [`page ${pages.deleted} missing`, `page ${pages.trimmed} different revisions`, `file File:${files[0]} missing`, `page File:${files[0]} missing`, `file File:${files[1]} different sha1`]) {
      expect(problems).toContain(expected);
    }
    // Nothing else is reported: no false alarm on the objects left alone.
    const damaged = new Set([pages.deleted, pages.trimmed, `File:${files[0]}`, `File:${files[1]}`]);
    expect(report!.discrepancies.filter((d) => !damaged.has(d.label))).toEqual([]);
    const text = await ferry(dataDir, ['verify', 'verify-mw']);
    expect(text.code).toBe(5);
    // The first verify made the ID map forget the damaged items: now they are "not on the target".
    expect(text.stdout).toContain(`"${pages.deleted}" is on the source but not on the target`);

    // The next run writes the damaged items again. The file changed on disk cannot be: MediaWiki
    // refuses the same bytes again (its database still has the right checksum). The run says so.
    const repair = await ferry(dataDir, ['run', plan, '--json']);
    const repaired = json<RunJson>(repair);
    expect(repaired.status, why(repair)).toBe('INCOMPLETE');
    const failed = json<Array<{ label: string; reason: string }>>(await ferry(dataDir, ['items', String(repaired.id), '--status', 'FAILED', '--json']));
    expect(failed.map((f) => f.label)).toEqual([`File:${files[1]}`]);
    expect(failed[0]!.reason).toMatch(/damaged on the target.*importImages\.php --overwrite/s);
    expect(new Set(repaired.summary.verify?.discrepancies.map((d) => d.label))).toEqual(new Set([`File:${files[1]}`]));

    // The administrator puts the original back, as the message says; verify is then clean.
    const pathOf = async (w: WikiInstance) => (await w.php('eval.php', [], { input: `${localFile(files[1]!)} echo $f->getLocalRefPath();\n` })).trim();
    copyFileSync(await pathOf(source), await pathOf(wiki));
    const again = await ferry(dataDir, ['verify', 'verify-mw']);
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toContain('the target matches the source');
  });
});

describe('verify catches damage on a WordPress target', () => {
  it('names a deleted post, comment and term and a media file with other bytes; exit 5; the next run repairs them', async () => {
    const root = scratch('e2e-verify-wp');
    roots.push(root);
    const dataDir = join(root, 'data');
    const source: SiteInstance = await startSite({ name: 'Verify Source Blog', baseDir: join(root, 'source') });
    stops.push(() => source.stop());
    await fillSite(source, generateSiteContent({ ...DEFAULT_SITE, posts: 30, pages: 6, media: 6, comments: 40, categories: 6, tags: 10, users: 5, menus: 1 }));
    const site = await emptySite(root, 'Verify Target Blog');
    stops.push(() => site.stop());
    for (const [name, s] of [['src', source], ['tgt', site]] as const) expect((await addSite(dataDir, name, s)).code).toBe(0);
    const plan = writePlan(root, 'blog', 'name: verify-wp\nsource: src\ntarget: tgt\n');
    const first = await ferry(dataDir, ['run', plan, '--json']);
    const run = json<RunJson>(first);
    expect(run.status, why(first)).toBe('FINISHED');
    expect(run.summary.verify?.discrepancyCount).toBe(0);

    const victims = JSON.parse(await site.php(damageWordPressPhp)) as { post: string; comment: string; term: string; media: string };
    expect(Object.values(victims).every((v) => typeof v === 'string' && v.length > 0), JSON.stringify(victims)).toBe(true);
    const checked = await ferry(dataDir, ['verify', 'verify-wp', '--json']);
    expect(checked.code, checked.stderr).toBe(5);
    const problems = found(json<RunJson>(checked).summary.verify);
    expect(problems).toContain(`post ${victims.post} missing`);
    expect(problems).toContain(`comment ${victims.comment} missing`);
    expect(problems).toContain(`tag ${victims.term} missing`);
    expect(problems.filter((p) => p.startsWith(`media ${victims.media} different`)).length).toBeGreaterThan(0);

    // The next run writes the damaged items again; the attachment's file cannot be (the REST API
    // cannot replace one): that item fails with the ways out.
    const repair = await ferry(dataDir, ['run', plan, '--json']);
    const repaired = json<RunJson>(repair);
    expect(repaired.status, why(repair)).toBe('INCOMPLETE');
    const failed = json<Array<{ label: string; reason: string }>>(await ferry(dataDir, ['items', String(repaired.id), '--status', 'FAILED', '--json']));
    expect(failed.map((f) => f.label)).toEqual([victims.media]);
    expect(failed[0]!.reason).toMatch(/cannot replace an attachment's file/);
    expect(new Set(repaired.summary.verify?.discrepancies.map((d) => d.label))).toEqual(new Set([victims.media]));

    // The administrator puts the file back, as the message says; verify is then clean.
    const original = (await source.php(fileOfAttachmentPhp(victims.media, 'echo base64_encode(file_get_contents($file));'))).trim();
    await site.php(fileOfAttachmentPhp(victims.media, `file_put_contents($file, base64_decode('${original}'));`));
    const again = await ferry(dataDir, ['verify', 'verify-wp']);
    expect(again.code, again.stdout).toBe(0);
  });
});

/** PHP for eval.php: `$f` is the wiki's local file `name`. */
function localFile(name: string): string {
  return `$f = MediaWiki\\MediaWikiServices::getInstance()->getRepoGroup()->getLocalRepo()->newFile(${JSON.stringify(name)});`;
}

/** A content page to delete, and another with history whose middle revision goes. */
const pickPagesPhp = `
$db = wfGetDB(DB_REPLICA);
$rows = $db->select(['page', 'revision'], ['page_id', 'page_namespace', 'page_title', 'n' => 'COUNT(rev_id)'], ['page_namespace' => 0, 'page_is_redirect' => 0, 'rev_page = page_id'], 'eval', ['GROUP BY' => 'page_id', 'ORDER BY' => 'page_id']);
$many = []; $one = null;
foreach ($rows as $r) { if ($r->n >= 3) $many[] = $r; }
$deleted = $many[0]; $trimmed = $many[1];
$revs = $db->selectFieldValues('revision', 'rev_id', ['rev_page' => $trimmed->page_id], 'eval', ['ORDER BY' => 'rev_timestamp']);
echo json_encode(['deleted' => Title::makeTitle(0, $deleted->page_title)->getPrefixedText(), 'trimmed' => Title::makeTitle(0, $trimmed->page_title)->getPrefixedText(), 'revision' => (int)$revs[1]]);
`;

const pickFilesPhp = `
$db = wfGetDB(DB_REPLICA);
echo json_encode(array_map(fn($n) => strtr($n, '_', ' '), $db->selectFieldValues('image', 'img_name', [], 'eval', ['ORDER BY' => 'img_name', 'LIMIT' => 2])));
`;

/** PHP that finds the attachment whose file is named `name` and runs `body` with `$file` its path. */
function fileOfAttachmentPhp(name: string, body: string): string {
  return `foreach (get_posts(['post_type' => 'attachment', 'post_status' => 'inherit', 'numberposts' => -1]) as $a) { $file = get_attached_file($a->ID); if (wp_basename($file) === ${JSON.stringify(name)}) { ${body} break; } }`;
}

/** Deletes one post, one approved comment and one tag, and overwrites one media file, on the target. */
const damageWordPressPhp = `
$post = get_posts(['post_type' => 'post', 'post_status' => 'publish', 'numberposts' => 1, 'orderby' => 'ID', 'order' => 'DESC', 'has_password' => false])[0];
$comment = get_comments(['status' => 'approve', 'number' => 1, 'orderby' => 'comment_ID', 'order' => 'DESC', 'type' => 'comment', 'post__not_in' => [$post->ID]])[0];
$on = get_post($comment->comment_post_ID);
$term = get_terms(['taxonomy' => 'post_tag', 'hide_empty' => false, 'number' => 1, 'orderby' => 'term_id'])[0];
$media = get_posts(['post_type' => 'attachment', 'post_status' => 'inherit', 'numberposts' => 1, 'orderby' => 'ID', 'order' => 'ASC'])[0];
// The labels Ferry gives these objects on the source (see the connector's read).
$commentLabel = ($comment->comment_author !== '' ? $comment->comment_author : 'anonymous') . ' on "' . ($on->post_title !== '' ? $on->post_title : $on->post_name) . '" (' . mysql2date('Y-m-d\\TH:i:s', $comment->comment_date_gmt) . ')';
$out = ['post' => $post->post_title, 'comment' => $commentLabel, 'term' => $term->name, 'media' => wp_basename(get_attached_file($media->ID))];
wp_delete_post($post->ID, true);
wp_delete_comment($comment->comment_ID, true);
wp_delete_term($term->term_id, 'post_tag');
file_put_contents(get_attached_file($media->ID), 'not the picture');
echo json_encode($out);
`;
