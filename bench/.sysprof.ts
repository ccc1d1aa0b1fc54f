// scratch (not committed): set up a MW source+target once, run ferry, print the run log timeline, undo, repeat.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startFilledWiki } from '../src/generator/filled-wiki-cache.js';
import { DEFAULT_WIKI } from '../src/generator/mediawiki-content.js';
import { startWiki } from '../src/harness/mediawiki.js';
import { startSshd } from '../src/harness/sshd.js';
const root = mkdtempSync('/dev/shm/sysprof-');
const rounds = Number(process.argv[2] ?? 3);
const { wiki: source } = await startFilledWiki({ name: 'Bench System Source', baseDir: join(root, 'source'), content: { ...DEFAULT_WIKI, scribunto: false, pages: 320 }, scribunto: false });
const blobDir = join(source.dir, 'images', 'bench-blobs');
mkdirSync(blobDir, { recursive: true });
for (let i = 0; i < 16; i++) writeFileSync(join(blobDir, `blob-${i}.bin`), randomBytes(64 * 1024 * 1024));
const target = await startWiki({ name: 'T', baseDir: join(root, 'target'), scribunto: false });
const sshd = process.env.SSH ? await startSshd({ dir: join(root, 'sshd') }) : undefined;
const delayMs = Number(process.env.DELAY ?? 0);
let relayPort = sshd?.port;
let relayProc: any;
if (sshd && delayMs > 0) {
  const { spawn } = await import('node:child_process');
  relayProc = spawn(process.execPath, ['bench/.relay.mjs', String(sshd.port), String(delayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  relayPort = Number(await new Promise<string>((r) => relayProc.stdout.once('data', (d: Buffer) => r(d.toString()))));
}
const host = sshd ? `\n    ssh:\n      host: 127.0.0.1\n      port: ${relayPort}\n      user: ${sshd.user}\n      key: ${sshd.clientKeyPath}\n      hostKey: "${sshd.hostKeyFingerprint}"\n` : ' local\n';
const plan = join(root, 'plan.yaml');
writeFileSync(plan, `kind: system
name: prof
platform: mediawiki
source:
  host:${host}  configFile: ${join(source.dir, 'LocalSettings.php')}
  workDir: ${join(root, 'work', 'source-work')}
target:
  host:${host}  configFile: ${join(target.dir, 'LocalSettings.php')}
  workDir: ${join(root, 'work', 'target-work')}
options:
  secretKeys: true
  sourceAfter: online
`);
const dataDir = join(root, 'data');
try {
  for (let r = 0; r < rounds; r++) {
    const t0 = Date.now();
    const env = { ...process.env, ...(r % 2 === 1 && process.env.ALT ? { [process.env.ALT]: process.env.ALTVAL ?? '1' } : {}) };
    console.log('env', r % 2 === 1 && process.env.ALT ? process.env.ALT : '-', r % 2 === 1 && process.env.ALTBIN ? 'ALTBIN' : 'main');
    const res = spawnSync('/usr/bin/time', ['-f', 'TIME %U user %S sys %M KB', ...(process.env.STRACE ? ['strace', '-f', '-tt', '-e', 'trace=execve,exit_group,write,openat', '-o', process.env.STRACE] : []), process.execPath, ...(process.env.NODEARGS ? process.env.NODEARGS.split(' ') : []), ...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.PROF] : []), (r % 2 === 1 && process.env.ALTBIN ? process.env.ALTBIN : 'bin/ferry.js'), '--data-dir', dataDir, 'run', plan, '--json'], { encoding: 'utf8', env });
    const t1 = Date.now();
    console.log(`round ${r}: ${res.stderr.match(/TIME.*/)?.[0]} exit ${res.status} ${(t1 - t0) / 1000}s start ${new Date(t0).toISOString()}`);
    const logs = readdirSync(join(dataDir, 'logs')).sort();
    const log = readFileSync(join(dataDir, 'logs', logs[logs.length - 1]), 'utf8');
    for (const line of log.split('\n')) { const at = Date.parse(line.slice(0, 24)); if (at && (process.env.VERBOSE || /read at once|copy-files\] Copies|Final checks: done|ended/.test(line))) console.log(`${String(at - t0).padStart(6)} ${line.slice(25, 180)}`); }
    console.log(`${String(t1 - t0).padStart(6)} (exit)`);
    if (process.env.DUMP || true) writeFileSync(`/tmp/sysprof-out-${r}.txt`, res.stdout + res.stderr);
    const u = spawnSync(process.execPath, ['bin/ferry.js', '--data-dir', dataDir, 'undo', String(JSON.parse(res.stdout).run ?? JSON.parse(res.stdout).runId ?? JSON.parse(res.stdout).id)], { encoding: 'utf8' });
    if (u.status !== 0) { console.log('undo', u.status, u.stdout.slice(-500), u.stderr.slice(-500)); break; }
    rmSync(join(root, 'work'), { recursive: true, force: true });
  }
} finally {
  relayProc?.kill(); await source.stop(); await target.stop(); await sshd?.stop(); rmSync(root, { recursive: true, force: true });
}
