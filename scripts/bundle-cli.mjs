// Bundles the compiled CLI (build/cli/main.js, from `tsc`) and its pure-JavaScript dependencies into
// one file, build/cli/ferry.js, which bin/ferry.js starts. Loading the thousand small modules one by
// one (kysely alone is 260 files) took most of a start: `ferry --help` 0.49 s from build/cli/main.js,
// 0.28 s from the bundle (measured 2026-12-01, quiet machine). Every command pays this, and the short
// ones (a system migration of a small site, each CLI call of the e2e tests) pay it the most.
// Kept outside the bundle: packages with native code or files of their own that they load at run time.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const external = [
  'better-sqlite3', // native addon found through `bindings`
  'ssh2', // optional native crypto addon (build/Release/sshcrypto.node)
  'cpu-features',
  'pg-native', // optional, never installed: pg falls back to JavaScript
  'tsx', // only bin/ferry.js's source mode uses it
  // kysely is bundled: loaded from node_modules (its 260 files) it took 0.11 s of every start (`ferry --help`
  // median of 15 alternated runs 0.36 s -> 0.25 s, 2026-12-01). An earlier session kept it outside after measuring
  // the SSH file copy at twice the CPU with it bundled; bundled again, six alternated 1 GB SSH runs
  // (bench/system-mediawiki.ts's setup) showed no difference (user CPU 5.4-7.6 s either way), so that was the noise
  // of a busy machine.
];

// Split: what only some commands use (the HTTP server, the PostgreSQL store, the workers' queue) is imported
// on use, and esbuild puts it in chunks of its own that load then, not at every start.
rmSync('build/cli/chunks', { recursive: true, force: true });
await build({
  entryPoints: { ferry: 'build/cli/main.js' },
  outdir: 'build/cli',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  sourcemap: true,
  logLevel: 'warning',
  // CommonJS dependencies inside an ES module bundle still call require() for Node's own modules.
  banner: { js: "import { createRequire as ferryCreateRequire } from 'node:module'; const require = ferryCreateRequire(import.meta.url);" },
});
