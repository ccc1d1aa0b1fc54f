/**
 * Ferry's own folder (the one holding its package.json), found from this
 * module's file: it is src/app under tsx, build/app compiled, and inside
 * build/cli (or a chunk under it) bundled, so a fixed number of `..` from
 * `import.meta.url` is right for only one of them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let found: string | undefined;

export function installDir(): string {
  if (found) return found;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'ferry') return (found = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error(`Ferry's package.json was not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}
