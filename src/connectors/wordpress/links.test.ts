import { describe, expect, it } from 'vitest';
import { isFinalPageLink, mediaIdsIn, pageLinkUnder, parseSourceUrl, rewriteText, scanTokens, targetUrlOf, urlsIn, type LinkRef, type SiteUrls } from './links.js';

const site: SiteUrls = { home: 'http://old.example.org', uploads: 'http://old.example.org/wp-content/uploads' };
const blog: SiteUrls = { home: 'https://example.org/blog', uploads: 'https://example.org/blog/wp-content/uploads' };
const link = (partial: Partial<LinkRef> & Pick<LinkRef, 'raw' | 'form'>): LinkRef => ({ suffix: '', relative: false, ...partial });

describe('scanTokens', () => {
  it('finds absolute, protocol-relative and root-relative URLs, without sentence punctuation', () => {
    const text = 'See http://old.example.org/?p=3. Or <a href="/about/">us</a>, <img src="//old.example.org/x.png"> and (https://other.org/a)!';
    expect(urlsIn(text)).toEqual(['http://old.example.org/?p=3', '/about/', '//old.example.org/x.png', 'https://other.org/a']);
  });

  it('keeps &amp; inside a URL but not an entity that ends the text', () => {
    expect(urlsIn('<a href="http://old.example.org/?p=3&amp;preview=true">x</a> http://old.example.org/&amp')).toEqual([
      'http://old.example.org/?p=3&amp;preview=true',
      'http://old.example.org/',
    ]);
  });

  it('finds attachment ids in image blocks, classes, captions and galleries', () => {
    const text = [
      '<!-- wp:image {"id":12,"sizeSlug":"large"} -->',
      '<figure class="wp-block-image"><img src="http://old.example.org/wp-content/uploads/2024/03/a.png" class="wp-image-12"/></figure>',
      '<!-- /wp:image -->',
      '<!-- wp:media-text {"mediaId":7,"mediaType":"image"} -->',
      '[caption id="attachment_5" align="alignnone" width="300"]<img class="size-full wp-image-5" src="x">[/caption]',
      '[gallery ids="1, 2,3"]',
      '<!-- wp:gallery {"ids":[8,9]} -->',
      '<!-- wp:latest-posts {"id":44} /-->',
    ].join('\n');
    expect(mediaIdsIn(text)).toEqual(['12', '7', '5', '1', '2', '3', '8', '9']);
    const kinds = scanTokens(text).map((t) => t.raw);
    expect(kinds).toContain('"id":12');
    expect(kinds).toContain('attachment_5');
    expect(kinds).not.toContain('"id":44');
  });
});

