/**
 * CPU seconds of a copy between two SSH hosts, every process counted: Ferry's and the sshd side's (its
 * per-connection processes and what they ran: the SFTP server, the SHA-256 of each end), beside the native
 * pipe an administrator would type. A busy machine changes wall clock far more than CPU time, so this
 * compares the ways of copying fairly even while other work runs.
 *
 *   npx tsx bench/ssh-copy-cpu.ts [--files 8] [--mb 64] [--rounds 2]
 *
 * Each round, on a private sshd (src/harness/sshd.ts) on loopback:
 *  - ferry: copyChecked from one SSH connection to another, four files at a time, as a system migration
 *    copies uploads (ssh2's SFTP, 16 requests in flight, then the CRC-32 of both ends on the host: `cksum`);
 *  - ferry-sha: the same with FERRY_COPY_CHECK=sha256 (the SHA-256 of both ends, as before the CRC);
 *  - native: `ssh tar c | ssh tar x` of the folder (OpenSSH's client, no check of the bytes);
 *  - check, check-crc: the SHA-256 (`openssl dgst -sha256`) or the CRC-32 of both ends alone over SSH,
 *    the share of Ferry's figure that the native pipe does not do.
 * As root, everything runs in a cgroup of its own (cpuacct), whose total counts every process.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSshd } from '../src/harness/sshd.js';
import { connectSsh } from '../src/system/ssh.js';
import { copyChecked } from '../src/system/transfer.js';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

const files = option('files', 8);
const megabytes = option('mb', 64);
const rounds = option('rounds', 2);
const TICK = 100; // USER_HZ on Linux

/** utime+stime (own) and cutime+cstime (reaped children) of a process, in seconds. */
function cpuOf(pid: number | 'self'): { own: number; children: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ').map(Number);
  // After the name: state is field 3; utime 14, stime 15, cutime 16, cstime 17 (1-based), i.e. index 11..14 here.
  return { own: ((fields[11] ?? 0) + (fields[12] ?? 0)) / TICK, children: ((fields[13] ?? 0) + (fields[14] ?? 0)) / TICK };
}

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map(Number).filter(Boolean);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

/**
 * Where the kernel has cgroup v1's cpuacct and lets us write it (root): this process and everything it starts
 * (sshd and its sessions) in a group of their own, whose usage counts every process, also
 * those not reaped yet. Undefined: only the per-process figures.
 */
const CPUACCT = '/sys/fs/cgroup/cpuacct';
const group = (() => {
  const path = join(CPUACCT, `ferry-bench-${process.pid}`);
  try {
    mkdirSync(path);
    writeFileSync(join(path, 'cgroup.procs'), String(process.pid));
    return path;
  } catch {
    return undefined;
  }
})();
const groupSeconds = (): number => (group ? Number(readFileSync(join(group, 'cpuacct.usage'), 'utf8')) / 1e9 : Number.NaN);

const dir = mkdtempSync('/dev/shm/ferry-bench-sshcpu-');
const sshd = await startSshd({ dir: join(dir, 'sshd') });
const config = { host: '127.0.0.1', port: sshd.port, user: sshd.user, key: sshd.clientKeyPath, hostKey: sshd.hostKeyFingerprint, connectTimeoutMs: 10_000 };
mkdirSync(join(dir, 'from'));
for (let i = 0; i < files; i++) writeFileSync(join(dir, 'from', `f${i}.bin`), randomBytes(megabytes * 1024 * 1024));
const total = files * megabytes;
console.log(`${files} x ${megabytes} MB between two connections of a private sshd on 127.0.0.1; CPU seconds per process group`);

/** OpenSSH's client as an administrator would type it (the private sshd's key, its host key not checked). */
const SSH = `ssh -p ${sshd.port} -i ${sshd.clientKeyPath} -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR ${sshd.user}@127.0.0.1`;

