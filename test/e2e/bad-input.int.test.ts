import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/store/sqlite-store.js';
import { Store } from '../../src/store/store.js';
import { ferry } from './cli.js';

/**
 * Bad input of every kind the CLI takes (plans, numbers, paths, URLs): each
 * gets a message that says what is wrong and how to fix it, exit 1 (or 2 for
 * a plan), never 3, no stack trace, and nothing is written. No instance is
 * needed: every case is refused before Ferry would contact one.
 */
const root = mkdtempSync(join(tmpdir(), 'ferry-bad-input-'));
const dataDir = join(root, 'data');
const path = (...parts: string[]) => join(root, ...parts);

/** Every file under `dir` with its mode and a hash of its bytes. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else out[relative(dir, p)] = `${(s.mode & 0o777).toString(8)} ${createHash('sha1').update(readFileSync(p)).digest('hex')}`;
    }
  };
  walk(dir);
  return out;
}

function billionLaughs(): string {
  const names = 'abcdefghi';
  const lines = ['name: bomb', 'source: a', 'target: b', 'description: x', 'a0: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i < names.length; i++) lines.push(`a${i}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

interface Case {
  name: string;
  args: string[];
  env?: Record<string, string>;
  /** The data folder the command gets; the shared one by default. */
  dir?: string;
  code: 1 | 2;
  message: string | RegExp;
  /** A secret that must appear nowhere in the output. */
  secret?: string;
}