describe('parseSourceUrl', () => {
  it('reads ?p=, ?page_id= and ?attachment_id= with what follows them', () => {
    expect(parseSourceUrl('http://old.example.org/?p=3', site)).toEqual({ kind: 'post-id', id: 3, param: 'p', suffix: '' });
    expect(parseSourceUrl('http://old.example.org/?page_id=7#top', site)).toEqual({ kind: 'post-id', id: 7, param: 'page_id', suffix: '#top' });
    expect(parseSourceUrl('http://old.example.org/index.php?attachment_id=9', site)).toMatchObject({ kind: 'post-id', id: 9, param: 'attachment_id' });
    expect(parseSourceUrl('http://old.example.org/?p=3&amp;replytocom=5', site)).toEqual({ kind: 'post-id', id: 3, param: 'p', suffix: '&replytocom=5' });
  });

  it('reads term links, permalinks and files under uploads', () => {
    expect(parseSourceUrl('http://old.example.org/?cat=4', site)).toEqual({ kind: 'term-id', id: 4, suffix: '' });
    expect(parseSourceUrl('http://old.example.org/category/news/local/', site)).toEqual({ kind: 'term-slug', taxonomy: 'category', slug: 'local', suffix: '' });
    expect(parseSourceUrl('http://old.example.org/tag/boats/', site)).toMatchObject({ kind: 'term-slug', taxonomy: 'tag', slug: 'boats' });
    expect(parseSourceUrl('http://old.example.org/?tag=boats', site)).toMatchObject({ kind: 'term-slug', taxonomy: 'tag', slug: 'boats', param: 'tag' });
    expect(parseSourceUrl('http://old.example.org/about/team/?x=1#m', site)).toEqual({ kind: 'path', path: '/about/team/', slug: 'team', suffix: '?x=1#m' });
    expect(parseSourceUrl('/2024/03/hello-world/', site)).toMatchObject({ kind: 'path', slug: 'hello-world' });
    expect(parseSourceUrl('http://old.example.org/wp-content/uploads/2024/03/a%20b-300x200.png', site)).toEqual({ kind: 'file', file: '2024/03/a b-300x200.png', suffix: '' });
    expect(parseSourceUrl('http://old.example.org/%c3%bcber-uns/', site)).toMatchObject({ kind: 'path', slug: 'über-uns' });
  });

  it('treats the home page, archives, feeds and WordPress\'s own folders as links into the site, not to an object', () => {
    expect(parseSourceUrl('http://old.example.org/', site)).toEqual({ kind: 'site', path: '/' });
    expect(parseSourceUrl('http://old.example.org', site)).toEqual({ kind: 'site', path: '' });
    expect(parseSourceUrl('http://old.example.org/?s=boat&amp;x=1', site)).toEqual({ kind: 'site', path: '/?s=boat&amp;x=1' });
    expect(parseSourceUrl('http://old.example.org/2024/03/', site)).toEqual({ kind: 'site', path: '/2024/03/' });
    expect(parseSourceUrl('http://old.example.org/feed/', site)).toMatchObject({ kind: 'site' });
    expect(parseSourceUrl('http://old.example.org/wp-admin/edit.php', site)).toMatchObject({ kind: 'site' });
    expect(parseSourceUrl('http://old.example.org/author/ann/', site)).toMatchObject({ kind: 'site' });
  });

  it('ignores other hosts, other ports and paths outside a sub-folder home', () => {
    expect(parseSourceUrl('http://other.org/?p=3', site)).toBeUndefined();
    expect(parseSourceUrl('http://old.example.org:8080/?p=3', site)).toBeUndefined();
    expect(parseSourceUrl('mailto:ann@old.example.org', site)).toBeUndefined();
    expect(parseSourceUrl('https://example.org/shop/item/', blog)).toBeUndefined();
    expect(parseSourceUrl('https://example.org/blog/?p=3', blog)).toMatchObject({ kind: 'post-id', id: 3 });
    expect(parseSourceUrl('http://example.org/blog/hello/', blog)).toMatchObject({ kind: 'path', path: '/hello/' });
  });
});

describe('targetUrlOf', () => {
  const home = 'http://new.example.org';
  it('keeps the ?p= form with the target id', () => {
    expect(targetUrlOf(link({ raw: 'http://old.example.org/?p=3', form: 'query', param: 'p' }), '41', undefined, home)).toBe('http://new.example.org/?p=41');
    expect(targetUrlOf(link({ raw: 'http://old.example.org/?page_id=3&amp;x=1', form: 'query', param: 'page_id', suffix: '&x=1' }), '9', undefined, home)).toBe('http://new.example.org/?page_id=9&amp;x=1');
  });

  it('takes the target object\'s own link, file or image size', () => {
    const object = { link: 'http://new.example.org/about/team/', sourceUrl: 'http://new.example.org/wp-content/uploads/2026/05/a.png', sizes: { medium: 'http://new.example.org/wp-content/uploads/2026/05/a-300x200.png' } };
    expect(targetUrlOf(link({ raw: 'x', form: 'permalink', suffix: '#m' }), '5', object, home)).toBe('http://new.example.org/about/team/#m');
    expect(targetUrlOf(link({ raw: 'x', form: 'permalink', suffix: '?a=1' }), '5', object, home)).toBe('http://new.example.org/about/team/?a=1');
    expect(targetUrlOf(link({ raw: 'x', form: 'file', size: 'medium' }), '5', object, home)).toBe(object.sizes.medium);
    expect(targetUrlOf(link({ raw: 'x', form: 'file', size: 'thumbnail' }), '5', object, home)).toBe(object.sourceUrl);
    expect(targetUrlOf(link({ raw: 'x', form: 'permalink' }), '5', undefined, home)).toBeUndefined();
  });

  it('rebases links to the site itself and keeps relative links relative', () => {
    expect(targetUrlOf(link({ raw: 'http://old.example.org/2024/', form: 'rebase', path: '/2024/' }), undefined, undefined, 'https://new.example.org/blog')).toBe('https://new.example.org/blog/2024/');
    expect(targetUrlOf(link({ raw: '/?p=3', form: 'query', param: 'p', relative: true }), '41', undefined, home)).toBe('/?p=41');
  });
});

