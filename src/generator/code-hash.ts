import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installDir } from '../app/install-dir.js';

let cached: string | undefined;

/**
 * A hash of the generator's and harness's own source. Filled instances are
 * cached between test runs by the content they hold; how they were filled
 * (import order, settings) lives in code, so a change there must change
 * the cache key too, or a test meets a wiki filled by yesterday's code.
 */
export function generatorCodeHash(): string {
  if (cached) return cached;
  const hash = createHash('sha256');
  // The source (.ts) under tsx and vitest, the compiled build (.js) under bin/ferry.js, whose bundle (build/cli)
  // is made from that build: its build/generator and build/harness are next to it.
  const here = dirname(fileURLToPath(import.meta.url));
  const own = basename(here) === 'generator' ? here : join(installDir(), 'build', 'generator');
  for (const folder of [own, join(own, '..', 'harness')]) {
    for (const file of readdirSync(folder).filter((f) => /\.(ts|js)$/.test(f) && !/\.test\.(ts|js)$/.test(f)).sort()) {
      hash.update(file).update(readFileSync(join(folder, file)));
    }
  }
  cached = hash.digest('hex').slice(0, 16);
  return cached;
}