const cases: Case[] = [
  { name: 'YAML alias bomb (billion laughs) in a plan', args: ['plan', 'validate', path('bomb.yaml')], code: 2, message: 'aliases (*name) expand too much' },
  { name: 'YAML alias bomb given to run', args: ['run', path('bomb.yaml')], code: 2, message: 'aliases (*name) expand too much' },
  { name: 'plan over the size limit', args: ['plan', 'validate', path('big.yaml')], code: 2, message: 'a plan may be at most 1000000 bytes' },
  { name: 'plan option that would become a broken timer', args: ['plan', 'validate', path('timeout.yaml')], code: 2, message: 'options.itemTimeoutSeconds: at most 86400' },
  { name: 'plan file that is a folder', args: ['plan', 'validate', path('a-folder')], code: 1, message: 'Cannot read the plan file' },
  { name: 'missing --password-file', args: ['connection', 'add', 'w', '--platform', 'mediawiki', '--url', 'http://127.0.0.1:9', '--username', 'A@b', '--password-file', path('nope.txt')], code: 1, message: 'nope.txt does not exist' },
  { name: '--password-file that is a folder', args: ['connection', 'add', 'w', '--platform', 'mediawiki', '--url', 'http://127.0.0.1:9', '--username', 'A@b', '--password-file', path('a-folder')], code: 1, message: 'is a folder, not a file' },
  { name: 'empty --password-file', args: ['connection', 'add', 'w', '--platform', 'mediawiki', '--url', 'http://127.0.0.1:9', '--username', 'A@b', '--password-file', path('empty.txt')], code: 1, message: 'empty.txt is empty' },
  {
    name: 'credentials inside the connection URL',
    args: ['connection', 'add', 'w', '--platform', 'mediawiki', '--url', 'https://admin:hunter2-secret@wiki.example.org', '--username', 'A@b', '--password-env', 'PW'],
    env: { PW: 'x' },
    code: 1,
    message: /has an account or password in it[\s\S]*--password-env VAR, --password-file FILE or --password-stdin/,
    secret: 'hunter2-secret',
  },
  { name: 'connection URL that is not http(s)', args: ['connection', 'add', 'w', '--platform', 'mediawiki', '--url', 'ftp://wiki.example.org', '--username', 'A@b', '--password-env', 'PW'], env: { PW: 'x' }, code: 1, message: '--url must start with http:// or https://' },
  { name: 'connection URL that is not a URL', args: ['connection', 'add', 'w', '--platform', 'mediawiki', '--url', 'wiki example', '--username', 'A@b', '--password-env', 'PW'], env: { PW: 'x' }, code: 1, message: 'is not a URL' },
  { name: 'connection name with a slash', args: ['connection', 'add', '../x', '--platform', 'mediawiki', '--url', 'http://127.0.0.1:9', '--username', 'A@b', '--password-env', 'PW'], env: { PW: 'x' }, code: 1, message: 'Connection name "../x" is not allowed' },
  { name: '--data-dir pointing at a file', dir: path('a-file'), args: ['status'], code: 1, message: 'a-file is a file, not a folder' },
  { name: '--data-dir below a file', dir: path('a-file', 'data'), args: ['status'], code: 1, message: 'Cannot create the data folder' },
  { name: 'empty --data-dir', dir: '', args: ['status'], code: 1, message: 'The data folder is empty' },
  { name: 'items --limit 1e400', args: ['items', '1', '--limit', '1e400'], code: 1, message: '--limit "1e400" is not allowed: give a whole number from 1 to 1000000' },
  { name: 'items --limit negative', args: ['items', '1', '--limit', '-5'], code: 1, message: '--limit "-5" is not allowed' },
  { name: 'items --limit not whole', args: ['items', '1', '--limit', '2.5'], code: 1, message: '--limit "2.5" is not allowed' },
  { name: 'items --limit 0', args: ['items', '1', '--limit', '0'], code: 1, message: '--limit "0" is not allowed' },
  { name: 'items of run 1e400', args: ['items', '1e400'], code: 1, message: '"1e400" is not a run number' },
  { name: 'logs --days -1 (used to delete every event)', args: ['logs', 'first', '--days', '-1'], code: 1, message: '--days "-1" is not allowed: give a whole number from 1 to 36500' },
  { name: 'logs --days 0 (used to delete every event)', args: ['logs', 'first', '--days', '0'], code: 1, message: '--days "0" is not allowed' },
  { name: 'logs --days not a number', args: ['logs', 'first', '--days', 'abc'], code: 1, message: '--days "abc" is not allowed' },
  { name: 'logs --limit 1e400', args: ['logs', 'first', '--limit', '1e400'], code: 1, message: '--limit "1e400" is not allowed' },
  { name: 'logs --run -2', args: ['logs', 'first', '--run', '-2'], code: 1, message: '"-2" is not a run number' },
  { name: 'actions of a run that does not exist', args: ['actions', '99'], code: 1, message: 'No run 99' },
  { name: 'rerun 0', args: ['rerun', '0'], code: 1, message: '"0" is not a run number' },
  { name: 'rerun --item of an item the run did not fail', args: ['rerun', '1', '--item', 'no-such-item'], code: 1, message: 'Not a FAILED, INCOMPLETE or TIMED_OUT item of run 1: no-such-item' },
  { name: 'undo --step of a type the platform lacks', args: ['undo', '1', '--step', 'bogus'], code: 1, message: '--step "bogus" is not a step of this migration' },
  { name: 'demo --dir pointing at a file', args: ['demo', '--dir', path('a-file')], code: 1, message: 'a-file: a file is in the way of a folder' },
  { name: 'demo --pages -3', args: ['demo', '--dir', path('demo'), '--pages', '-3'], code: 1, message: '--pages "-3" is not allowed' },
  { name: 'store file that is not a Ferry store', dir: path('garbage'), args: ['status'], code: 1, message: 'is not a Ferry store' },
  // Port 1 on this machine: nothing listens there. `ferry workers` connects without opening the store first.
  { name: 'workers on a PostgreSQL store nobody serves', args: ['--store', 'postgres://ferry:pg-secret-9@127.0.0.1:1/ferry', 'workers'], code: 1, message: 'nothing accepts connections on 127.0.0.1:1', secret: 'pg-secret-9' },
];

