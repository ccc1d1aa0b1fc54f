import { describe, expect, it } from 'vitest';
import { apiUrlCandidates, apiUrlFromHtml, mediaWikiConfigSchema } from './config.js';

describe('MediaWiki config', () => {
  it('accepts a base URL or an api.php URL, and rejects other schemes', () => {
    expect(mediaWikiConfigSchema.parse({ url: ' http://127.0.0.1:8080 ', username: 'Admin@ferry', password: 'x' }).url).toBe('http://127.0.0.1:8080');
    expect(mediaWikiConfigSchema.safeParse({ url: 'ftp://wiki', username: 'a', password: 'b' }).success).toBe(false);
    expect(mediaWikiConfigSchema.safeParse({ url: 'http://wiki', username: '', password: 'b' }).success).toBe(false);
  });

  it('derives api.php candidates from what the user typed', () => {
    expect(apiUrlCandidates('http://127.0.0.1:8080')).toEqual(['http://127.0.0.1:8080/api.php', 'http://127.0.0.1:8080/w/api.php']);
    expect(apiUrlCandidates('http://wiki.example.org/w/api.php?action=query')).toEqual(['http://wiki.example.org/w/api.php']);
    expect(apiUrlCandidates('http://wiki.example.org/index.php/Main_Page')[1]).toBe('http://wiki.example.org/api.php');
  });

  it('finds the API from a page\'s EditURI link', () => {
    const html = '<head><link rel="EditURI" type="application/rsd+xml" href="//wiki.example.org/w/api.php?action=rsd&amp;x=1"/></head>';
    expect(apiUrlFromHtml(html, 'https://wiki.example.org/wiki/Main_Page')).toBe('https://wiki.example.org/w/api.php');
    expect(apiUrlFromHtml('<html></html>', 'https://wiki.example.org/')).toBeUndefined();
  });
});
