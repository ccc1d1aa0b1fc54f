/**
 * Host key checking for SSH hosts (ssh.ts): the plan's `hostKey` fingerprint,
 * or an OpenSSH known_hosts file (plain and hashed names, `[host]:port` for
 * ports other than 22, wildcards and negations, @revoked lines). Pure
 * functions over the raw key blob the server presents, so they are tested
 * without a server.
 */
import { createHash, createHmac } from 'node:crypto';

/** "SHA256:..." of a raw public key blob, exactly as `ssh-keygen -lf` prints it. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named at the start of a raw public key blob ("ssh-ed25519", "ssh-rsa"...). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  return length > 0 && length < 64 && blob.length >= 4 + length ? blob.subarray(4, 4 + length).toString('latin1') : 'unknown';
}

export interface KnownHostsLine {
  /** 1-based line number in the file, for messages. */
  line: number;
  marker?: 'revoked' | 'cert-authority';
  /** The host field as written: "a,b", "[h]:2222", "|1|salt|hash", "*.example.org,!x.example.org". */
  hosts: string;
  type: string;
  blob: Buffer;
}

/** Parses a known_hosts file; comments, blank and malformed lines are skipped. */
export function parseKnownHosts(text: string): KnownHostsLine[] {
  const lines: KnownHostsLine[] = [];
  text.split('\n').forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: KnownHostsLine['marker'];
    if (fields[0].startsWith('@')) {
      const name = fields.shift()?.slice(1);
      if (name !== 'revoked' && name !== 'cert-authority') return;
      marker = name;
    }
    const [hosts, type, key] = fields;
    if (!hosts || !type || !key || !/^[A-Za-z0-9+/]+={0,2}$/.test(key)) return;
    lines.push({ line: index + 1, ...(marker ? { marker } : {}), hosts, type, blob: Buffer.from(key, 'base64') });
  });
  return lines;
}

/** How OpenSSH names a host in known_hosts: "host" on port 22, "[host]:port" otherwise. */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

function wildcardMatch(pattern: string, name: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'i').test(name);
}

function hashedMatch(entry: string, name: string): boolean {
  const [, magic, salt, hash] = entry.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

/** True when a known_hosts host field names `name` (as knownHostsName builds it). */
export function hostsFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|')) return hashedMatch(hosts, name);
  let matched = false;
  for (const pattern of hosts.split(',')) {
    if (pattern.startsWith('!')) {
      if (wildcardMatch(pattern.slice(1), name)) return false;
    } else if (wildcardMatch(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/** What the server's key is checked against. */
export type HostKeyExpectation =
  | { kind: 'fingerprint'; fingerprint: string }
  | { kind: 'knownHosts'; path: string; entries: KnownHostsLine[] };

export type HostKeyVerdict =
  | { ok: true }
  | { ok: false; reason: 'unknown'; presented: string; type: string; otherTypes: string[] }
  | { ok: false; reason: 'changed' | 'revoked'; presented: string; type: string; expected: string[]; where: string };

/** Decides whether the key `blob` that `host:port` presents is the one expected. */
export function checkHostKey(blob: Buffer, host: string, port: number, expectation: HostKeyExpectation): HostKeyVerdict {
  const presented = fingerprintOf(blob);
  const type = keyTypeOf(blob);
  if (expectation.kind === 'fingerprint') {
    if (presented === expectation.fingerprint.replace(/=+$/, '')) return { ok: true };
    return { ok: false, reason: 'changed', presented, type, expected: [expectation.fingerprint], where: "the plan's hostKey" };
  }
  const name = knownHostsName(host, port);
  const mine = expectation.entries.filter((entry) => entry.marker !== 'cert-authority' && hostsFieldMatches(entry.hosts, name));
  const revoked = mine.find((entry) => entry.marker === 'revoked' && entry.blob.equals(blob));
  if (revoked) return { ok: false, reason: 'revoked', presented, type, expected: [], where: `${expectation.path} line ${revoked.line}` };
  const plain = mine.filter((entry) => entry.marker === undefined);
  if (plain.some((entry) => entry.blob.equals(blob))) return { ok: true };
  const sameType = plain.filter((entry) => entry.type === type);
  if (sameType.length > 0) {
    return { ok: false, reason: 'changed', presented, type, expected: sameType.map((entry) => fingerprintOf(entry.blob)), where: `${expectation.path} line ${sameType.map((entry) => entry.line).join(', ')}` };
  }
  return { ok: false, reason: 'unknown', presented, type, otherTypes: [...new Set(plain.map((entry) => entry.type))] };
}

/** The host key algorithms of the key types known for a host, to ask the server for those first (as OpenSSH does). */
export function preferredAlgorithms(knownTypes: readonly string[]): string[] {
  const defaults = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  const first = knownTypes.flatMap((type) => (type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type])).filter((algorithm) => defaults.includes(algorithm));
  return [...new Set([...first, ...defaults])];
}
