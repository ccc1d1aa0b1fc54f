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

  it('copies a whole local file in the kernel, counts its bytes, keeps its mode, and proves it by the hash of both ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-transfer-'));
    const data = randomBytes(3 * 1024 * 1024 + 17);
    writeFileSync(join(dir, 'src.bin'), data, { mode: 0o640 });
    const host = new LocalHost();
    let counted = 0;
    const sha = await copyChecked(host, join(dir, 'src.bin'), host, join(dir, 'dst.bin'), data.length, { signal: new AbortController().signal, operation: 'test', onBytes: (n) => (counted += n) });
    expect(sha).toBe(createHash('sha256').update(data).digest('hex'));
    expect(counted).toBe(data.length);
    expect(readFileSync(join(dir, 'dst.bin')).equals(data)).toBe(true);
    expect(statSync(join(dir, 'dst.bin')).mode & 0o777).toBe(0o640);
    expect(await host.sha256(join(dir, 'dst.bin'))).toBe(sha);
  });

  it('a target that does not hash as the source after the copy is copied once more, then refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-transfer-'));
    const data = randomBytes(200_000);
    writeFileSync(join(dir, 'src.bin'), data);
    const host = new LocalHost();
    // The source's hash as it was before the file changed under the copy: what landed never matches it.
    const stale = createHash('sha256').update(randomBytes(10)).digest('hex');
    const failure = await copyChecked(host, join(dir, 'src.bin'), host, join(dir, 'dst.bin'), data.length, { signal: new AbortController().signal, operation: 'test', sourceSha: stale }).catch((error: unknown) => error);
    expect((failure as Error).message).toMatch(/does not match the source/);
  });

  it('a local hash of a missing file is a clear error', async () => {
    const host = new LocalHost();
    const failure = await host.sha256(join(tmpdir(), 'ferry-no-such-file-here')).catch((error: unknown) => error);
    expect((failure as Error).message).toMatch(/no such file or folder/);
  });
});
