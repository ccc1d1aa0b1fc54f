#!/usr/bin/env node
// Writes test/durations.json (seconds per test file) for test/sequencer.ts,
// which starts the longest files first. The figures come from Vitest's results
// cache, which a run writes (node_modules/.vite/vitest/*/results.json: each
// file's duration, its hooks included):
//   npx vitest run && node scripts/test-durations.mjs
// Only a full run on the reference machine (2 cores, nothing else busy) gives
// figures worth committing.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cacheRoot = join(root, 'node_modules', '.vite', 'vitest');
const caches = existsSync(cacheRoot) ? readdirSync(cacheRoot).map((d) => join(cacheRoot, d, 'results.json')).filter((f) => existsSync(f)) : [];
const input = process.argv[2] ?? caches[0];
if (!input) {
  console.error('no Vitest results cache found: run the suite first, or name the results.json');
  process.exit(2);
}
const { results } = JSON.parse(readFileSync(input, 'utf8'));
const files = {};
for (const [key, { duration }] of results) {
  // Keys are "<project>:<path from the root>".
  files[key.slice(key.indexOf(':') + 1)] = Math.round(duration / 100) / 10;
}
const sorted = Object.fromEntries(Object.entries(files).sort(([a, x], [b, y]) => y - x || a.localeCompare(b)));
const out = join(root, 'test', 'durations.json');
writeFileSync(out, `${JSON.stringify({ measured: new Date().toISOString().slice(0, 10), files: sorted }, null, 2)}\n`);
console.log(`${Object.keys(sorted).length} files from ${input} -> ${out}`);
