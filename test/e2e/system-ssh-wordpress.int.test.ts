import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord, StepRecord } from '../../src/core/ports.js';
import type { SiteInstance } from '../../src/harness/wordpress.js';
import { startSshd, type Sshd } from '../../src/harness/sshd.js';
import { ferry, json } from './cli.js';
import { addSite, emptySite, filledSite, pageStatus } from './sites.js';
import { scratch, writePlan } from './wikis.js';

/**
 * Issue 9, the SSH path for WordPress, through the real CLI and the system
 * runner: a generated site with media copied onto a fresh site on another
 * port, both installations reached through a private OpenSSH server; the
 * target serves the source's posts and files at its own URL, a serialized
 * option holding the old URL is intact and rewritten, and undo gives the
 * target back exactly and takes the source out of maintenance.
 */

type Json = Record<string, any>;

const counts = async (site: SiteInstance): Promise<Record<string, number>> =>
  JSON.parse(await site.php(`global $wpdb; echo json_encode( [
    'posts' => (int) $wpdb->get_var( "SELECT COUNT(*) FROM $wpdb->posts" ),
    'users' => (int) $wpdb->get_var( "SELECT COUNT(*) FROM $wpdb->users" ),
    'terms' => (int) $wpdb->get_var( "SELECT COUNT(*) FROM $wpdb->terms" ),
    'comments' => (int) $wpdb->get_var( "SELECT COUNT(*) FROM $wpdb->comments" ),
    'attachments' => (int) $wpdb->get_var( "SELECT COUNT(*) FROM $wpdb->posts WHERE post_type = 'attachment'" ),
  ] );`)) as Record<string, number>;

/** Every file under the site's uploads folder with its SHA-256. */
function uploads(site: SiteInstance): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (lstatSync(full).isDirectory()) walk(full, `${rel}/${name}`);
      else out[`${rel}/${name}`] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(join(site.dir, 'content', 'uploads'), 'uploads');
  return out;
}

function sshHost(sshd: Sshd): string {
  return `
    ssh:
      host: 127.0.0.1
      port: ${sshd.port}
      user: ${sshd.user}
      key: ${sshd.clientKeyPath}
      hostKey: "${sshd.hostKeyFingerprint}"
`;
}

// The harness's sites use Debian's shared tree: the generic config picks each site's own file through this variable.
const side = (site: SiteInstance, host: string, work: string): string => `
  host:${host}  configFile: /etc/wordpress/config-ferry-harness.php
  codeDir: /usr/share/wordpress
  env: { FERRY_WP_SITE_CONFIG: ${join(site.dir, 'wp-config-site.php')} }
  workDir: ${work}
`;

describe('system migration of a WordPress over SSH', () => {
  let root: string;
  let sshd: Sshd;
  let source: SiteInstance;
  let target: SiteInstance;

  beforeAll(async () => {
    root = scratch('e2e-system-ssh-wp');
    sshd = await startSshd({ dir: join(root, 'sshd') });
    ({ source } = await filledSite(root));
    target = await emptySite(root, 'SSH Target Blog');
    await source.php(`update_option( 'ferry_links', [ 'home' => home_url( '/' ), 'nested' => [ 'feed' => home_url( '/feed/' ), 'n' => 3 ] ] ); echo 'ok';`);
  }, 600_000);

  afterAll(async () => {
    await source?.stop();
    await target?.stop();
    await sshd?.stop();
    if (!process.env.FERRY_KEEP_TEST_DIRS) rmSync(root, { recursive: true, force: true });
  });

  it('copies the site with both installations reached over SSH; undo gives the target back and the source leaves maintenance', async () => {
    const data = join(root, 'data');
    // A first page view writes the theme's cached styles: done before the "before" state is taken.
    expect(await pageStatus(`${target.url}/`)).toBe(200);
    const targetBefore = { counts: await counts(target), uploads: uploads(target), config: readFileSync(join(target.dir, 'wp-config-site.php'), 'utf8') };
    const sourceCounts = await counts(source);
    const plan = writePlan(root, 'wp-ssh', `kind: system
name: wp-ssh-move
platform: wordpress
source:${side(source, sshHost(sshd), join(root, 'source-work'))}target:${side(target, sshHost(sshd), join(root, 'target-work'))}options:
  secretKeys: true
  sourceAfter: read-only
verify: { source: src-api, target: tgt-api }
`);
    // The target's accounts and application passwords are the source's once the database is copied.
    expect((await addSite(data, 'src-api', source)).code).toBe(0);
    const info = await ferry(data, ['system', 'plan', plan]);
    if (info.code !== 0) throw new Error(`ferry system plan failed:\n${info.stderr}\n${info.stdout}`);
    expect(info.stdout).toMatch(/Platform\s+wordpress 6\.\d/);

    const run = json<RunRecord>(await ferry(data, ['run', 'wp-ssh-move', '--json']));
    const log = readFileSync(run.logFile!, 'utf8');
    expect(run.status, log).toBe('FINISHED');
    const steps = json<Json>(await ferry(data, ['status', 'wp-ssh-move', '--json'])).steps as StepRecord[];
    expect(steps.every((s) => s.status === 'Success' || s.status === 'Skipped'), JSON.stringify(steps)).toBe(true);
    expect(steps.find((s) => s.type === 'copy-database')!.done).toBeGreaterThan(100_000);

    expect(await counts(target)).toEqual(sourceCounts);
    expect(uploads(target)).toEqual(uploads(source));
    const links = JSON.parse(await target.php(`echo json_encode( [ get_option( 'ferry_links' ), get_option( 'home' ) ] );`)) as unknown[];
    expect(links).toEqual([{ home: `${target.url}/`, nested: { feed: `${target.url}/feed/`, n: 3 } }, target.url]);
    expect(await pageStatus(`${target.url}/`)).toBe(200);
    const media = (await (await fetch(`${target.url}/wp-json/wp/v2/media?per_page=3`)).json()) as Array<{ source_url: string }>;
    expect(media.length).toBeGreaterThan(0);
    for (const item of media) {
      expect(item.source_url.startsWith(`${target.url}/wp-content/uploads/`)).toBe(true);
      expect((await fetch(item.source_url)).status).toBe(200);
    }
    // The source stays read-only (the option): pages are served.
    expect(await pageStatus(`${source.url}/`)).toBe(200);
    // Verify through the REST API, the same comparison as item migrations.
    expect((await addSite(data, 'tgt-api', target, { user: source.adminUser, password: source.appPassword })).code).toBe(0);
    const verify = await ferry(data, ['verify', 'wp-ssh-move', '--json']);
    const verifyLog = readFileSync(json<RunRecord>(verify).logFile!, 'utf8');
    expect(json<RunRecord>(verify).status, verifyLog).toBe('FINISHED');
    expect(verifyLog).toMatch(/Verify: "tgt-api" matches "src-api"/);

    const undo = json<RunRecord>(await ferry(data, ['undo', String(run.id), '--json']));
    expect(undo.status).toBe('FINISHED');
    expect(await counts(target)).toEqual(targetBefore.counts);
    expect(uploads(target)).toEqual(targetBefore.uploads);
    expect(readFileSync(join(target.dir, 'wp-config-site.php'), 'utf8')).toBe(targetBefore.config);
    expect(await pageStatus(`${source.url}/`)).toBe(200);
  }, 400_000);
});
