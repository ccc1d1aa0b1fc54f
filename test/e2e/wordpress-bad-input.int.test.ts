import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/ports.js';
import { encodePng } from '../../src/generator/png.js';
import type { SiteInstance } from '../../src/harness/wordpress.js';
import type { PostAction } from '../../src/sdk/connector.js';
import { ferry, json, type CliResult } from './cli.js';
import { addSite, emptySite } from './sites.js';
import { scratch, writePlan } from './wikis.js';

function expectUserError(result: CliResult, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(/^error: /m);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

describe('WordPress: bad input gets a clear error or a FAILED item, nothing half-written', () => {
  let root: string;
  let dataDir: string;
  let source: SiteInstance;
  let small: SiteInstance;
  let notWordPress: Server;

  beforeAll(async () => {
    root = scratch('e2e-wp-bad');
    dataDir = join(root, 'data');
    source = await emptySite(root, 'Bad Source Blog');
    small = await emptySite(root, 'Small Target Blog', { maxUploadBytes: 60_000 });
    notWordPress = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>Just a web page</body></html>'));
    await new Promise<void>((resolve) => notWordPress.listen(0, '127.0.0.1', resolve));
  }, 300_000);

  afterAll(async () => {
    await source?.stop();
    await small?.stop();
    await new Promise((resolve) => notWordPress?.close(resolve));
    if (!process.env.FERRY_KEEP_TEST_DIRS) rmSync(root, { recursive: true, force: true });
  });

  const names = async () => (JSON.parse((await ferry(dataDir, ['connection', 'list', '--json'])).stdout) as Array<{ name: string }>).map((c) => c.name);

  it('refuses a wrong application password and saves nothing', async () => {
    const result = await addSite(dataDir, 'wrong', source, { password: 'aaaa bbbb cccc dddd eeee ffff' });
    expectUserError(result, /password|credentials|401|auth/i);
    expect(result.stderr).not.toContain('aaaa bbbb');
    expect(await names()).not.toContain('wrong');
  });

  it('refuses a site without the REST API with a hint', async () => {
    const port = (notWordPress.address() as AddressInfo).port;
    const result = await ferry(dataDir, ['connection', 'add', 'plain', '--platform', 'wordpress', '--url', `http://127.0.0.1:${port}`, '--username', 'x', '--password-env', 'PW'], { PW: 'y' });
    expectUserError(result, /REST API|wp-json/i);
    expect(await names()).not.toContain('plain');
  });

  it('refuses an account that is not an administrator', async () => {
    const id = await source.createUser({ login: 'ed', email: 'ed@example.org', role: 'editor' });
    const password = (await source.php(`echo WP_Application_Passwords::create_new_application_password(${id}, ['name' => 'ferry-test'])[0];`)).trim();
    const result = await addSite(dataDir, 'editor', source, { user: 'ed', password });
    expectUserError(result, /administrator/i);
    expect(await names()).not.toContain('editor');
  });

  it('fails a media item over the target upload limit with its reason; the rest goes across', async () => {
    const noise = (side: number) => {
      const bytes = randomBytes(side * side * 3);
      return encodePng({ width: side, height: side, pixel: (x, y) => [bytes[(y * side + x) * 3]!, bytes[(y * side + x) * 3 + 1]!, bytes[(y * side + x) * 3 + 2]!] });
    };
    const upload = async (name: string, png: Buffer) =>
      source.php(`
        $bits = wp_upload_bits('${name}', null, base64_decode('${png.toString('base64')}'));
        if ($bits['error']) { fwrite(fopen('php://stderr', 'w'), $bits['error']); exit(1); }
        $id = wp_insert_attachment(['post_mime_type' => 'image/png', 'post_title' => '${name}', 'post_status' => 'inherit'], $bits['file']);
        echo $id;
      `);
    const big = noise(220);
    expect(big.length).toBeGreaterThan(60_000);
    await upload('tiny.png', noise(8));
    await upload('huge.png', big);
    expect((await addSite(dataDir, 'src', source)).code).toBe(0);
    expect((await addSite(dataDir, 'small', small)).code).toBe(0);
    const plan = writePlan(root, 'small', 'name: to-small\nsource: src\ntarget: small\n');
    const run = json<RunRecord & { actions: PostAction[] }>(await ferry(dataDir, ['run', plan, '--json']));
    expect(run.status).toBe('INCOMPLETE');
    const failed = json<Array<{ type: string; label: string; reason: string }>>(await ferry(dataDir, ['items', String(run.id), '--status', 'FAILED', '--json']));
    expect(failed.map((i) => i.type)).toEqual(['media']);
    expect(failed[0]!.label).toMatch(/huge/);
    expect(failed[0]!.reason).toMatch(/limit|too (big|large)/i);
    const media = (await (await fetch(`${small.url}/wp-json/wp/v2/media?per_page=100`)).json()) as Array<{ slug: string }>;
    expect(media.map((m) => m.slug)).toEqual(['tiny-png']);
  });
});
