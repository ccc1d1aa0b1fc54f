import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
});
