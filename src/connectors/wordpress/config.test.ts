import { describe, expect, it } from 'vitest';
import { restRootCandidates, restRootFromLinkHeader, wordPressConfigSchema } from './config.js';

describe('WordPress config', () => {
  it('accepts a site URL and rejects other schemes or empty fields', () => {
    expect(wordPressConfigSchema.parse({ url: ' http://127.0.0.1:8080 ', username: 'admin', password: 'abcd efgh' }).url).toBe('http://127.0.0.1:8080');
    expect(wordPressConfigSchema.safeParse({ url: 'ftp://site', username: 'a', password: 'b' }).success).toBe(false);
    expect(wordPressConfigSchema.safeParse({ url: 'http://site', username: '', password: 'b' }).success).toBe(false);
    expect(wordPressConfigSchema.safeParse({ url: 'http://site', username: 'a', password: '' }).success).toBe(false);
  });

  it('tries /wp-json/ first, then ?rest_route=/, under the site folder', () => {
    expect(restRootCandidates('https://example.org/blog/')).toEqual([
      { kind: 'path', root: 'https://example.org/blog/wp-json/' },
      { kind: 'query', base: 'https://example.org/blog/' },
    ]);
    expect(restRootCandidates('https://example.org/blog/wp-json/wp/v2/posts')[0]).toEqual({ kind: 'path', root: 'https://example.org/blog/wp-json/' });
    expect(restRootCandidates('https://example.org/?rest_route=/')).toEqual([{ kind: 'query', base: 'https://example.org/' }]);
  });

  it('reads the REST root a page advertises', () => {
    expect(restRootFromLinkHeader('<https://example.org/wp-json/>; rel="https://api.w.org/", <https://example.org/?p=1>; rel=shortlink')).toBe('https://example.org/wp-json/');
    expect(restRootFromLinkHeader('<https://example.org/?p=1>; rel=shortlink')).toBeUndefined();
    expect(restRootFromLinkHeader(null)).toBeUndefined();
  });
});
