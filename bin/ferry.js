#!/usr/bin/env node
// Runs the CLI from the compiled build (build/cli/ferry.js, one bundled file made by `npm run build`,
// which `npm ci` runs through `prepare`)
// when it is newer than every source file; otherwise, or with FERRY_FROM_SOURCE=1, from the
// TypeScript source through tsx, so a checkout being edited never runs stale code.
// Compiling on every start costs 0.7-3 s (measured in `npm run bench`); the build starts in a fraction.
import { readdirSync, statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Peak memory that does not grow with the size of a migration: V8 lets the old space grow to 4x the live
// heap after each full collection on a machine with more than a few GB, so a run's peak RSS depended on
// when the dead objects of the items before were collected (165 -> 203 -> 177 MB for 10k/100k/1M items
// of the engine bench, with a live heap flat at 17-21 MB). 1.2x instead: full collections come more
// often (about 4 ms each with 20 MB live), the peak stays near the live heap. This is not a heap limit
// (a large migration may still use what it needs); V8 reads this flag at each collection, so setting it
// here after start-up works (measured: same peak as `node --heap-growing-percent=20`), unlike the heap
// limits, which are fixed when the process starts. bench/engine-child.ts sets the same.
setFlagsFromString('--heap-growing-percent=20');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Newest modification time of the files under a folder (0 when it does not exist). */
function newest(dir) {
  let latest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function buildIsFresh() {
  if (process.env.FERRY_FROM_SOURCE === '1') return false;
  try {
    return statSync(join(root, 'build', '.built')).mtimeMs >= newest(join(root, 'src'));
  } catch {
    return false;
  }
}

if (buildIsFresh()) {
  await import(pathToFileURL(join(root, 'build', 'cli', 'ferry.js')).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
