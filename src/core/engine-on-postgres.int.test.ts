import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, vi } from 'vitest';
import { startPostgres, type PrivatePostgres } from '../harness/postgres.js';
import { openPostgres } from '../store/postgres-store.js';

/**
 * The engine's own tests (runner.test.ts, status-changes.test.ts) once more,
 * with every store they open on PostgreSQL: their `openSqlite` gives a fresh
 * database of one private server instead of a file. Same tests, same
 * assertions; only the store differs.
 */
const server = vi.hoisted(() => ({ current: undefined as PrivatePostgres | undefined, databases: new Map<string, string>(), opened: [] as Array<{ destroy(): Promise<void> }> }));

vi.mock('../store/sqlite-store.js', () => ({
  // One database per store file: a test that opens the same data folder twice finds its store again.
  openSqlite: async (file: string) => {
    let url = server.databases.get(file);
    if (url === undefined) {
      url = await server.current!.createDatabase(`engine_${server.databases.size + 1}`);
      server.databases.set(file, url);
    }
    // One connection, as SQLite has: these tests time a stop or a cancel (made from onProgress, not awaited)
    // against the engine's next statement, which only a single connection orders. The pool itself is the suite's.
    const db = await openPostgres(url, { max: 1 });
    server.opened.push(db);
    return db;
  },
}));

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync('/dev/shm/ferry-pg-engine-');
  server.current = await startPostgres({ dir });
});

afterAll(async () => {
  // The tests leave their stores open (a file costs nothing); pools are closed before the server goes,
  // once the write the timeout test abandoned (2 s on the target) has finished and logged its event.
  await new Promise((done) => setTimeout(done, 3_000));
  await Promise.all(server.opened.map((db) => db.destroy()));
  await server.current?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

await import('./runner.test.js');
await import('./status-changes.test.js');
