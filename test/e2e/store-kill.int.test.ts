import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ferry, spawnFerry } from './cli.js';

const root = mkdtempSync(join(tmpdir(), 'ferry-store-kill-'));
afterAll(() => {
  if (!process.env.FERRY_KEEP_TEST_DIRS) rmSync(root, { recursive: true, force: true });
});

/** What a killed store holds, read from a copy so that the look itself recovers nothing. */
function storeState(dataDir: string): 'none' | 'empty' | 'complete' | 'partial' {
  const file = join(dataDir, 'ferry.sqlite');
  if (!existsSync(file)) return 'none';
  const copy = mkdtempSync(join(root, 'look-'));
  for (const suffix of ['', '-wal']) if (existsSync(file + suffix)) copyFileSync(file + suffix, join(copy, `s.sqlite${suffix}`));
  const db = new BetterSqlite3(join(copy, 's.sqlite'));
  try {
    const tables = (db.prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>).map((t) => t.name);
    const recorded = tables.includes('kysely_migration') && (db.prepare('select count(*) as n from kysely_migration').get() as { n: number }).n > 0;
    if (tables.length === 0) return 'empty';
    return recorded && tables.includes('cursors') ? 'complete' : 'partial';
  } finally {
    db.close();
  }
}

/**
 * Polls (about every millisecond) until the store file exists, then kills the process `delayMs` later.
 * Returns false when the command had already finished (only allowed for the late kills).
 */
async function killDuringCreation(dataDir: string, delayMs: number): Promise<boolean> {
  const run = spawnFerry(dataDir, ['status']);
  const poll = setInterval(() => {
    if (existsSync(join(dataDir, 'ferry.sqlite'))) {
      clearInterval(poll);
      setTimeout(() => run.child.kill('SIGKILL'), delayMs);
    }
  }, 0);
  const result = await run.done;
  clearInterval(poll);
  if (result.signal !== 'SIGKILL') expect(result.code, `ended before the kill: ${result.stderr}`).toBe(0);
  return result.signal === 'SIGKILL';
}

describe('store creation survives kill -9 at any moment', () => {
  it('a command works after every kill, whatever the store was left holding', async () => {
    const seen = new Map<string, number>();
    let kills = 0;
    // 0-50 ms after the file appears covers opening, WAL setup and the schema transaction (the old,
    // table-by-table creation was caught half-built at 23 ms by this list); the last ones land after it.
    const delays = [0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 18, 20, 23, 26, 30, 35, 40, 50, 100, 200];
    for (const [n, delay] of delays.entries()) {
      const dataDir = join(root, `d${n}`);
      if (await killDuringCreation(dataDir, delay)) kills++;
      const state = storeState(dataDir);
      seen.set(state, (seen.get(state) ?? 0) + 1);
      expect(state, `kill ${delay} ms after the file appeared left a half-built schema`).not.toBe('partial');
      const after = await ferry(dataDir, ['status']);
      expect(after.stderr).toBe('');
      expect(after.code).toBe(0);
      expect(after.stdout).toContain('No migrations yet');
      expect(storeState(dataDir)).toBe('complete');
    }
    console.log('store states after the kills:', Object.fromEntries(seen), `${kills} of ${delays.length} commands killed before they ended`);
    // How long creation takes depends on the machine's load: the early kills must land, the late ones may come after the command ended.
    expect(kills).toBeGreaterThanOrEqual(8);
    // The kills must have landed inside creation, not only before or after it.
    expect(seen.get('empty') ?? 0, JSON.stringify([...seen])).toBeGreaterThan(0);
  });

  it('a store half-built by an older Ferry (tables created one by one, no record) completes itself', async () => {
    const dataDir = join(root, 'legacy');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const db = new BetterSqlite3(join(dataDir, 'ferry.sqlite'));
    db.exec('create table kysely_migration (name varchar(255) not null primary key, timestamp varchar(255) not null)');
    db.exec("create table connections (name text primary key, platform text not null, config_json text not null, secrets_enc text not null, identity_json text, checked_at text, inventory_json text, discovered_at text, created_at text not null)");
    db.close();
    const after = await ferry(dataDir, ['status']);
    expect(after.code, after.stderr).toBe(0);
    expect(storeState(dataDir)).toBe('complete');
  });

  it('the data folder is 0700 and its files 0600, also when an existing folder was looser', async () => {
    const dataDir = join(root, 'modes');
    mkdirSync(dataDir, { mode: 0o755 });
    const mode = (path: string) => statSync(path).mode & 0o777;
    // A looser folder and store, as an older Ferry left them.
    const seed = new BetterSqlite3(join(dataDir, 'ferry.sqlite'));
    seed.close();
    expect(mode(join(dataDir, 'ferry.sqlite'))).not.toBe(0o600);
    const result = await ferry(dataDir, ['status']);
    expect(result.code, result.stderr).toBe(0);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(join(dataDir, 'logs'))).toBe(0o700);
    for (const name of ['ferry.sqlite', 'secret.key', 'ferry-process.log']) expect([name, mode(join(dataDir, name))]).toEqual([name, 0o600]);
    const fresh = join(root, 'fresh-modes', 'data');
    expect((await ferry(fresh, ['status'])).code).toBe(0);
    expect(mode(fresh)).toBe(0o700);
    for (const name of ['ferry.sqlite', 'secret.key', 'ferry-process.log']) expect([name, mode(join(fresh, name))]).toEqual([name, 0o600]);
  });
});
