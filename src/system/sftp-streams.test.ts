import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { SFTPWrapper } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { sftpReader, sftpWriter } from './sftp-streams.js';

/**
 * An SFTP session over two in-memory files. Answers come back later and out of order, and a WRITE takes
 * its bytes only when it is answered (as ssh2 does with the rest of a write larger than the server's
 * limit): a read buffer used again before its WRITE was answered would change what lands.
 */
function fakeSftp(source: Buffer): { session: SFTPWrapper; written: () => Buffer } {
  let target = Buffer.alloc(0);
  const later = (fn: () => void) => setTimeout(fn, Math.floor(Math.random() * 3));
  const session = {
    open: (_path: string, _flags: unknown, ...rest: unknown[]) => later(() => (rest.at(-1) as (e: unknown, h: Buffer) => void)(undefined, Buffer.from('h'))),
    close: (_handle: Buffer, cb: () => void) => later(cb),
    read: (_h: Buffer, buf: Buffer, off: number, len: number, pos: number, cb: (e: unknown, n?: number) => void) =>
      later(() => {
        if (pos >= source.length) return cb({ code: 1 });
        const n = source.copy(buf, off, pos, Math.min(pos + len, source.length));
        cb(undefined, n);
      }),
    write: (_h: Buffer, data: Buffer, off: number, len: number, pos: number, cb: (e?: unknown) => void) =>
      later(() => {
        if (target.length < pos + len) target = Buffer.concat([target, Buffer.alloc(pos + len - target.length)]);
        data.copy(target, pos, off, off + len);
        cb();
      }),
  } as unknown as SFTPWrapper;
  return { session, written: () => target };
}

describe('SFTP streams', () => {
  it('copy a file exactly while their read buffers are used again, over several files one after the other', async () => {
    for (const size of [0, 1, 255 * 1024, 7 * 1024 * 1024 + 13, 3 * 1024 * 1024]) {
      const source = randomBytes(size);
      const { session, written } = fakeSftp(source);
      const fail = (error: unknown) => new Error(String(error));
      await pipeline(sftpReader(Promise.resolve(session), '/src', 0, fail), sftpWriter(Promise.resolve(session), '/dst', 'w', 0o644, fail));
      expect(written().equals(source), `file of ${size} bytes`).toBe(true);
    }
  });
});