describe('isFinalPageLink', () => {
  it('tells a page under its parent from one that is not there yet', () => {
    expect(isFinalPageLink('http://new.example.org/about/team/', 'about/team')).toBe(true);
    expect(isFinalPageLink('http://new.example.org/blog/about/team/', 'about/team')).toBe(true);
    expect(isFinalPageLink('http://new.example.org/team/', 'about/team')).toBe(false);
    expect(isFinalPageLink('http://new.example.org/%c3%bcber/team/', '%c3%bcber/team')).toBe(true);
    expect(isFinalPageLink('http://new.example.org/?page_id=4', 'about/team')).toBe(true);
  });
});

describe('pageLinkUnder', () => {
  it('swaps the path of a page for the one it has under its ancestors, keeping what comes before and the trailing slash', () => {
    expect(pageLinkUnder('http://new.example.org/visiting/', 'visiting', 'about-us/visiting')).toBe('http://new.example.org/about-us/visiting/');
    expect(pageLinkUnder('http://new.example.org/harbor/lake/', 'harbor/lake', 'press/harbor/lake')).toBe('http://new.example.org/press/harbor/lake/');
    expect(pageLinkUnder('https://example.org/blog/index.php/team', 'team', '%d0%ba/team')).toBe('https://example.org/blog/index.php/%d0%ba/team');
  });

  it('keeps a plain address and gives up on one that does not end with the page\'s path (the front page)', () => {
    expect(pageLinkUnder('http://new.example.org/?page_id=4', 'team', 'about/team')).toBe('http://new.example.org/?page_id=4');
    expect(pageLinkUnder('http://new.example.org/', 'home', 'home')).toBeUndefined();
    expect(pageLinkUnder('http://new.example.org/steam/', 'team', 'about/team')).toBeUndefined();
  });
});

describe('rewriteText', () => {
  it('replaces each URL token and attachment id, and leaves unknown ones alone', () => {
    const text = '<a href="http://old.example.org/?p=3">a</a> <a href="http://old.example.org/?p=31">b</a> <img class="wp-image-12" src="http://old.example.org/wp-content/uploads/a.png"> <!-- wp:image {"id":12} -->';
    const urls: Record<string, string> = { 'http://old.example.org/?p=3': 'http://new/?p=41', 'http://old.example.org/wp-content/uploads/a.png': 'http://new/f.png' };
    const out = rewriteText(text, (raw) => urls[raw], (id) => (id === '12' ? '99' : undefined));
    expect(out).toBe('<a href="http://new/?p=41">a</a> <a href="http://old.example.org/?p=31">b</a> <img class="wp-image-99" src="http://new/f.png"> <!-- wp:image {"id":99} -->');
  });

  it('rewrites a gallery id list keeping its spacing', () => {
    expect(rewriteText('[gallery ids="1, 2"]', () => undefined, (id) => String(Number(id) + 10))).toBe('[gallery ids="11, 12"]');
  });

  it('rewrites gallery ids given as strings and the data-id of images in a gallery (real exports hold both)', () => {
    const text = [
      '<!-- wp:gallery {"ids":["12","13"],"linkTo":"none"} -->',
      '<figure class="wp-block-gallery"><ul><li><figure><img src="x.png" data-id="12" class="wp-image-12"/></figure></li>',
      "<li><figure><img data-id='13' src=\"y.png\"/></figure></li></ul></figure>",
      '<!-- /wp:gallery -->',
      '<div data-id="12">not an image</div>',
    ].join('\n');
    const out = rewriteText(text, () => undefined, (id) => String(Number(id) + 100));
    expect(out).toContain('{"ids":["112","113"],"linkTo":"none"}');
    expect(out).toContain('data-id="112" class="wp-image-112"');
    expect(out).toContain("data-id='113'");
    expect(out).toContain('<div data-id="12">');
    expect(mediaIdsIn(text).sort()).toEqual(['12', '13']);
  });
});
