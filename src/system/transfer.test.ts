import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Host } from './host.js';
import { LocalHost } from './local.js';
import { copyChecked, copyResumable } from './transfer.js';

describe('resumable copies between hosts', () => {
  it('continues a partial copy by appending only the missing bytes, and checks the checksum', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-transfer-'));
    const data = randomBytes(300_000);
    writeFileSync(join(dir, 'src.bin'), data);
    writeFileSync(join(dir, 'dst.bin'), data.subarray(0, 123_456));
    const host = new LocalHost();
    let counted = 0;
    const written = await copyResumable(host, join(dir, 'src.bin'), host, join(dir, 'dst.bin'), data.length, { signal: new AbortController().signal, operation: 'test', onBytes: (n) => (counted += n) });
    expect(written).toBe(data.length - 123_456);
    expect(counted).toBe(written);
    expect(readFileSync(join(dir, 'dst.bin')).equals(data)).toBe(true);
  });

  it('a partial copy that does not match the source is copied again from the start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-transfer-'));
    const data = randomBytes(100_000);
    writeFileSync(join(dir, 'src.bin'), data);
    writeFileSync(join(dir, 'dst.bin'), randomBytes(50_000));
    const host = new LocalHost();
    await copyChecked(host, join(dir, 'src.bin'), host, join(dir, 'dst.bin'), data.length, { signal: new AbortController().signal, operation: 'test' });
    expect(readFileSync(join(dir, 'dst.bin')).equals(data)).toBe(true);
  });

  it('copies a whole local file in the kernel, counts its bytes and keeps its mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-transfer-'));
    const data = randomBytes(3 * 1024 * 1024 + 17);
    writeFileSync(join(dir, 'src.bin'), data, { mode: 0o640 });
    const host = new LocalHost();
    let counted = 0;
    await copyChecked(host, join(dir, 'src.bin'), host, join(dir, 'dst.bin'), data.length, { signal: new AbortController().signal, operation: 'test', onBytes: (n) => (counted += n) });
    expect(counted).toBe(data.length);
    expect(readFileSync(join(dir, 'dst.bin')).equals(data)).toBe(true);
    expect(statSync(join(dir, 'dst.bin')).mode & 0o777).toBe(0o640);
    expect(await host.sha256(join(dir, 'dst.bin'))).toBe(createHash('sha256').update(data).digest('hex'));
    expect(await host.sameBytes(join(dir, 'src.bin'), join(dir, 'dst.bin'))).toBe(true);
  });

  it('a local copy that does not compare equal to the source is copied once more, then refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-transfer-'));
    const data = randomBytes(2 * 1024 * 1024 + 5);
    writeFileSync(join(dir, 'src.bin'), data);
    const host = new LocalHost();
    // A target disk that damages a byte of every copy: the comparison catches it, on both attempts.
    const damaging = Object.assign(Object.create(host) as LocalHost, {
      kernelCopy: async (from: string, to: string) => {
        await host.kernelCopy(from, to);
        const bytes = readFileSync(to);
        bytes[1_000_000] = (bytes[1_000_000]! + 1) % 256;
        writeFileSync(to, bytes);
      },
    });
    let copies = 0;
    const counting = Object.assign(Object.create(damaging) as LocalHost, { kernelCopy: async (from: string, to: string) => { copies++; await damaging.kernelCopy(from, to); } });
    const failure = await copyChecked(host, join(dir, 'src.bin'), counting, join(dir, 'dst.bin'), data.length, { signal: new AbortController().signal, operation: 'test' }).catch((error: unknown) => error);
    expect((failure as Error).message).toMatch(/does not match the source/);
    expect(copies).toBe(2);
    expect(await host.sameBytes(join(dir, 'src.bin'), join(dir, 'dst.bin'))).toBe(false);
  });

  it('a local hash or comparison of a missing file is a clear error', async () => {
    const host = new LocalHost();
    const missing = join(tmpdir(), 'ferry-no-such-file-here');
    expect(((await host.sha256(missing).catch((error: unknown) => error)) as Error).message).toBe(`${missing}: no such file or folder`);
    expect(((await host.sameBytes(missing, missing).catch((error: unknown) => error)) as Error).message).toBe(`${missing}: no such file or folder`);
  });

  it('a copy between hosts in one pass is checked by CRC-32 on both ends where both compute it cheaply; a resumed one by SHA-256', async () => {
    const { dir, data, sums, source, target } = remotePair(700_001);
    const options = { signal: new AbortController().signal, operation: 'test' };
    await copyChecked(source, join(dir, 'src.bin'), target, join(dir, 'one-pass.bin'), data.length, options);
    expect(readFileSync(join(dir, 'one-pass.bin')).equals(data)).toBe(true);
    expect(sums.sort()).toEqual(['source crc32', 'target crc32']);
    // The CRC is POSIX cksum's: the same as the command prints for the bytes.
    expect(await target.crc32!(join(dir, 'one-pass.bin'))).toBe(`${cksum(data)} ${data.length}`);

    sums.length = 0;
    writeFileSync(join(dir, 'resumed.bin'), data.subarray(0, 300_000));
    await copyChecked(source, join(dir, 'src.bin'), target, join(dir, 'resumed.bin'), data.length, options);
    expect(readFileSync(join(dir, 'resumed.bin')).equals(data)).toBe(true);
    // The CRC of the source started with the copy; the resume is then checked by SHA-256 of both ends.
    expect(sums.filter((s) => s.endsWith('sha256')).sort()).toEqual(['source sha256', 'target sha256']);

    sums.length = 0;
    const noCheapCrc = remoteLike(new LocalHost(), 'old', sums, false);
    await copyChecked(source, join(dir, 'src.bin'), noCheapCrc, join(dir, 'old.bin'), data.length, options);
    expect(sums.sort()).toEqual(['old sha256', 'source sha256']);
  });

  it('a one-pass copy whose CRC-32 differs from the source is copied once more, then refused', async () => {
    const { dir, data, sums, source, target: plain } = remotePair(200_000);
    let writes = 0;
    // A target that damages one byte of every file written to it.
    const target: Host = {
      ...plain,
      createWriteStream: (path: string, flags: 'w' | 'a', mode?: number) => {
        writes++;
        const stream = plain.createWriteStream(path, flags, mode);
        stream.on('finish', () => {
          const bytes = readFileSync(path);
          bytes[123] = (bytes[123]! + 1) % 256;
          writeFileSync(path, bytes);
        });
        return stream;
      },
    };
    const failure = await copyChecked(source, join(dir, 'src.bin'), target, join(dir, 'dst.bin'), data.length, { signal: new AbortController().signal, operation: 'test' }).catch((error: unknown) => error);
    expect((failure as Error).message).toMatch(/does not match the source/);
    expect(writes).toBe(2);
    expect(sums.filter((s) => s === 'target crc32')).toHaveLength(2);
  });
});