/** The per-connection sshd processes are reaped by the listening one once their connection closed: waits for that. */
async function sshdSessionsEnded(): Promise<void> {
  for (let waited = 0; waited < 10_000 && childrenOf(sshd.pid).length > 0; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** The native way, for the floor: `ssh tar c | ssh tar x` of the folder with OpenSSH's defaults, no check of the bytes. */
function nativeTar(to: string): void {
  execFileSync('sh', ['-c', `${SSH} 'tar -C ${join(dir, 'from')} -cf - .' | ${SSH} 'tar -C ${to} -xpf -'`]);
}

async function round(mode: 'ferry' | 'ferry-sha' | 'native' | 'check' | 'check-crc'): Promise<void> {
  const to = join(dir, `to-${mode}`);
  if (!mode.startsWith('check')) {
    rmSync(to, { recursive: true, force: true });
    mkdirSync(to);
  }
  const groupBefore = groupSeconds();
  const sshdBefore = cpuOf(sshd.pid);
  const selfBefore = cpuOf('self');
  const started = performance.now();
  if (mode === 'native') {
    nativeTar(to);
    const seconds = (performance.now() - started) / 1000;
    await sshdSessionsEnded();
    console.log(`${'native'.padEnd(9)} ${seconds.toFixed(2).padStart(6)} s ${(total / seconds).toFixed(1).padStart(6)} MB/s | ssh tar c | ssh tar x${group ? `; cgroup (everything) ${(groupSeconds() - groupBefore).toFixed(2)}` : ''}`);
    return;
  }
  if (mode === 'check' || mode === 'check-crc') {
    const list = (folder: string): string => Array.from({ length: files }, (_, i) => join(folder, `f${i}.bin`)).join(' ');
    const sum = mode === 'check' ? 'openssl dgst -sha256 -r' : 'cksum';
    execFileSync('sh', ['-c', `${SSH} '${sum} ${list(join(dir, 'from'))}' >/dev/null & ${SSH} '${sum} ${list(join(dir, 'to-ferry'))}' >/dev/null; wait`]);
    const seconds = (performance.now() - started) / 1000;
    await sshdSessionsEnded();
    console.log(`${mode.padEnd(9)} ${seconds.toFixed(2).padStart(6)} s ${' '.repeat(12)} | ${mode === 'check' ? 'SHA-256' : 'CRC-32 (cksum)'} of both ends alone${group ? `; cgroup (everything) ${(groupSeconds() - groupBefore).toFixed(2)}` : ''}`);
    return;
  }
  if (mode === 'ferry-sha') process.env.FERRY_COPY_CHECK = 'sha256';
  else delete process.env.FERRY_COPY_CHECK;
  const [source, target] = await Promise.all([connectSsh(config), connectSsh(config)]);
  const queue = Array.from({ length: files }, (_, i) => `f${i}.bin`);
  const worker = async (): Promise<void> => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      await copyChecked(source, join(dir, 'from', name), target, join(to, name), megabytes * 1024 * 1024, { signal: new AbortController().signal, operation: 'bench' });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const seconds = (performance.now() - started) / 1000;
  await Promise.all([source.close(), target.close()]);
  await sshdSessionsEnded();
  const self = cpuOf('self');
  const sshdAfter = cpuOf(sshd.pid);
  const ferry = self.own - selfBefore.own;
  const server = sshdAfter.own + sshdAfter.children - sshdBefore.own - sshdBefore.children;
  console.log(`${mode.padEnd(9)} ${seconds.toFixed(2).padStart(6)} s ${(total / seconds).toFixed(1).padStart(6)} MB/s | CPU s: Ferry ${ferry.toFixed(2)}, sshd side ${server.toFixed(2)}, sum ${(ferry + server).toFixed(2)}${group ? `; cgroup (everything) ${(groupSeconds() - groupBefore).toFixed(2)}` : ''}`);
}

try {
  for (let r = 0; r < rounds; r++) {
    await round('ferry');
    await round('ferry-sha');
    await round('native');
    await round('check');
    await round('check-crc');
  }
} finally {
  await sshd.stop();
  rmSync(dir, { recursive: true, force: true });
  if (group) {
    writeFileSync(join(CPUACCT, 'cgroup.procs'), String(process.pid));
    try {
      rmSync(group, { recursive: false });
    } catch {
      execFileSync('rmdir', [group]);
    }
  }
}
