import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandLine, shellQuote } from './ssh.js';
import { checkHostKey, fingerprintOf, hostsFieldMatches, keyTypeOf, knownHostsName, parseKnownHosts, preferredAlgorithms } from './ssh-known-hosts.js';

const HOSTILE = ['plain', 'a b', "it's", '"double"', '$(touch /tmp/ferry-quote-pwned)', '`id`', 'line1\nline2', '*', '', '\\', '$HOME', ';', '|', '&& echo no', 'ü €', "'", "''", '-n', '--', '~', 'a=b', '!x', '#c', '\t'];

// The quoting is checked by the shells a remote account may have: each must get back exactly the argv it was given.
describe.each(['sh', 'bash', 'dash'])('shellQuote through %s', (shell) => {
  it('passes hostile arguments through unchanged', () => {
    const line = `printf '%s\\0' ${HOSTILE.map(shellQuote).join(' ')}`;
    const out = execFileSync(shell, ['-c', line], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(HOSTILE);
  });

  it('builds a command line with cwd and env that the shell runs as given', () => {
    const dir = mkdtempSync(join(tmpdir(), "ferry quote 'dir' $(x)-"));
    const line = commandLine(['sh', '-c', 'pwd; printf "%s" "$FERRY_A"'], { cwd: dir, env: { FERRY_A: "x y 'z' $(no) `no`\nline" } });
    const out = execFileSync(shell, ['-c', line], { encoding: 'utf8' });
    rmSync(dir, { recursive: true });
    expect(out).toBe(`${dir}\nx y 'z' $(no) \`no\`\nline`);
  });
});

describe('commandLine', () => {
  it('refuses a bad environment name and a NUL byte', () => {
    expect(() => commandLine(['true'], { env: { 'A B': 'x' } })).toThrow(/not a valid environment variable name/);
    expect(() => shellQuote('a\0b')).toThrow(/NUL byte/);
    expect(() => commandLine([])).toThrow(/empty command/);
  });
});

describe('known_hosts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-known-hosts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const keyPath = join(dir, 'key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyPath]);
  const otherPath = join(dir, 'other');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherPath]);
  const publicLine = (path: string): string => readFileSync(`${path}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
  const blob = Buffer.from(publicLine(keyPath).split(' ')[1] as string, 'base64');

  it('computes the fingerprint ssh-keygen prints, and the key type', () => {
    const printed = execFileSync('ssh-keygen', ['-lf', `${keyPath}.pub`], { encoding: 'utf8' }).split(' ')[1];
    expect(fingerprintOf(blob)).toBe(printed);
    expect(keyTypeOf(blob)).toBe('ssh-ed25519');
  });

  it('names hosts as OpenSSH does and matches wildcards, negations and lists', () => {
    expect(knownHostsName('Wiki.Example.org', 22)).toBe('wiki.example.org');
    expect(knownHostsName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222');
    expect(hostsFieldMatches('a.example.org,10.0.0.1', '10.0.0.1')).toBe(true);
    expect(hostsFieldMatches('*.example.org,!secret.example.org', 'wiki.example.org')).toBe(true);
    expect(hostsFieldMatches('*.example.org,!secret.example.org', 'secret.example.org')).toBe(false);
    expect(hostsFieldMatches('[10.0.0.1]:2222', '10.0.0.1')).toBe(false);
    expect(hostsFieldMatches('wiki?.example.org', 'wiki1.example.org')).toBe(true);
  });

  it('accepts a plain or hashed entry, refuses an unknown, a changed and a revoked key', () => {
    const file = join(dir, 'known_hosts');
    writeFileSync(file, `# comment\n\n[wiki.example.org]:2222 ${publicLine(keyPath)}\nother.example.org ${publicLine(otherPath)}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file]); // OpenSSH's own hashing (HashKnownHosts)
    const hashed = readFileSync(file, 'utf8');
    expect(hashed).not.toContain('wiki.example.org');
    const entries = parseKnownHosts(hashed);
    expect(entries).toHaveLength(2);
    const expectation = { kind: 'knownHosts' as const, path: file, entries };
    expect(checkHostKey(blob, 'wiki.example.org', 2222, expectation)).toEqual({ ok: true });
    expect(checkHostKey(blob, 'wiki.example.org', 22, expectation)).toMatchObject({ ok: false, reason: 'unknown', presented: fingerprintOf(blob) });
    expect(checkHostKey(blob, 'other.example.org', 22, expectation)).toMatchObject({ ok: false, reason: 'changed', where: `${file} line 4` });
    const revoked = parseKnownHosts(`@revoked * ${publicLine(keyPath)}\n[wiki.example.org]:2222 ${publicLine(keyPath)}\n`);
    expect(checkHostKey(blob, 'wiki.example.org', 2222, { kind: 'knownHosts', path: file, entries: revoked })).toMatchObject({ ok: false, reason: 'revoked' });
  });

  it('checks a hostKey fingerprint from the plan', () => {
    expect(checkHostKey(blob, 'h', 22, { kind: 'fingerprint', fingerprint: fingerprintOf(blob) })).toEqual({ ok: true });
    expect(checkHostKey(blob, 'h', 22, { kind: 'fingerprint', fingerprint: `SHA256:${'A'.repeat(43)}` })).toMatchObject({ ok: false, reason: 'changed' });
  });

  it('asks for the known key types first', () => {
    expect(preferredAlgorithms(['ssh-rsa']).slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(preferredAlgorithms([])[0]).toBe('ssh-ed25519');
  });
});
