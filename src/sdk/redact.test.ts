import { describe, expect, it } from 'vitest';
import { REDACTED, redact, redactObject } from './redact.js';

describe('redact', () => {
  it('replaces every occurrence of each secret', () => {
    expect(redact('pw=s3cr3t! and again s3cr3t!', ['s3cr3t!'])).toBe(`pw=${REDACTED} and again ${REDACTED}`);
  });

  it('replaces URL-encoded and JSON-escaped forms too', () => {
    const secret = 'a b&c"d\\e';
    const text = `url ?p=${encodeURIComponent(secret)} form p=a+b%26c%22d%5Ce json {"p":${JSON.stringify(secret)}}`;
    const out = redact(text, [secret]);
    expect(out).not.toContain('a b&c');
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out).not.toContain('a+b%26c');
    expect(out).not.toContain('a b&c\\"d');
  });

  it('replaces a longer secret whole when it contains a shorter one', () => {
    expect(redact('token abcdef', ['abc', 'abcdef'])).toBe(`token ${REDACTED}`);
  });

  it('leaves text alone for empty or very short secrets', () => {
    expect(redact('a banana', ['', 'a'])).toBe('a banana');
  });
});

describe('redactObject', () => {
  it('replaces secret fields at any depth and leaves the input untouched', () => {
    const input = { url: 'http://wiki', password: 'hunter22', nested: [{ password: 'x1y2z3', name: 'n' }], empty: { password: '' } };
    const out = redactObject(input, ['password']);
    expect(out).toEqual({ url: 'http://wiki', password: REDACTED, nested: [{ password: REDACTED, name: 'n' }], empty: { password: '' } });
    expect(input.password).toBe('hunter22');
  });

  it('copes with cycles and dates', () => {
    const when = new Date('2024-01-01T00:00:00Z');
    const input: Record<string, unknown> = { when, token: 'abcdef' };
    input.self = input;
    const out = redactObject(input, ['token']) as Record<string, unknown>;
    expect(out.token).toBe(REDACTED);
    expect(out.self).toBe(out);
    expect(out.when).toEqual(when);
  });
});
