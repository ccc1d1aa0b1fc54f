/**
 * The bulk path of SSH hosts (openssh-pipe.ts): big files through OpenSSH's
 * client on one master connection per host, against a private sshd on a
 * loopback port. What must hold: the bytes and modes of whole, resumed and
 * partial copies, errors that name the file, a clean fall back to SFTP when
 * OpenSSH cannot sign in, and no master left running after close().
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type Sshd } from '../harness/sshd.js';
import { ConnectorError } from '../sdk/errors.js';
import type { SshHostConfig } from './host-config.js';
import { connectSsh, type SshHost } from './ssh.js';
import { copyChecked } from './transfer.js';

let sshd: Sshd;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-openssh-'));
  sshd = await startSshd({ dir: join(dir, 'sshd') });
});

afterAll(async () => {
  await sshd?.stop();
  await rm(dir, { recursive: true, force: true });
});

function sshConfig(overrides: Partial<SshHostConfig> = {}): SshHostConfig {
  return { host: '127.0.0.1', port: sshd.port, user: sshd.user, key: sshd.clientKeyPath, hostKey: sshd.hostKeyFingerprint, connectTimeoutMs: 10_000, ...overrides };
}

const MB = 1024 * 1024;
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** The OpenSSH processes of this test's masters (their ControlPath holds "ferry-ssh-"). */
function masters(): string[] {
  return execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line.startsWith('ssh ') && line.includes('ControlMaster=yes') && line.includes('ferry-ssh-'));
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe('SSH hosts: big files through OpenSSH', () => {
  it('writes a file whole with its mode, appends to resume it, and reads it back from any offset', async () => {
    const host = await connectSsh(sshConfig());
    try {
      const data = randomBytes(20 * MB + 12_345);
      const path = join(dir, 'whole.bin');
      const writer = await host.bulkWriter(path, 'w', 0o640, data.length);
      expect(writer, 'the OpenSSH path is up for a 20 MB file').toBeDefined();
      await pipeline(Readable.from([data.subarray(0, 9 * MB), data.subarray(9 * MB)]), writer!);
      expect(sha256(await readFile(path))).toBe(sha256(data));
      expect((await stat(path)).mode & 0o777).toBe(0o640);

      // A resumed copy: what is there is kept, the rest appended; the mode of an existing file stays.
      await writeFile(path, data.subarray(0, 7 * MB + 3));
      await pipeline(Readable.from([data.subarray(7 * MB + 3)]), (await host.bulkWriter(path, 'a', 0o600, data.length - (7 * MB + 3)))!);
      expect(sha256(await readFile(path))).toBe(sha256(data));
      expect((await stat(path)).mode & 0o777).toBe(0o640);

      for (const start of [0, 1, 8 * MB - 1, 12 * MB]) {
        const reader = await host.bulkReader(path, start, data.length - start);
        expect(sha256(await readAll(reader!)), `from byte ${start}`).toBe(sha256(data.subarray(start)));
      }
      // Below the threshold the caller is told to use SFTP.
      expect(await host.bulkReader(path, 0, 1000)).toBeUndefined();
      expect(masters().length).toBeGreaterThan(0);
    } finally {
      await host.close();
    }
    expect(masters(), 'close() ends the master connection').toEqual([]);
  });

  it('names a file that cannot be read or written, as a ConnectorError', async () => {
    const host = await connectSsh(sshConfig());
    try {
      const missing = join(dir, 'no-such-file.bin');
      const error = await readAll((await host.bulkReader(missing, 0, 10 * MB))!).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectorError);
      expect((error as ConnectorError).message).toContain(missing);
      expect((error as ConnectorError).kind).toBe('config');

      const nowhere = join(dir, 'no-such-folder', 'file.bin');
      const writeError = await pipeline(Readable.from([randomBytes(MB)]), (await host.bulkWriter(nowhere, 'w', 0o644, 10 * MB))!).then(() => undefined, (e: unknown) => e);
      expect(writeError).toBeInstanceOf(ConnectorError);
      expect((writeError as ConnectorError).message).toContain(nowhere);
    } finally {
      await host.close();
    }
  });

  it('copies between two SSH hosts through OpenSSH, and a copy cut short resumes to the same bytes', async () => {
    const [source, target] = await Promise.all([connectSsh(sshConfig()), connectSsh(sshConfig())]);
    try {
      const data = randomBytes(24 * MB + 7);
      const from = join(dir, 'source.bin');
      const to = join(dir, 'target.bin');
      await writeFile(from, data);
      await copyChecked(source, from, target, to, data.length, { signal: new AbortController().signal, operation: 'test' });
      expect(sha256(await readFile(to))).toBe(sha256(data));

      // Cut the next copy short: the part that landed is a prefix of the source, and the copy resumes from it.
      const cut = `${to}.cut`;
      const controller = new AbortController();
      let seen = 0;
      const stopped = copyChecked(source, from, target, cut, data.length, {
        signal: controller.signal,
        operation: 'test',
        onBytes: (bytes) => {
          seen += bytes;
          if (seen >= 6 * MB) controller.abort();
        },
      }).then(() => 'finished', () => 'stopped');
      expect(await stopped).toBe('stopped');
      // The remote cat writes what it was sent before it ends.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const partial = await readFile(cut);
      expect(partial.length).toBeLessThan(data.length);
      expect(sha256(partial)).toBe(sha256(data.subarray(0, partial.length)));
      await copyChecked(source, from, target, cut, data.length, { signal: new AbortController().signal, operation: 'test' });
      expect(sha256(await readFile(cut))).toBe(sha256(data));
    } finally {
      await Promise.all([source.close(), target.close()]);
    }
  });

  it('falls back to SFTP, with a notice, when OpenSSH refuses the key', async () => {
    // OpenSSH will not use a private key that others may read; ssh2 does not mind.
    const looseKey = join(dir, 'loose_key');
    await copyFile(sshd.clientKeyPath, looseKey);
    await chmod(looseKey, 0o644);
    const host: SshHost = await connectSsh(sshConfig({ key: looseKey }));
    try {
      expect(await host.bulkWriter(join(dir, 'x.bin'), 'w', 0o644, 10 * MB)).toBeUndefined();
      expect(host.takeNotices().join('\n')).toMatch(/OpenSSH's client could not connect to .*bad permissions.*big files go through SFTP/s);
      const data = randomBytes(9 * MB);
      const from = join(dir, 'fallback-source.bin');
      await writeFile(from, data);
      await copyChecked(host, from, host, join(dir, 'fallback-target.bin'), data.length, { signal: new AbortController().signal, operation: 'test' });
      expect(sha256(await readFile(join(dir, 'fallback-target.bin')))).toBe(sha256(data));
    } finally {
      await host.close();
    }
  });

  it('is off with FERRY_SSH_CLIENT=ssh2', async () => {
    process.env.FERRY_SSH_CLIENT = 'ssh2';
    const host = await connectSsh(sshConfig());
    try {
      expect(await host.bulkReader(sshd.clientKeyPath, 0, 10 * MB)).toBeUndefined();
      expect(host.takeNotices()).toEqual([]);
    } finally {
      delete process.env.FERRY_SSH_CLIENT;
      await host.close();
    }
  });
});
