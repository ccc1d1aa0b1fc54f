import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
});
