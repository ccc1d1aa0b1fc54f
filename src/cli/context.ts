import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../app/errors.js';
import { Ferry } from '../app/ferry.js';
import type { MigrationRow } from '../app/migrations.js';
import { checkDataDir } from './validate.js';

export interface GlobalOptions {
  dataDir: string;
  /** `--store`: a PostgreSQL URL; absent: FERRY_STORE, else the SQLite store in the data folder. */
  store?: string;
}

/** The data folder and the store a command opens: `--data-dir` / FERRY_HOME and `--store` / FERRY_STORE. */
export function ferryOptions(command: Command): { dataDir: string; store: string | undefined } {
  const { dataDir, store } = command.optsWithGlobals<GlobalOptions>();
  return { dataDir: checkDataDir(dataDir), store: store ?? process.env.FERRY_STORE };
}

/** Opens the data folder (and its store) for one command and always closes it. */
export async function withFerry<T>(command: Command, body: (ferry: Ferry) => Promise<T>): Promise<T> {
  const ferry = await Ferry.open(ferryOptions(command));
  try {
    return await body(ferry);
  } finally {
    await ferry.close();
  }
}

/** A migration by name, or the one a plan file describes (saved by a run once its pre-checks pass). */
export async function migrationFrom(ferry: Ferry, nameOrFile: string): Promise<MigrationRow> {
  if (/\.ya?ml$/i.test(nameOrFile) || existsSync(nameOrFile)) return ferry.draftMigration(nameOrFile);
  return ferry.migrations.byName(nameOrFile);
}

export function parseRunId(value: string): number {
  const id = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(id) || id <= 0) throw new UserError(`"${value}" is not a run number`, { hint: 'run numbers are shown by `ferry status <migration>`' });
  return id;
}
