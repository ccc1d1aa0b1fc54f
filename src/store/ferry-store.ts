import type { EngineStore, EventRecord, MappingScope, RunKind, RunRecord } from '../core/ports.js';
import type { AccessTable } from './access-tables.js';
import type { ConnectionTable, MigrationTable } from './app-tables.js';
import type { StoredAction } from './records.js';

/**
 * Everything Ferry keeps, as the app, the CLI and the server use it: the
 * engine's store plus connections, migrations, access and run reports.
 * Nothing outside src/store builds a query; a PostgreSQL adapter implements
 * this and passes the same suite (store-suite.ts).
 */
export interface FerryStore extends EngineStore {
  readonly connections: ConnectionTable;
  readonly migrations: MigrationTable;
  readonly access: AccessTable;
  close(): Promise<void>;
  listRuns(migrationId: number): Promise<RunRecord[]>;
  lastRun(migrationId: number, kinds?: RunKind[]): Promise<RunRecord | undefined>;
  requestStop(runId: number): Promise<boolean>;
  requestStopOfProcess(pid: number): Promise<number>;
  cancelItems(runId: number, filter: { type?: string; sourceIds?: string[] }, at: string): Promise<number>;
  listEvents(filter: { migrationId?: number; runId?: number; limit: number; since?: string }): Promise<EventRecord[]>;
  /** Oldest first, those with an id above `afterId` (a live feed's next page). */
  listEventsAfter(filter: { migrationId?: number; runId?: number; afterId: number; limit: number }): Promise<EventRecord[]>;
  purgeEvents(before: string, migrationId: number): Promise<number>;
  getBinding(scope: MappingScope): Promise<{ source: string; target: string; boundAt: string } | undefined>;
  putBinding(scope: MappingScope, identities: { source: string; target: string }, at: string): Promise<void>;
  countMappings(scope: MappingScope): Promise<number>;
  /** Forgets the ID map of a connection pair and its binding; returns how many entries went. */
  forgetMap(scope: MappingScope): Promise<number>;
  listStoredActions(runId: number): Promise<StoredAction[]>;
  /** Ticks an action off (or back on); false when the run holds no such action. */
  setActionDone(input: { runId: number; actionId: number; done: boolean; by: string; at: string }): Promise<boolean>;
}
