/**
 * The MariaDB/MySQL client commands of a WordPress installation, on its host,
 * with the credentials its config holds. DB_HOST is read as WordPress reads
 * it: `host`, `host:port`, `host:/path/to/socket` or `:/socket`.
 *
 * The password goes in MYSQL_PWD (the command's environment), never in argv,
 * where any user of the host could read it in the process list.
 */
import { pipeline } from 'node:stream/promises';
import { Transform, type Writable } from 'node:stream';
import { ConnectorError } from '../../sdk/errors.js';
import { redact } from '../../sdk/redact.js';
import type { Host, HostProcess } from '../host.js';
import type { DatabaseInfo } from '../types.js';

export interface DbClient {
  /** Connection flags for mariadb and mariadb-dump. */
  args: string[];
  env: Record<string, string>;
  secrets: string[];
  name: string;
}

export function clientOf(db: DatabaseInfo): DbClient {
  const args = ['--default-character-set=utf8mb4'];
  if (db.user) args.push(`--user=${db.user}`);
  const location = db.location || 'localhost';
  const colon = location.indexOf(':');
  const hostPart = colon < 0 ? location : location.slice(0, colon);
  const rest = colon < 0 ? '' : location.slice(colon + 1);
  if (hostPart) args.push(`--host=${hostPart}`);
  if (/^\d+$/.test(rest)) args.push(`--port=${rest}`, '--protocol=TCP');
  else if (rest) args.push(`--socket=${rest}`);
  return { args, env: db.password ? { MYSQL_PWD: db.password } : {}, secrets: db.password ? [db.password] : [], name: db.name };
}

const sqlString = (value: string): string => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
export const likePrefix = (prefix: string): string => sqlString(`${prefix.replace(/[\\_%]/g, (c) => `\\${c}`)}%`);

/** Runs SQL with the installation's credentials; rows as arrays of column texts (tab-separated batch output). */
export async function query(host: Host, db: DatabaseInfo, sql: string, signal?: AbortSignal): Promise<string[][]> {
  const client = clientOf(db);
  const result = await host.exec(['mariadb', ...client.args, '--batch', '--skip-column-names', '--raw', `--database=${db.name}`], {
    input: sql,
    env: client.env,
    secrets: client.secrets,
    allowFailure: true,
    ...(signal ? { signal } : {}),
  });
  if (result.code !== 0) {
    throw new ConnectorError(`the database ${db.name} at ${db.location} on ${host.label} refused a query: ${redact(result.stderr.trim().slice(-500), client.secrets)}`, {
      kind: /Access denied/i.test(result.stderr) ? 'auth' : /Can't connect|Unknown MySQL server|Lost connection/i.test(result.stderr) ? 'transient' : 'config',
      hint: 'check DB_HOST, DB_USER and DB_PASSWORD in the installation\'s config, and that its database server runs and is reachable from that host',
    });
  }
  return result.stdout.split('\n').filter((line) => line.length > 0).map((line) => line.split('\t'));
}

/** Base tables of the site (its prefix) with their size in bytes (data + indexes), by name. */
export async function tableSizes(host: Host, db: DatabaseInfo, prefix: string): Promise<Array<{ name: string; bytes: number }>> {
  const rows = await query(host, db, `SELECT table_name, COALESCE(data_length, 0) + COALESCE(index_length, 0) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' AND table_name LIKE ${likePrefix(prefix)} ORDER BY table_name;`);
  return rows.map(([name, bytes]) => ({ name: name ?? '', bytes: Number(bytes ?? 0) }));
}

export function dumpArgv(db: DatabaseInfo, tables: readonly string[]): string[] {
  const client = clientOf(db);
  // --single-transaction: a consistent read without locking the site's tables; --no-tablespaces: needs no PROCESS privilege.
  return ['mariadb-dump', ...client.args, '--single-transaction', '--no-tablespaces', '--skip-dump-date', '--hex-blob', '--add-drop-table', '--skip-triggers', db.name, ...tables];
}

export function importArgv(db: DatabaseInfo): string[] {
  // --unbuffered: the marker SELECTs (see tableMarkers) are reported as soon as they run.
  return ['mariadb', ...clientOf(db).args, '--batch', '--skip-column-names', '--unbuffered', `--database=${db.name}`];
}

const MARKER_PREFIX = 'ferry-table-done:';
const TABLE_HEADER = Buffer.from('\n-- Table structure for table `');
/** Bytes held back at each chunk's end so a table header cut between two chunks is still found whole. */
const HOLD = 256;

/**
 * Marks table boundaries in a mariadb-dump stream: before each table's
 * header (and at the end) it inserts `SELECT 'ferry-table-done:<previous>';`,
 * which the importing `mariadb` prints once everything before it has run. So
 * one dump and one import carry many tables, and the target itself confirms
 * each table (the checkpoint). A header can only start a line: row values
 * are dumped with their newlines escaped.
 */