/** A source file of `size` random bytes in a new folder, and two remoteLike hosts recording into `sums`. */
function remotePair(size: number): { dir: string; data: Buffer; sums: string[]; source: Host; target: Host } {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-transfer-'));
  const data = randomBytes(size);
  writeFileSync(join(dir, 'src.bin'), data);
  const sums: string[] = [];
  return { dir, data, sums, source: remoteLike(new LocalHost(), 'source', sums), target: remoteLike(new LocalHost(), 'target', sums) };
}

/** A LocalHost that copyChecked takes for another machine (not a LocalHost: bytes stream, sums are compared), recording the sums asked of it. */
function remoteLike(host: LocalHost, name: string, sums: string[], cheap = true): Host {
  const methods = Object.getOwnPropertyNames(LocalHost.prototype).filter((key) => key !== 'constructor') as Array<keyof LocalHost>;
  const like = Object.fromEntries(methods.map((key) => [key, (host[key] as (...args: unknown[]) => unknown).bind(host)])) as unknown as Host;
  return {
    ...like,
    label: name,
    cheapCrc: async () => cheap,
    crc32: async (path: string) => {
      sums.push(`${name} crc32`);
      return host.crc32(path);
    },
    sha256: async (path: string) => {
      sums.push(`${name} sha256`);
      return host.sha256(path);
    },
  };
}

/** POSIX cksum's CRC of some bytes (the length appended, least significant byte first), written out for the test. */
function cksum(data: Buffer): number {
  let crc = 0;
  const step = (byte: number) => {
    crc ^= byte << 24;
    for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  };
  for (const byte of data) step(byte);
  for (let n = data.length; n > 0; n = Math.floor(n / 256)) step(n & 0xff);
  return ~crc >>> 0;
}
