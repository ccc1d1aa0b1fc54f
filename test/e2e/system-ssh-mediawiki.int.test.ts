import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord, StepRecord } from '../../src/core/ports.js';
import type { WikiInstance } from '../../src/harness/mediawiki.js';
import { generateKey, startSshd, type Sshd } from '../../src/harness/sshd.js';
import { ferry, json } from './cli.js';
import { smallSource, TOOLS } from './small-wiki.js';
import { snapshotWiki } from './wiki-snapshot.js';
import { scratch, target, writePlan } from './wikis.js';

/**
 * Issue 9, the SSH path: a whole MediaWiki copied from one "server" to
 * another where both are reached through a real OpenSSH server (Debian's
 * sshd on a loopback port, started and stopped here), by the real CLI. Bad
 * SSH input (unreachable host, a key the server refuses, an unknown host key)
 * stops before anything is written.
 */

type Json = Record<string, any>;

const sha = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

interface SshPlanHost {
  port: number;
  key: string;
  hostKey?: string;
  knownHosts?: string;
}

function sshHost(sshd: Sshd, over: Partial<SshPlanHost> = {}): string {
  const h = { port: sshd.port, key: sshd.clientKeyPath, hostKey: sshd.hostKeyFingerprint, ...over };
  return `
    ssh:
      host: 127.0.0.1
      port: ${h.port}
      user: ${sshd.user}
      key: ${h.key}
${h.hostKey ? `      hostKey: "${h.hostKey}"\n` : ''}${h.knownHosts ? `      knownHosts: ${h.knownHosts}\n` : ''}`;
}

function planText(name: string, source: WikiInstance, tgt: WikiInstance, workDir: string, sourceHost: string, targetHost: string): string {
  return `kind: system
name: ${name}
platform: mediawiki
source:
  host:${sourceHost}  configFile: ${join(source.dir, 'LocalSettings.php')}
  workDir: ${join(workDir, 'source-work')}
target:
  host:${targetHost}  configFile: ${join(tgt.dir, 'LocalSettings.php')}
  workDir: ${join(workDir, 'target-work')}
options:
  secretKeys: true
  sourceAfter: online
`;
}

function targetFiles(wiki: WikiInstance): string {
  return sha(JSON.stringify([readFileSync(join(wiki.dir, 'LocalSettings.php'), 'utf8'), readdirSync(join(wiki.dir, 'db')).sort(), readdirSync(wiki.dir).sort()]));
}

describe('system migration of a MediaWiki over SSH', () => {
  let root: string;
  let source: WikiInstance;
  let sshd: Sshd;
  const wikis: WikiInstance[] = [];

  beforeAll(async () => {
    root = scratch('e2e-system-ssh-mw');
    sshd = await startSshd({ dir: join(root, 'sshd') });
    ({ source } = await smallSource(root, 'SSH Source'));
    wikis.push(source);
  }, 600_000);

  afterAll(async () => {
    for (const wiki of wikis) await wiki.stop();
    await sshd?.stop();
    if (!process.env.FERRY_KEEP_TEST_DIRS) rmSync(root, { recursive: true, force: true });
  });

  it('bad SSH input is refused with the fix named, before anything is written', async () => {
    const tgt = await target(root, 'SSH Bad Target');
    wikis.push(tgt);
    const data = join(root, 'data-bad');
    const before = targetFiles(tgt);
    const work = join(root, 'bad-work');
    const cases: Array<{ name: string; host: string; message: RegExp }> = [
      // A port nothing listens on: the message names host:port and what to check.
      { name: 'unreachable', host: sshHost(sshd, { port: 1 }), message: /127\.0\.0\.1:1/ },
      // A key the server does not know.
      { name: 'wrong-key', host: sshHost(sshd, { key: await generateKey(join(root, 'stranger'), 'stranger') }), message: /authorized_keys/ },
      // No hostKey and an empty known_hosts file: the server's fingerprint is shown so the user can check and accept it.
      { name: 'unknown-host-key', host: sshHost(sshd, { hostKey: '', knownHosts: writePlan(root, 'empty-known-hosts', '') }), message: new RegExp(sshd.hostKeyFingerprint.replace(/[+/]/g, '\\$&')) },
    ];
    for (const c of cases) {
      const plan = writePlan(root, `bad-${c.name}`, planText(`bad-${c.name}`, source, tgt, work, ' local\n', c.host));
      const result = await ferry(data, ['run', plan]);
      expect(result.code, `${c.name}: ${result.stderr}`).toBe(1);
      expect(result.stderr, c.name).toMatch(c.message);
      expect(result.stderr, c.name).not.toMatch(/at .*\.(ts|js):\d+/);
    }
    expect(targetFiles(tgt)).toBe(before);
    expect(existsSync(work)).toBe(false);
    const status = json<Json[]>(await ferry(data, ['status', '--json']));
    expect(status.filter((m) => String(m.name).startsWith('bad-'))).toEqual([]);
  }, 240_000);

  it('copies the wiki with both installations reached over SSH: the target serves the source\'s pages and files', async () => {
    const tgt = await target(root, 'SSH Copy Target');
    wikis.push(tgt);
    const data = join(root, 'data-copy');
    const sourceSnap = await snapshotWiki(source.apiUrl, { tools: TOOLS });
    const planFile = writePlan(root, 'ssh-copy', planText('ssh-move', source, tgt, join(root, 'copy-work'), sshHost(sshd), sshHost(sshd)));

    const info = await ferry(data, ['system', 'plan', planFile]);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/Platform\s+mediawiki 1\.\d+/);

    const run = json<RunRecord>(await ferry(data, ['run', 'ssh-move', '--json']));
    const log = readFileSync(run.logFile!, 'utf8');
    expect(run.status, log).toBe('FINISHED');
    expect(log).toContain(`${sshd.user}@127.0.0.1:${sshd.port}`);
    const steps = json<Json>(await ferry(data, ['status', 'ssh-move', '--json'])).steps as StepRecord[];
    expect(steps.every((s) => s.status === 'Success' || s.status === 'Skipped'), JSON.stringify(steps)).toBe(true);
    expect(steps.find((s) => s.type === 'copy-database')!.done).toBeGreaterThan(100_000);

    expect((await fetch(`${tgt.url}/index.php?title=Main_Page`)).status).toBe(200);
    const targetSnap = await snapshotWiki(tgt.apiUrl, { tools: TOOLS });
    expect(targetSnap.pages).toEqual(sourceSnap.pages);
    expect(targetSnap.files).toEqual(sourceSnap.files);
    expect(sourceSnap.files.size).toBeGreaterThan(0);
  }, 300_000);
});
