import { expect } from 'vitest';
import type { SiteInstance } from '../../src/harness/wordpress.js';
import type { SiteSnapshot } from './site-snapshot.js';

const MAPS = ['users', 'categories', 'tags', 'media', 'posts', 'comments', 'menus', 'menuItems'] as const;

/** Every source object the target did not hold before equals its counterpart on the target. */
export function expectSameSite(source: SiteSnapshot, after: SiteSnapshot, before: SiteSnapshot, except: Partial<Record<(typeof MAPS)[number], string[]>> = {}): void {
  for (const name of MAPS) {
    let compared = 0;
    for (const [key, value] of source[name]) {
      // WordPress's own sample comment: the target has its own copy, which Ferry adopts.
      if (name === 'comments' && key.startsWith('post:hello-world|')) continue;
      if (before[name].has(key) || except[name]?.includes(key)) continue;
      expect(after[name].get(key), `${name} ${key}`).toEqual(value);
      compared++;
    }
    const expected = new Set([...before[name].keys(), ...[...source[name].keys()].filter((k) => !(name === 'comments' && k.startsWith('post:hello-world|')))]);
    expect(after[name].size, `${name}: no duplicates on the target`).toBe(expected.size);
    if (source[name].size > 3) expect(compared, name).toBeGreaterThan(0);
  }
}

export function expectNoSourceLinks(source: SiteInstance, after: SiteSnapshot): void {
  const offending = after.texts.filter((t) => t.includes(source.url));
  expect(offending.slice(0, 3), 'target content pointing at the source site').toEqual([]);
}

