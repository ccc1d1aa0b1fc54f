import { PlanError } from '../core/plan.js';
import { StoreUnavailable } from '../store/store-url.js';
import { UserError } from '../app/errors.js';
import { StoreTooNew } from '../store/schema-migrate.js';
import { ConnectorError, isUserError } from '../sdk/errors.js';

/** Prints an error the way a person can act on it: message, details, hint; a stack only for our own bugs. */
export function reportError(error: unknown, debug: boolean): number {
  const out = process.stderr;
  if (error instanceof PlanError) {
    out.write(`error: ${error.message}\n`);
    out.write('hint: fix the plan and check it with `ferry plan validate <file>`\n');
    return 2;
  }
  if (error instanceof UserError) {
    out.write(`error: ${error.message}\n`);
    for (const line of error.details) out.write(`  - ${line}\n`);
    if (error.hint) out.write(`hint: ${error.hint}\n`);
    return 1;
  }
  // A PostgreSQL store that cannot be reached or entered, from whichever command met it first.
  if (error instanceof StoreUnavailable) {
    out.write(`error: ${error.message}\n`);
    out.write(`hint: ${error.hint}\n`);
    return 1;
  }
  if (error instanceof ConnectorError && isUserError(error.kind)) {
    out.write(`error: ${error.message}\n`);
    if (error.hint) out.write(`hint: ${error.hint}\n`);
    return 1;
  }
  const environment = environmentProblem(error);
  if (environment) {
    out.write(`error: ${environment.message}\n`);
    out.write(`hint: ${environment.hint}\n`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  out.write(`internal error: ${message}\n`);
  if (debug && error instanceof Error && error.stack) out.write(`${error.stack}\n`);
  else out.write('This is a bug in Ferry. Run again with FERRY_DEBUG=1 for details and report it.\n');
  return 3;
}

/** Problems of the machine or the data folder, not of Ferry: a full disk, a damaged store, a path that is a folder. */
function environmentProblem(error: unknown): { message: string; hint: string } | undefined {
  if (error instanceof StoreTooNew) return { message: error.message, hint: 'run the Ferry version that wrote this data folder, or give --data-dir a new folder' };
  if (!(error instanceof Error)) return undefined;
  const { code, path } = error as NodeJS.ErrnoException;
  const sqlite: Record<string, string> = {
    SQLITE_NOTADB: 'the store ferry.sqlite in the data folder is not a Ferry store (or is damaged)',
    SQLITE_CORRUPT: 'the store ferry.sqlite in the data folder is damaged',
    SQLITE_CANTOPEN: 'the store ferry.sqlite in the data folder cannot be opened',
    SQLITE_READONLY: 'the store ferry.sqlite in the data folder is read-only',
    SQLITE_FULL: 'the disk of the data folder is full',
  };
  if (code && sqlite[code]) return { message: `${sqlite[code]} (${error.message})`, hint: 'restore the data folder from a backup, free disk space, or give --data-dir another folder' };
  const files: Record<string, string> = { EACCES: 'permission denied', EPERM: 'not permitted', ENOSPC: 'the disk is full', EROFS: 'the file system is read-only', EISDIR: 'it is a folder, not a file', EEXIST: 'a file is in the way of a folder', ENOTDIR: 'a part of the path is a file, not a folder' };
  if (code && path && files[code]) return { message: `Cannot use ${path}: ${files[code]}`, hint: 'fix the path or its permissions, or give --data-dir another folder' };
  return undefined;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function table(rows: Array<Record<string, string | number | null | undefined>>, columns: string[]): string {
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => String(r[c] ?? ''))))].join('\n');
}
