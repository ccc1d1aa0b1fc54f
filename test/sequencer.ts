import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Seconds each test file took in a measured full run (relative path -> seconds); `node scripts/test-durations.mjs` rewrites it. */
export const DURATIONS_FILE = fileURLToPath(new URL('./durations.json', import.meta.url));

export function readDurations(file = DURATIONS_FILE): Record<string, number> {
  if (!existsSync(file)) return {};
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { files?: Record<string, number> };
  return parsed.files ?? {};
}

/**
 * Longest files first. Two forks take files in this order, each the next one
 * when it is free; a long integration file that starts last runs on alone while
 * the other fork idles. Vitest's own order needs its results cache, which a
 * fresh clone (CI after `npm ci`) does not have: it then orders by file size,
 * and the slowest files are not the largest. So the order comes from the
 * durations of a measured run kept in the repo (test/durations.json). A file
 * not listed there (a new one) goes first: it may be long, and unknown is the
 * only case where starting early cannot make the tail worse by much.
 * Vitest's order (its cache, else size) breaks ties.
 */
export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const fallback = await super.sort(files);
    const durations = readDurations();
    const root = this.ctx.config.root;
    const seconds = (spec: TestSpecification): number => durations[relative(root, spec.moduleId).split('\\').join('/')] ?? Number.POSITIVE_INFINITY;
    const rank = new Map(fallback.map((spec, i) => [spec, i]));
    return [...fallback].sort((a, b) => {
      const sa = seconds(a);
      const sb = seconds(b);
      if (sa !== sb) return sb > sa ? 1 : -1;
      return rank.get(a)! - rank.get(b)!;
    });
  }
}