export function tableMarkers(): Transform {
  let held = Buffer.alloc(0);
  let current: string | undefined;
  const marker = (table: string): Buffer => Buffer.from(`SELECT '${MARKER_PREFIX}${table.replace(/'/g, "''")}';\n`);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const buffer = held.length > 0 ? Buffer.concat([held, chunk]) : chunk;
      const out: Buffer[] = [];
      let from = 0;
      for (;;) {
        const at = buffer.indexOf(TABLE_HEADER, from);
        if (at < 0) break;
        const nameStart = at + TABLE_HEADER.length;
        const nameEnd = buffer.indexOf('`\n', nameStart);
        if (nameEnd < 0) break;
        out.push(buffer.subarray(from, at + 1));
        if (current !== undefined) out.push(marker(current));
        current = buffer.subarray(nameStart, nameEnd).toString('utf8');
        from = at + 1;
      }
      const keep = Math.max(from, buffer.length - HOLD);
      out.push(buffer.subarray(from, keep));
      held = Buffer.from(buffer.subarray(keep));
      callback(null, Buffer.concat(out));
    },
    flush(callback) {
      callback(null, Buffer.concat([held, ...(current !== undefined ? [Buffer.from('\n'), marker(current)] : [])]));
    },
  });
}

/** Reads the tables the import confirmed from its output. */
export function onConfirmedTables(stdout: NodeJS.ReadableStream, onTable: (table: string) => void): void {
  let pending = '';
  stdout.setEncoding('utf8');
  stdout.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith(MARKER_PREFIX)) onTable(line.slice(MARKER_PREFIX.length));
  });
}

/** Counts the bytes going through, and reports them. */
export function counter(onBytes: (bytes: number) => void): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      onBytes(total);
      callback(null, chunk);
    },
  });
}

async function finished(process_: HostProcess, what: string, host: Host, secrets: readonly string[]): Promise<void> {
  const { code, stderr } = await process_.done;
  if (code !== 0) {
    throw new ConnectorError(`${what} on ${host.label} exited with ${code}: ${redact(stderr.trim().slice(-600), secrets)}`, {
      kind: /Access denied/i.test(stderr) ? 'auth' : /No space left|Disk full/i.test(stderr) ? 'too_large' : 'transient',
      hint: 'see the message above; run the migration again to continue where it stopped',
    });
  }
}

function abortError(): Error {
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}

/**
 * Streams `mariadb-dump` of some tables on one host into `sink` (a `mariadb`
 * import on another host, or a file). Rejects with AbortError when the
 * signal fires; both commands are ended then.
 */
export async function streamDump(options: {
  host: Host;
  db: DatabaseInfo;
  tables: readonly string[];
  into: { writable: Writable; done?: Promise<void>; kill?: () => void };
  signal: AbortSignal;
  onBytes: (bytes: number) => void;
  /** Inserted between the dump and the sink (tableMarkers). */
  through?: Transform;
}): Promise<void> {
  const client = clientOf(options.db);
  if (options.signal.aborted) {
    options.into.kill?.();
    throw abortError();
  }
  const dump = options.host.spawn(dumpArgv(options.db, options.tables), { env: client.env, secrets: client.secrets });
  const onAbort = (): void => {
    dump.kill();
    options.into.kill?.();
  };
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const dumped = finished(dump, `mariadb-dump of ${options.tables.join(', ') || options.db.name}`, options.host, client.secrets);
    dumped.catch(() => undefined);
    const stages = options.through ? [counter(options.onBytes), options.through] : [counter(options.onBytes)];
    await pipeline([dump.stdout, ...stages, options.into.writable], { signal: options.signal });
    await dumped;
    await options.into.done;
  } catch (error) {
    dump.kill();
    if (options.signal.aborted) {
      options.into.kill?.();
      throw abortError();
    }
    // A broken pipe says little: the import's own message (disk full, access denied...) says what happened.
    const own = options.into.done
      ? await Promise.race([
          options.into.done.then(() => undefined, (failure: unknown) => failure),
          new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 5000).unref()),
        ])
      : undefined;
    options.into.kill?.();
    throw own ?? error;
  } finally {
    options.signal.removeEventListener('abort', onAbort);
  }
}

/** A `mariadb` import on a host, as a sink for streamDump. */
export function importInto(host: Host, db: DatabaseInfo, onTable?: (table: string) => void): { writable: Writable; done: Promise<void>; kill: () => void } {
  const client = clientOf(db);
  const process_ = host.spawn(importArgv(db), { env: client.env, secrets: client.secrets });
  if (onTable) onConfirmedTables(process_.stdout, onTable);
  else process_.stdout.resume();
  const done = finished(process_, `mariadb import into ${db.name}`, host, client.secrets);
  done.catch(() => undefined);
  return { writable: process_.stdin, done, kill: () => process_.kill() };
}

/** Runs SQL text from a file on the host into the database (the snapshot restore). */
export async function importFile(host: Host, db: DatabaseInfo, file: string): Promise<void> {
  const sink = importInto(host, db);
  await pipeline(host.createReadStream(file), sink.writable);
  await sink.done;
}
