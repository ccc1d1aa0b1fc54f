import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startFilledSite } from '../src/generator/wordpress-filled-site-cache.js';
import { startSite } from '../src/harness/wordpress.js';
const root = mkdtempSync('/dev/shm/wpprof-');
const rounds = Number(process.argv[2] ?? 2);
const { site: source } = await startFilledSite({ name: 'Src', baseDir: join(root, 'source'), content: { posts: 200, media: 60 } as any });
const blobDir = join(source.dir, 'content', 'uploads', 'bench-blobs');
mkdirSync(blobDir, { recursive: true });
for (let i = 0; i < 16; i++) writeFileSync(join(blobDir, `blob-${i}.bin`), randomBytes(64 * 1024 * 1024));
const target = await startSite({ name: 'T', baseDir: join(root, 'target') });
const side = (site: any, work: string) => `  host: local\n  configFile: /etc/wordpress/config-ferry-harness.php\n  env: { FERRY_WP_SITE_CONFIG: ${join(site.dir, 'wp-config-site.php')} }\n  workDir: ${work}`;
const plan = join(root, 'plan.yaml');
writeFileSync(plan, `kind: system\nname: prof\nplatform: wordpress\nsource:\n${side(source, join(root, 'work', 's'))}\ntarget:\n${side(target, join(root, 'work', 't'))}\noptions:\n  secretKeys: true\n  sourceAfter: online\n  newUrl: ${target.url}\n`);
const dataDir = join(root, 'data');
try {
  for (let r = 0; r < rounds; r++) {
    const t0 = Date.now();
    const res = spawnSync(process.execPath, [...(process.env.NODEARGS ? process.env.NODEARGS.split(" ") : []),...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.PROF] : []), (r % 2 === 1 && process.env.ALTBIN ? process.env.ALTBIN : 'bin/ferry.js'), '--data-dir', dataDir, 'run', plan, '--json'], { encoding: "utf8", env: { ...process.env, ...(r % 2 === 1 && process.env.ALT ? { [process.env.ALT]: "1" } : {}) } });
    const t1 = Date.now();
    console.log(`round ${r}: exit ${res.status} ${(t1 - t0) / 1000}s ${new Date(t1).toISOString()}`); console.log(res.stderr.split("\n").filter((l) => l.startsWith("TRACE")).join("\n"));
    const logs = readdirSync(join(dataDir, 'logs')).sort();
    const log = readFileSync(join(dataDir, 'logs', logs[logs.length - 1]!), 'utf8');
    for (const line of log.split('\n')) { const at = Date.parse(line.slice(0, 24)); if (at) console.log(`${String(at - t0).padStart(6)} ${line.slice(25, 170)}`); }
    console.log(`${String(t1 - t0).padStart(6)} (exit)`);
    const id = JSON.parse(res.stdout).run ?? JSON.parse(res.stdout).runId ?? JSON.parse(res.stdout).id;
    const u = spawnSync(process.execPath, ['bin/ferry.js', '--data-dir', dataDir, 'undo', String(id)], { encoding: "utf8" });
    if (u.status !== 0) { console.log('undo', u.status, u.stdout.slice(-500), u.stderr.slice(-500)); break; }
    rmSync(join(root, 'work'), { recursive: true, force: true });
  }
} finally { await source.stop(); await target.stop(); rmSync(root, { recursive: true, force: true }); }
