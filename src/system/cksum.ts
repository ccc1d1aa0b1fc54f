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

/**
 * "<crc> <bytes>" from a `cksum -- path` run on a host (the path after them is left out: it may hold
 * anything); its failure as a ConnectorError. `message`: its stderr, or stdout and stderr together.
 */
export function cksumAnswer(run: { code: number; output: string; message: string }, path: string, label: string): string {
  const { code, output, message } = run;
  if (code !== 0) {
    if (/No such file/.test(message)) throw new ConnectorError(`${path}: no such file or folder on ${label}`, { kind: 'config' });
    throw new ConnectorError(`cksum ${path} exited with ${code} on ${label}: ${message.trim()}`, { kind: /Permission denied/.test(message) ? 'auth' : 'config' });
  }
  const match = /^(\d+) (\d+) /.exec(output);
  if (!match) throw new ConnectorError(`cksum printed no checksum for ${path} on ${label}: ${output.slice(0, 200)}`, { kind: 'bug' });
  return `${match[1]} ${match[2]}`;
}
