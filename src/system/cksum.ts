/**
 * The cheap whole-file check of a copy between hosts: POSIX `cksum` (CRC-32
 * and byte count), computed on each host. GNU coreutils computes it with the
 * CPU's carry-less multiply from version 9.0 (Debian 12 has 9.1): 0.1 s of
 * CPU per GB on the test machine, against 0.8 s for OpenSSL's SHA-256 with the
 * SHA instructions. Older coreutils, BusyBox and the BSDs compute it a byte
 * at a time, slower than SHA-256: there a host says it has no cheap CRC and
 * copies are checked by SHA-256 as before. Where the weaker check is used,
 * and why it is enough there: copyChecked (transfer.ts).
 */
import { ConnectorError } from '../sdk/errors.js';

/** Whether `cksum --version` printed GNU coreutils 9.0 or later. */
export function cheapCksum(versionOutput: string): boolean {
  const match = /^cksum \(GNU coreutils\) (\d+)\./m.exec(versionOutput);
  return match !== null && Number(match[1]) >= 9;
}

/** "<crc> <bytes>" from `cksum -- path`'s output (the path after them is left out: it may hold anything). */
export function parseCksum(output: string, path: string, label: string): string {
  const match = /^(\d+) (\d+) /.exec(output);
  if (!match) throw new ConnectorError(`cksum printed no checksum for ${path} on ${label}: ${output.slice(0, 200)}`, { kind: 'bug' });
  return `${match[1]} ${match[2]}`;
}
