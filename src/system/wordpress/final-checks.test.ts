import { describe, expect, it } from 'vitest';
import { rewrittenSample } from './operations.js';

describe('the final checks of a WordPress system run', () => {
  const sample = { post: 'http://old.example/2024/05/hello/', file: '2024/05/a.png', fileUrl: 'http://old.example/wp-content/uploads/2024/05/a.png' };

  it("fetch the source's post and file at the URLs the rewrite gave them", () => {
    expect(rewrittenSample(sample, 'http://old.example/', 'https://new.example')).toEqual({
      post: 'https://new.example/2024/05/hello/',
      file: '2024/05/a.png',
      fileUrl: 'https://new.example/wp-content/uploads/2024/05/a.png',
    });
    // A site without posts or media: nothing to fetch, nothing to ask the target.
    expect(rewrittenSample({ post: null, file: null, fileUrl: null }, 'http://old.example', 'https://new.example')).toEqual({ post: null, file: null, fileUrl: null });
  });

  it("leave the choice to the target's WordPress when a URL is not under the rewritten one", () => {
    // A home URL on another domain than the site URL, or a longer host name that only starts the same.
    expect(rewrittenSample({ ...sample, post: 'http://www.example/2024/05/hello/' }, 'http://old.example', 'https://new.example')).toBeUndefined();
    expect(rewrittenSample({ ...sample, fileUrl: 'http://old.example.cdn.net/a.png' }, 'http://old.example', 'https://new.example')).toBeUndefined();
  });
});
