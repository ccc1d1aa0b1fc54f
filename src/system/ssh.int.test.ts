import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../harness/ports.js';
import { createTestUser, generateKey, startSshd, type Sshd } from '../harness/sshd.js';
import { ConnectorError } from '../sdk/errors.js';
import type { Host } from './host.js';
import type { SshHostConfig } from './host-config.js';
import { openHost } from './host-config.js';
import { LocalHost } from './local.js';
import { connectSsh, type SshHost } from './ssh.js';

let sshd: Sshd;
let sshdDir: string;

beforeAll(async () => {
  sshdDir = await mkdtemp(join(tmpdir(), 'ferry-sshd-'));
  sshd = await startSshd({ dir: sshdDir });
});

afterAll(async () => {
  await sshd?.stop();
  await rm(sshdDir, { recursive: true, force: true });
});

function sshConfig(overrides: Partial<SshHostConfig> = {}): SshHostConfig {
  return { host: '127.0.0.1', port: sshd.port, user: sshd.user, key: sshd.clientKeyPath, hostKey: sshd.hostKeyFingerprint, connectTimeoutMs: 10_000, ...overrides };
}

async function rejection(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** `data` cut into pieces of `size` bytes (the last one shorter). */
function* pieces(data: Buffer, size: number): Generator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

/** The behaviour every Host must have; LocalHost is the reference, SshHost must not differ. */
function hostBehaviour(name: string, open: () => Promise<Host>): void {
  describe(name, () => {
    let host: Host;
    let root: string;

    beforeAll(async () => {
      host = await open();
      root = await mkdtemp(join(tmpdir(), `ferry-host-${name}-`));
    });

    afterAll(async () => {
      await host?.close();
      await rm(root, { recursive: true, force: true });
    });

    it('runs commands with hostile arguments unchanged, env, cwd and input', async () => {
      const marker = join(root, 'pwned');
      const args = ['a b', "it's", '"dq"', `$(touch ${marker})`, `\`touch ${marker}\``, 'line1\nline2', '*', '', '\\', '$HOME', '; rm -rf /nothing', '|', 'ü €', '-n'];
      const { stdout } = await host.exec(['printf', '%s\\0', ...args]);
      expect(stdout.split('\0').slice(0, -1)).toEqual(args);
      expect(existsSync(marker)).toBe(false);

      const env = await host.exec(['sh', '-c', 'printf "%s" "$FERRY_A"'], { env: { FERRY_A: "x y 'z' $(no)\nline" } });
      expect(env.stdout).toBe("x y 'z' $(no)\nline");
      expect((await host.exec(['pwd'], { cwd: root })).stdout.trim()).toBe(root);
      expect((await host.exec(['cat'], { input: 'hello\nworld' })).stdout).toBe('hello\nworld');
    });

    it('reports a non-zero exit with its stderr, secrets redacted, and a missing command by name', async () => {
      const failure = await rejection(host.exec(['sh', '-c', 'echo "oops s3cret-value" >&2; exit 3'], { secrets: ['s3cret-value'] }));
      expect(failure.message).toContain('exited with 3');
      expect(failure.message).toContain('oops [redacted]');
      expect(failure.message).not.toContain('s3cret-value');
      expect(await host.exec(['sh', '-c', 'exit 4'], { allowFailure: true })).toMatchObject({ code: 4 });
      const missing = await rejection(host.exec(['ferry-no-such-command', 'x']));
      expect(missing.message).toBe(`ferry-no-such-command is not installed on ${host.label}`);
    });

    it('streams 20 MB through a command\'s stdin and stdout', async () => {
      const data = randomBytes(20 * 1024 * 1024);
      const process_ = host.spawn(['cat']);
      const hash = createHash('sha256');
      let bytes = 0;
      process_.stdout.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      const started = Date.now();
      const chunks = Array.from({ length: 320 }, (_, i) => data.subarray(i * 65536, (i + 1) * 65536));
      await pipeline(Readable.from(chunks), process_.stdin);
      const [{ code }] = await Promise.all([process_.done, finished(process_.stdout)]);
      console.log(`${name}: 20 MB through cat in ${Date.now() - started} ms`);
      expect(code).toBe(0);
      expect(bytes).toBe(data.length);
      expect(hash.digest('hex')).toBe(sha256(data));
    });

    it('ends a running command on kill()', async () => {
      const process_ = host.spawn(['sleep', '30']);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = Date.now();
      process_.kill();
      const { code } = await process_.done;
      expect(code).not.toBe(0);
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('ends a command when its AbortSignal fires', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      const started = Date.now();
      const error = await host.exec(['sleep', '30'], { signal: controller.signal }).then(() => undefined, (e: unknown) => e);
      expect((error as Error).name).toBe('AbortError');
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('makes folders, files and symlinks with their modes, and lists and stats them', async () => {
      const base = join(root, 'tree');
      await host.mkdir(join(base, 'b', 'c'), 0o750);
      await host.writeFile(join(base, 'f.txt'), 'hello', 0o640);
      await host.writeFile(join(base, 'b', 'name with space\nand newline'), Buffer.from([0, 1, 2]));
      await host.symlink('f.txt', join(base, 'link'));
      await host.symlink('/nowhere/at/all', join(base, 'dangling'));

      expect(await host.stat(join(base, 'b'))).toMatchObject({ kind: 'dir', mode: 0o750 });
      expect(await host.stat(join(base, 'f.txt'))).toMatchObject({ path: join(base, 'f.txt'), kind: 'file', size: 5, mode: 0o640 });
      expect(await host.stat(join(base, 'link'))).toMatchObject({ kind: 'symlink', target: 'f.txt' });
      expect(await host.stat(join(base, 'dangling'))).toMatchObject({ kind: 'symlink', target: '/nowhere/at/all' });
      expect(await host.stat(join(base, 'missing'))).toBeUndefined();
      const mtime = (await host.stat(join(base, 'f.txt')))?.mtimeMs ?? 0;
      expect(Math.abs(mtime - Date.now())).toBeLessThan(60_000);

      const listed = [];
      for await (const entry of host.list(base)) listed.push(entry);
      expect(listed.map((e) => [e.path, e.kind, e.size, e.mode, e.target])).toEqual([
        ['b', 'dir', 0, 0o750, undefined],
        ['b/c', 'dir', 0, 0o750, undefined],
        ['b/name with space\nand newline', 'file', 3, 0o644, undefined],
        ['dangling', 'symlink', 0, expect.any(Number), '/nowhere/at/all'],
        ['f.txt', 'file', 5, 0o640, undefined],
        ['link', 'symlink', 0, expect.any(Number), 'f.txt'],
      ]);
      expect((await host.readFile(join(base, 'b', 'name with space\nand newline'))).equals(Buffer.from([0, 1, 2]))).toBe(true);
      const missing = await rejection(host.readFile(join(base, 'missing')));
      expect(missing.kind).toBe('config');
      expect(missing.message).toContain('no such file or folder');
      expect((await rejection((async () => { for await (const _ of host.list(join(base, 'missing'))) void _; })())).kind).toBe('config');
    });

    it('writes, appends to resume, reads from an offset, renames over a file and removes', async () => {
      const file = join(root, 'stream.bin');
      const first = host.createWriteStream(file, 'w');
      first.end('abc');
      await finished(first);
      expect((await host.readFile(file)).toString()).toBe('abc');
      const resumed = host.createWriteStream(file, 'a');
      resumed.end('def');
      await finished(resumed);
      expect((await readFile(file)).toString()).toBe('abcdef');
      let tail = '';
      for await (const chunk of host.createReadStream(file, 3)) tail += (chunk as Buffer).toString();
      expect(tail).toBe('def');

      await host.writeFile(join(root, 'old'), 'old');
      await host.writeFile(join(root, 'new'), 'new');
      await host.rename(join(root, 'new'), join(root, 'old'));
      expect((await host.readFile(join(root, 'old'))).toString()).toBe('new');
      expect(await host.stat(join(root, 'new'))).toBeUndefined();

      await host.mkdir(join(root, 'gone', 'deep'));
      await host.writeFile(join(root, 'gone', 'deep', 'x'), 'x');
      await host.remove(join(root, 'gone'));
      expect(await host.stat(join(root, 'gone'))).toBeUndefined();
      await host.remove(join(root, 'gone')); // nothing there: not an error
      await host.mkdir(join(root, 'old-dir'));
      await host.mkdir(join(root, 'old-dir')); // already there: not an error
    });

    it('streams files of every size around the 255 KiB request size whole, from an offset and appended in pieces', async () => {
      const request = 255 * 1024;
      for (const size of [0, 1, request - 1, request, request + 1, 16 * request + 5, 40 * request + 3]) {
        const data = randomBytes(size);
        const from = join(root, `sized-${size}.bin`);
        await writeFile(from, data);
        const chunks: Buffer[] = [];
        for await (const chunk of host.createReadStream(from, 0)) chunks.push(chunk as Buffer);
        expect(sha256(Buffer.concat(chunks)), `read of ${size} bytes`).toBe(sha256(data));
        const offset = Math.floor(size / 3);
        const tail: Buffer[] = [];
        for await (const chunk of host.createReadStream(from, offset)) tail.push(chunk as Buffer);
        expect(sha256(Buffer.concat(tail)), `read of ${size} bytes from ${offset}`).toBe(sha256(data.subarray(offset)));

        // Written in two sessions (a copy resumed after a stop), with odd-sized writes, several in flight.
        const to = join(root, `written-${size}.bin`);
        const head = host.createWriteStream(to, 'w', 0o640);
        await pipeline(Readable.from(pieces(data.subarray(0, offset), 70_001)), head);
        const rest = host.createWriteStream(to, 'a');
        await pipeline(Readable.from(pieces(data.subarray(offset), 300_007)), rest);
        expect(sha256(await readFile(to)), `write of ${size} bytes`).toBe(sha256(data));
        expect((await stat(to)).mode & 0o777).toBe(0o640);
      }
      const missing = await host.createReadStream(join(root, 'no-such-file'), 0).toArray().then(() => undefined, (e: unknown) => e);
      expect(missing).toBeInstanceOf(Error);
      expect((missing as Error).message).toMatch(/no such file|ENOENT/i);
    });

    it('computes sha256 on the host, free bytes of the nearest parent, and its identity', async () => {
      const data = randomBytes(3 * 1024 * 1024 + 17);
      await writeFile(join(root, 'sum.bin'), data);
      expect(await host.sha256(join(root, 'sum.bin'))).toBe(sha256(data));
      expect((await rejection(host.sha256(join(root, 'nothing')))).kind).toBe('config');
      const hostile = join(root, "it's $(touch pwned)\\back\nslash");
      await writeFile(hostile, 'x');
      expect(await host.sha256(hostile)).toBe(sha256(Buffer.from('x')));
      // Debian 12's coreutils (9.1) computes cksum's CRC-32 with the CPU's carry-less multiply: a cheap check.
      expect(await host.cheapCrc?.()).toBe(true);
      expect(await host.crc32!(join(root, 'sum.bin'))).toBe(execFileSync('cksum', [join(root, 'sum.bin')], { encoding: 'utf8' }).split(' ').slice(0, 2).join(' '));
      expect(await host.crc32!(hostile)).toBe('12738659 1');
      expect((await rejection(host.crc32!(join(root, 'nothing')))).kind).toBe('config');
      await host.remove(hostile);
      expect(existsSync(hostile)).toBe(false);
      expect(existsSync(join(root, 'pwned'))).toBe(false);
      expect(await host.freeBytes(join(root, 'not', 'made', 'yet'))).toBeGreaterThan(0);
      const info = await host.info();
      expect(info.hostname).toBe(hostname());
      expect(info.fqdn.length).toBeGreaterThan(0);
      expect(info.addresses.length).toBeGreaterThan(0);
      expect(info.addresses.at(-1)).toMatch(/^(127\.|::1)|/);
    });
  });
}

hostBehaviour('local', async () => new LocalHost());
hostBehaviour('ssh', async () => openHost({ ssh: sshConfig() }));

describe('ssh only: the connection and bad input', () => {
  it('names an unreachable host:port and asks whether sshd runs', async () => {
    const port = await findFreePort();
    const error = await rejection(connectSsh(sshConfig({ port })));
    expect(error.kind).toBe('config');
    expect(error.message).toBe(`Cannot reach 127.0.0.1:${port}: connection refused`);
    expect(error.hint).toContain('is sshd running');
  });

  it('names a host that does not answer within connectTimeoutMs', async () => {
    // A port that accepts connections and then says nothing (a firewall that swallows, a hung sshd).
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const started = Date.now();
      const error = await rejection(connectSsh(sshConfig({ port, connectTimeoutMs: 1500 })));
      expect(error.kind).toBe('config');
      expect(error.message).toBe(`Cannot reach 127.0.0.1:${port}: no answer within 1500 ms`);
      expect(error.hint).toContain('is sshd running');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      silent.close();
    }
  });

  it('runs commands without input in its long-lived shells: any bytes out, stderr apart, a stop ends the whole command', async () => {
    const host = await connectSsh(sshConfig());
    try {
      const bytes = await host.exec(['sh', '-c', 'printf "a\\000b\\377\\n"; echo "to stderr" >&2; exit 5'], { allowFailure: true });
      expect(bytes.code).toBe(5);
      expect(Buffer.from(bytes.stdout, 'utf8').includes(0)).toBe(true);
      expect(bytes.stdout.startsWith('a\0b')).toBe(true);
      expect(bytes.stderr).toBe('to stderr\n');
      expect((await host.exec(['pwd'], { cwd: '/tmp', env: { FERRY_X: 'it\'s "quoted"' } })).stdout).toBe('/tmp\n');
      expect((await host.exec(['sh', '-c', 'printf %s "$FERRY_X"'], { env: { FERRY_X: 'it\'s "quoted"' } })).stdout).toBe('it\'s "quoted"');

      // A stop ends the command and what it started (its own process group), not only the shell around it.
      const controller = new AbortController();
      const running = host.exec(['sh', '-c', 'sleep 41.75; echo never'], { signal: controller.signal }).then(() => undefined, (e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n')).toContain('sleep 41.75');
      controller.abort();
      expect(((await running) as Error).name).toBe('AbortError');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n')).not.toContain('sleep 41.75');
      // The shell goes on serving commands after a stopped one.
      expect((await host.exec(['echo', 'still here'])).stdout).toBe('still here\n');
    } finally {
      await host.close();
    }
  });

  it('runs short commands started side by side in one job shell, long ones side by side in sessions of their own', async () => {
    const host = await connectSsh(sshConfig());
    try {
      const jobShells = (): number => (host as unknown as { jobShells: unknown[] }).jobShells.length;
      await host.exec(['true']);
      expect(jobShells()).toBe(1);
      // Each session starts the login shell (0.1-0.2 s of CPU here): three short commands wait for the one shell instead.
      const outputs = await Promise.all([1, 2, 3].map((i) => host.exec(['echo', `short ${i}`])));
      expect(outputs.map((o) => o.stdout)).toEqual(['short 1\n', 'short 2\n', 'short 3\n']);
      expect(jobShells()).toBe(1);
      // Commands still busy after the wait get a second job shell, then exec channels: they run side by side.
      const started = performance.now();
      await Promise.all([1, 2, 3].map(() => host.exec(['sleep', '1.5'])));
      expect(performance.now() - started).toBeLessThan(2900);
      expect(jobShells()).toBe(2);
    } finally {
      await host.close();
    }
  });

  it('queues commands beyond what one connection may run at once (OpenSSH MaxSessions 10)', async () => {
    const host = await connectSsh(sshConfig());
    try {
      const outputs = await Promise.all(Array.from({ length: 24 }, (_, i) => host.exec(['sh', '-c', 'sleep 0.3; printf %s "$0"', `n${i}`])));
      expect(outputs.map((o) => o.stdout)).toEqual(Array.from({ length: 24 }, (_, i) => `n${i}`));
      const files = await Promise.all(Array.from({ length: 12 }, async (_, i) => {
        const path = join(sshdDir, `parallel-${i}`);
        await writeFile(path, `content ${i}`);
        return path;
      }));
      const sums = await Promise.all(files.map((path) => host.sha256(path)));
      expect(sums).toEqual(files.map((_, i) => sha256(Buffer.from(`content ${i}`))));
      // Killed at once: some are still waiting for a channel, some have not printed their PID yet.
      const started = Date.now();
      const sleepers = Array.from({ length: 10 }, () => host.spawn(['sleep', '37.125'])); // a duration no other test uses
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (const sleeper of sleepers) sleeper.kill();
      const codes = await Promise.all(sleepers.map((sleeper) => sleeper.done.then((r) => r.code)));
      expect(codes.every((code) => code !== 0)).toBe(true);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line === 'sleep 37.125')).toEqual([]);
    } finally {
      await host.close();
    }
  });

  it('lists through SFTP alone (hosts without GNU find) exactly as with find', async () => {
    const host = await connectSsh(sshConfig());
    const base = await mkdtemp(join(tmpdir(), 'ferry-list-'));
    try {
      await host.mkdir(join(base, 'a b', 'c'), 0o700);
      await host.writeFile(join(base, 'a b', 'c', "it's"), 'xyz', 0o600);
      await host.symlink('../a b', join(base, 'a b', 'up'));
      await host.writeFile(join(base, 'z'), '');
      const strip = (e: { path: string; kind: string; size: number; mode: number; target?: string }) => [e.path, e.kind, e.size, e.mode, e.target];
      const byFind = [];
      for await (const entry of host.list(base)) byFind.push(strip(entry));
      const bySftp = [];
      for await (const entry of (host as SshHost).listBySftp(base)) bySftp.push(strip(entry));
      expect(byFind.map((e) => e[0])).toEqual(['a b', 'a b/c', "a b/c/it's", 'a b/up', 'z']);
      expect(bySftp).toEqual(byFind);
    } finally {
      await host.close();
      await rm(base, { recursive: true, force: true });
    }
  });

  it('streams files side by side on SFTP sessions of their own over a link with round trips, on one session on loopback or where the server allows no more', async () => {
    const base = await mkdtemp(join(tmpdir(), 'ferry-streams-'));
    const tight = await startSshd({ dir: join(base, 'sshd'), extraConfig: ['MaxSessions 3'] });
    // Relays holding each chunk 3 ms each way in front of an sshd: a 6 ms round trip, as between two servers.
    const relays: Array<ReturnType<typeof createServer>> = [];
    const farPort = async (port: number): Promise<number> => {
      const relay = createServer((client) => {
        const server = connect(port, '127.0.0.1');
        client.setNoDelay(true);
        server.setNoDelay(true);
        for (const [from, to] of [[client, server], [server, client]] as const) {
          from.on('data', (chunk: Buffer) => setTimeout(() => to.write(chunk), 3));
          from.on('close', () => to.destroy());
          from.on('error', () => to.destroy());
        }
      });
      relays.push(relay);
      await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
      return (relay.address() as AddressInfo).port;
    };
    try {
      const contents = Array.from({ length: 4 }, () => randomBytes(3 * 1024 * 1024 + 17));
      await Promise.all(contents.map((data, i) => writeFile(join(base, `from-${i}`), data)));
      const copyAll = async (host: SshHost, tag: string): Promise<number> => {
        await host.stat(base); // a round trip measured, as discovery does before any copy
        let most = 0;
        const watch = setInterval(() => (most = Math.max(most, host.streamSessionsOpen)), 5);
        try {
          await Promise.all(contents.map((_, i) => pipeline(host.createReadStream(join(base, `from-${i}`)), host.createWriteStream(join(base, `${tag}-${i}`), 'w'))));
        } finally {
          clearInterval(watch);
        }
        for (const [i, data] of contents.entries()) expect(sha256(await readFile(join(base, `${tag}-${i}`)))).toBe(sha256(data));
        return most;
      };
      const far = await connectSsh(sshConfig({ port: await farPort(sshd.port) }));
      try {
        // Eight streams at once: the main session and the three extra ones, each taking two.
        expect(await copyAll(far, 'far')).toBe(3);
        // Unused, they close and give their command slots back.
        await expect.poll(() => far.streamSessionsOpen, { timeout: 5000 }).toBe(0);
        expect(await copyAll(far, 'again')).toBe(3);
      } finally {
        await far.close();
      }
      // Loopback: one session's window outruns the link; an extra session would only cost its start.
      const near = await connectSsh(sshConfig());
      try {
        expect(await copyAll(near, 'near')).toBe(0);
      } finally {
        await near.close();
      }
      // MaxSessions 3: SFTP, the command shell and the job shell take them all; extra sessions are refused and the streams share the main one.
      const crowded = await connectSsh({ ...sshConfig(), port: await farPort(tight.port), hostKey: tight.hostKeyFingerprint, key: tight.clientKeyPath, user: tight.user });
      try {
        await crowded.exec(['true']);
        await copyAll(crowded, 'crowded');
        expect(crowded.streamSessionsOpen).toBe(0);
      } finally {
        await crowded.close();
      }
    } finally {
      for (const relay of relays) relay.close();
      await tight.stop();
      await rm(base, { recursive: true, force: true });
    }
  });

  it('reports a dropped connection as transient, for commands running and to come', async () => {
    const host = await connectSsh(sshConfig());
    await host.sha256(sshd.clientKeyPath);
    const running = host.spawn(['sleep', '30']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // End the sshd process serving this connection (a child of our own sshd): the TCP connection drops.
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(sshd.pid)], { encoding: 'utf8' }).split('\n').map(Number).filter(Boolean);
    expect(children.length).toBeGreaterThan(0);
    for (const child of children) process.kill(child, 'SIGKILL');
    const dropped = await rejection(running.done);
    expect(dropped.kind).toBe('transient');
    expect(dropped.message).toContain(`the SSH connection to ${host.label} was lost`);
    const after = await rejection(host.exec(['true']));
    expect(after.kind).toBe('transient');
    expect((await rejection(host.stat('/'))).kind).toBe('transient');
    await host.close();
  });

  it('drops what a noisy login shell prints before the command, on stdout and stderr', async () => {
    // ForceCommand stands in for a ~/.bashrc that echoes (the tests do not edit the machine's own).
    const dir = await mkdtemp(join(tmpdir(), 'ferry-sshd-noisy-'));
    const noisy = await startSshd({ dir, extraConfig: ['ForceCommand echo rc-noise; echo rc-noise-err >&2; eval "$SSH_ORIGINAL_COMMAND"'] });
    try {
      const host = await connectSsh({ host: '127.0.0.1', port: noisy.port, user: noisy.user, key: noisy.clientKeyPath, hostKey: noisy.hostKeyFingerprint, connectTimeoutMs: 10_000 });
      expect((await host.exec(['printf', '%s', 'exact'])).stdout).toBe('exact');
      const failure = await host.exec(['sh', '-c', 'echo own-err >&2; exit 2'], { allowFailure: true });
      expect(failure).toMatchObject({ code: 2, stdout: '', stderr: 'own-err\n' });
      expect(await host.sha256(noisy.clientKeyPath)).toBe(sha256(await readFile(noisy.clientKeyPath)));
      await host.close();
    } finally {
      await noisy.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a key that is not in authorized_keys', async () => {
    const key = join(sshdDir, 'stranger');
    await generateKey(key, 'stranger');
    const error = await rejection(connectSsh(sshConfig({ key })));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain(`refused the key ${key}`);
    expect(error.hint).toContain('authorized_keys');
  });

  it('refuses an unknown host key and shows its fingerprint and how to accept it', async () => {
    const knownHosts = join(sshdDir, 'known_hosts_empty');
    await writeFile(knownHosts, '');
    const error = await rejection(connectSsh(sshConfig({ hostKey: undefined, knownHosts })));
    expect(error.message).toContain('is unknown');
    expect(error.message).toContain(sshd.hostKeyFingerprint);
    expect(error.hint).toContain(`hostKey: ${sshd.hostKeyFingerprint}`);
  });

  it('accepts the key from a known_hosts file, plain or hashed', async () => {
    const knownHosts = join(sshdDir, 'known_hosts');
    await writeFile(knownHosts, `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
    const plain = await connectSsh(sshConfig({ hostKey: undefined, knownHosts }));
    expect((await plain.exec(['echo', 'ok'])).stdout).toBe('ok\n');
    await plain.close();
    execFileSync('ssh-keygen', ['-q', '-H', '-f', knownHosts]);
    expect(await readFile(knownHosts, 'utf8')).toMatch(/^\|1\|/);
    const hashed = await connectSsh(sshConfig({ hostKey: undefined, knownHosts }));
    await hashed.close();
  });

  it('refuses a changed host key loudly, from known_hosts or the plan\'s hostKey', async () => {
    const other = join(sshdDir, 'other_host_key');
    const otherPublic = await generateKey(other, 'impostor');
    const knownHosts = join(sshdDir, 'known_hosts_changed');
    await writeFile(knownHosts, `[127.0.0.1]:${sshd.port} ${otherPublic}\n`);
    const fromFile = await rejection(connectSsh(sshConfig({ hostKey: undefined, knownHosts })));
    expect(fromFile.kind).toBe('auth');
    expect(fromFile.message).toMatch(/HAS CHANGED.*man-in-the-middle/);
    expect(fromFile.message).toContain(sshd.hostKeyFingerprint);
    expect(fromFile.message).toContain(`${knownHosts} line 1`);
    const otherFingerprint = execFileSync('ssh-keygen', ['-lf', `${other}.pub`], { encoding: 'utf8' }).split(' ')[1] as string;
    const fromPlan = await rejection(connectSsh(sshConfig({ hostKey: otherFingerprint })));
    expect(fromPlan.message).toContain(`the plan's hostKey expects ${otherFingerprint}`);
  });

  it('accepts a hostKey of any of the server\'s keys, and names them all when none matches', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-sshd-rsa-'));
    const rsaKey = join(dir, 'ssh_host_rsa_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-f', rsaKey]);
    const rsaFingerprint = execFileSync('ssh-keygen', ['-lf', `${rsaKey}.pub`], { encoding: 'utf8' }).split(' ')[1] as string;
    const twoKeys = await startSshd({ dir, extraConfig: [`HostKey ${rsaKey}`] });
    try {
      const config = { host: '127.0.0.1', port: twoKeys.port, user: twoKeys.user, key: twoKeys.clientKeyPath, connectTimeoutMs: 10_000 };
      const host = await connectSsh({ ...config, hostKey: rsaFingerprint });
      expect((await host.exec(['echo', 'rsa'])).stdout).toBe('rsa\n');
      await host.close();
      const wrong = await rejection(connectSsh({ ...config, hostKey: `SHA256:${'A'.repeat(43)}` }));
      expect(wrong.message).toContain(`the ssh-ed25519 key ${twoKeys.hostKeyFingerprint} (and the ssh-rsa key ${rsaFingerprint})`);
      expect(wrong.message).toContain('HAS CHANGED');
    } finally {
      await twoKeys.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads a password from the named environment variable, never shows it, and names a missing variable', async () => {
    // sshd here permits root keys only (PermitRootLogin prohibit-password), so the password is sent and refused.
    process.env.FERRY_TEST_SSH_PASSWORD = 'not-the-password-42';
    try {
      const error = await rejection(connectSsh(sshConfig({ key: undefined, passwordEnv: 'FERRY_TEST_SSH_PASSWORD' })));
      expect(error.kind).toBe('auth');
      expect(error.message).toContain('the password from FERRY_TEST_SSH_PASSWORD');
      expect(`${error.message} ${error.hint}`).not.toContain('not-the-password-42');
    } finally {
      delete process.env.FERRY_TEST_SSH_PASSWORD;
    }
    const unset = await rejection(connectSsh(sshConfig({ key: undefined, passwordEnv: 'FERRY_TEST_UNSET_VARIABLE' })));
    expect(unset.kind).toBe('config');
    expect(unset.message).toContain('FERRY_TEST_UNSET_VARIABLE');
  });

  it('signs in as a non-root account with the password from the environment', async () => {
    const account = await createTestUser();
    process.env.FERRY_TEST_USER_PASSWORD = account.password;
    try {
      const host = await connectSsh(sshConfig({ user: account.name, key: undefined, passwordEnv: 'FERRY_TEST_USER_PASSWORD' }));
      try {
        expect((await host.exec(['id', '-un'])).stdout.trim()).toBe(account.name);
        // Non-root sessions run with privilege separation, so the SSH signal request works here too.
        const sleeper = host.spawn(['sleep', '37.25']);
        await new Promise((resolve) => setTimeout(resolve, 500));
        sleeper.kill();
        expect((await sleeper.done).code).toBe(143);
        const denied = await rejection(host.writeFile(join(sshdDir, 'not-yours'), 'x'));
        expect(denied.kind).toBe('auth');
        expect(denied.message).toContain('permission denied');
        expect(`${denied.message} ${denied.hint}`).not.toContain(account.password);
      } finally {
        await host.close();
      }
    } finally {
      delete process.env.FERRY_TEST_USER_PASSWORD;
      await account.remove();
    }
  });

  it('signs in with the password from the environment where the server allows passwords', async () => {
    // The private sshd refuses passwords for root, and tests do not change the machine's accounts, so
    // an ssh2 server stands in here (in addition to the real sshd above): it accepts one password
    // and records what it received.
    const hostKeyPath = join(sshdDir, 'fake_host_key');
    await generateKey(hostKeyPath, 'fake');
    const received: string[] = [];
    const server = new ssh2.Server({ hostKeys: [await readFile(hostKeyPath)] }, (client) => {
      client.on('authentication', (context) => {
        if (context.method === 'password') received.push(context.password);
        if (context.method === 'password' && context.password === 'pass word $(x)') context.accept();
        else context.reject(['password']);
      });
      client.on('ready', () => client.on('session', (accept) => accept().once('exec', (acceptExec, _reject, info) => {
        const channel = acceptExec();
        // Answer as a shell running Ferry's start prefix would: the marker line, then the output.
        const marker = /"(ferry-start-[0-9a-f-]+)"/.exec(info.command)?.[1] ?? '';
        channel.write(`${marker}\n${info.command}`);
        channel.exit(0);
        channel.end();
      })));
      client.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const fingerprint = execFileSync('ssh-keygen', ['-lf', `${hostKeyPath}.pub`], { encoding: 'utf8' }).split(' ')[1] as string;
    process.env.FERRY_TEST_SSH_PASSWORD = 'pass word $(x)';
    try {
      const host = await connectSsh(sshConfig({ port, key: undefined, passwordEnv: 'FERRY_TEST_SSH_PASSWORD', hostKey: fingerprint }));
      const { stdout } = await host.exec(['echo', 'a b']);
      expect(stdout).toContain("exec echo 'a b'");
      await host.close();
      expect(received).toEqual(['pass word $(x)']);
    } finally {
      delete process.env.FERRY_TEST_SSH_PASSWORD;
      server.close();
    }
  });

  it('decrypts a key with the passphrase from the environment, and says when one is needed', async () => {
    const key = join(sshdDir, 'locked');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'correct horse', '-C', 'locked', '-f', key]);
    await appendFile(join(sshdDir, 'authorized_keys'), await readFile(`${key}.pub`));
    const needs = await rejection(connectSsh(sshConfig({ key })));
    expect(needs.message).toContain('protected by a passphrase');
    expect(needs.hint).toContain('passphraseEnv');
    process.env.FERRY_TEST_PASSPHRASE = 'wrong one';
    try {
      const wrong = await rejection(connectSsh(sshConfig({ key, passphraseEnv: 'FERRY_TEST_PASSPHRASE' })));
      expect(wrong.kind).toBe('auth');
      expect(wrong.message).not.toContain('wrong one');
      process.env.FERRY_TEST_PASSPHRASE = 'correct horse';
      const host = await connectSsh(sshConfig({ key, passphraseEnv: 'FERRY_TEST_PASSPHRASE' }));
      expect((await host.exec(['echo', 'in'])).stdout).toBe('in\n');
      await host.close();
    } finally {
      delete process.env.FERRY_TEST_PASSPHRASE;
    }
  });
});
