/**
 * SFTP copy speed with and without requests in flight, over a link with round trips.
 *
 *   npx tsx bench/sftp-latency.ts [--delay-ms 5] [--files 4] [--mb 64] [--rounds 2]
 *
 * Starts a private sshd (src/harness/sshd.ts) and, with --delay-ms > 0, a TCP relay in front of it
 * that holds every chunk that crosses it for that long in each direction (a round trip of twice the
 * delay, no bandwidth limit: a stand-in for the network between two servers). Files of random bytes
 * are copied from one SSH connection to another, as a system migration over SSH does, alternately with
 * ssh2's own SFTP streams (one READ or WRITE answered before the next is sent) and with Ferry's
 * (src/system/sftp-streams.ts: 16 in flight). Prints wall clock, Node's CPU and MB/s per round.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { SFTPWrapper } from 'ssh2';
import { startSshd } from '../src/harness/sshd.js';
import { connectSsh, type SshHost } from '../src/system/ssh.js';
import { startLatencyRelay } from './latency-relay.js';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

const delayMs = option('delay-ms', 5);
const files = option('files', 4);
const megabytes = option('mb', 64);
const rounds = option('rounds', 2);

const dir = mkdtempSync('/dev/shm/ferry-bench-sftp-');
const sshd = await startSshd({ dir: join(dir, 'sshd') });
const relay = delayMs > 0 ? await startLatencyRelay(sshd.port, delayMs) : undefined;
try {
  const port = relay?.port ?? sshd.port;
  mkdirSync(join(dir, 'from'));
  mkdirSync(join(dir, 'to'));
  for (let i = 0; i < files; i++) writeFileSync(join(dir, 'from', `f${i}`), randomBytes(megabytes * 1024 * 1024));
  const config = { host: '127.0.0.1', port, user: sshd.user, key: sshd.clientKeyPath, hostKey: sshd.hostKeyFingerprint, connectTimeoutMs: 10_000 };
  const source = await connectSsh(config);
  const target = await connectSsh(config);
  // ssh2's own streams, through the same SFTP sessions the hosts opened.
  const sessionOf = (host: SshHost): Promise<SFTPWrapper> => (host as unknown as { sftp(): Promise<SFTPWrapper> }).sftp();
  console.log(`${files} x ${megabytes} MB over SSH, relay delay ${delayMs} ms each way`);
  for (let round = 1; round <= rounds; round++) {
    for (const streams of ['ssh2', 'ferry'] as const) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      for (let i = 0; i < files; i++) {
        const from = join(dir, 'from', `f${i}`);
        const to = join(dir, 'to', `f${i}`);
        if (streams === 'ferry') await pipeline(source.createReadStream(from, 0), target.createWriteStream(to, 'w'));
        else await pipeline((await sessionOf(source)).createReadStream(from, { highWaterMark: 1024 * 1024 }), (await sessionOf(target)).createWriteStream(to, { flags: 'w' }));
      }
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      console.log(`round ${round} ${streams.padEnd(5)} ${seconds.toFixed(2)} s, CPU ${((used.user + used.system) / 1e6).toFixed(2)} s, ${((files * megabytes) / seconds).toFixed(1)} MB/s`);
    }
  }
  await source.close();
  await target.close();
} finally {
  relay?.stop();
  await sshd.stop();
  rmSync(dir, { recursive: true, force: true });
}