beforeAll(async () => {
  writeFileSync(path('bomb.yaml'), billionLaughs());
  writeFileSync(path('big.yaml'), `name: big\nsource: a\ntarget: b\ndescription: "${'x'.repeat(2_000_000)}"\n`);
  writeFileSync(path('timeout.yaml'), 'name: t\nsource: a\ntarget: b\noptions:\n  itemTimeoutSeconds: 3000000\n');
  writeFileSync(path('empty.txt'), '\n');
  writeFileSync(path('a-file'), 'not a folder\n');
  mkdirSync(path('a-folder'));
  mkdirSync(path('garbage', 'logs'), { recursive: true, mode: 0o700 });
  writeFileSync(path('garbage', 'ferry.sqlite'), 'this is not SQLite '.repeat(100), { mode: 0o600 });
  // A data folder with two migrations and their events, as a real one has.
  expect((await ferry(dataDir, ['status'])).code).toBe(0);
  const store = new Store(await openSqlite(join(dataDir, 'ferry.sqlite')));
  const now = new Date().toISOString();
  for (const name of ['first', 'second']) {
    const row = await store.db.insertInto('migrations').values({ name, plan_yaml: `name: ${name}\nsource: a\ntarget: b\n`, plan_file: null, source: 'a', target: 'b', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    await store.addEvent({ migrationId: row.id, runId: null, at: now, level: 'info', step: null, item: null, message: `event of ${name}` });
  }
  // Run 1 of "first" with one failed page; connection "a" as an older Ferry saved it, a password inside its URL.
  const run = await store.createRun({ migrationId: 1, kind: 'run', startedAt: now, pid: 1 });
  await store.addItems(run.id, [{ type: 'page', sourceId: '7', key: 'P', label: 'P', hash: 'h' }], now);
  await store.updateItem(run.id, 'page', '7', { status: 'FAILED', reason: 'test' }, now);
  await store.updateRun(run.id, { status: 'INCOMPLETE', endedAt: now });
  await store.db.insertInto('connections').values({ name: 'a', platform: 'mediawiki', config_json: JSON.stringify({ url: 'https://old:oldsecret@wiki.example.org', username: 'A@b' }), secrets_enc: 'x.y.z', identity_json: null, checked_at: now, inventory_json: null, discovered_at: null, created_at: now }).execute();
  await store.close();
}, 120_000);

afterAll(() => {
  if (!process.env.FERRY_KEEP_TEST_DIRS) rmSync(root, { recursive: true, force: true });
});

describe('bad input: a clear message, exit 1 or 2, nothing written', () => {
  it.each(cases)('$name', async (c) => {
    const dir = c.dir ?? dataDir;
    const before = snapshot(root);
    const result = await ferry(dir, c.args, c.env ?? {});
    expect(result.code, result.stderr).toBe(c.code);
    if (typeof c.message === 'string') expect(result.stderr).toContain(c.message);
    else expect(result.stderr).toMatch(c.message);
    expect(result.stderr).toMatch(/^error: /m);
    expect(result.stderr).toMatch(/^hint: /m);
    expect(result.stderr).not.toContain('internal error');
    expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    if (c.secret) expect(result.stdout + result.stderr).not.toContain(c.secret);
    expect(snapshot(root)).toEqual(before);
    expect(existsSync(path('demo'))).toBe(false);
  });

  it('after all of them the store holds what it held: both migrations and their events', async () => {
    const events = await ferry(dataDir, ['logs', 'second', '--csv']);
    expect(events.code, events.stderr).toBe(0);
    expect(events.stdout).toContain('event of second');
    const connections = await ferry(dataDir, ['connection', 'list', '--json']);
    expect((JSON.parse(connections.stdout) as Array<{ name: string; config: { url: string } }>).map((c) => [c.name, c.config.url])).toEqual([['a', 'https://old:***@wiki.example.org/']]);
    expect((await ferry(dataDir, ['connection', 'list'])).stdout).not.toContain('oldsecret');
    const store = new Store(await openSqlite(join(dataDir, 'ferry.sqlite')));
    expect(JSON.stringify(await store.db.selectFrom('connections').selectAll().execute())).not.toContain('hunter2');
    await store.close();
  });

  it('log retention deletes old events of the migration asked about, never those of another', async () => {
    const store = new Store(await openSqlite(join(dataDir, 'ferry.sqlite')));
    const ids = Object.fromEntries((await store.db.selectFrom('migrations').select(['id', 'name']).execute()).map((m) => [m.name, m.id]));
    for (const name of ['first', 'second']) await store.addEvent({ migrationId: ids[name]!, runId: null, at: '2020-01-01T00:00:00.000Z', level: 'info', step: null, item: null, message: `old event of ${name}` });
    await store.close();
    const result = await ferry(dataDir, ['logs', 'first', '--days', '1']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('event of first');
    const check = new Store(await openSqlite(join(dataDir, 'ferry.sqlite')));
    const left = (await check.db.selectFrom('events').select('message').orderBy('id').execute()).map((e) => e.message);
    await check.close();
    expect(left).toEqual(['event of first', 'event of second', 'old event of second']);
  });
});
