import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SiteInstance } from '../../harness/wordpress.js';
import type { ConnectorContext, ItemHeader, ItemRef, Session, WriteOutcome, WriteRequest, WriteResult } from '../../sdk/connector.js';
import { wordpressConnector } from './index.js';

/**
 * Test support for the integration tests: opens sessions on harness sites
 * and drives the connector like the engine does, with a Map standing in for
 * the ID map: list, look up what the map does not know, load, write in the
 * type's batches with `resolve` answering from the map, then write again
 * what came back deferred.
 */

export interface Driver {
  logs: string[];
  /** Temp folders made for sessions; the test removes them. */
  dirs: string[];
}

export function newDriver(): Driver {
  return { logs: [], dirs: [] };
}

export function timeout(): AbortSignal {
  return AbortSignal.timeout(600_000);
}

function context(driver: Driver): ConnectorContext {
  const tempDir = mkdtempSync(join(tmpdir(), 'ferry-wp-temp-'));
  driver.dirs.push(tempDir);
  return { log: (level, message) => driver.logs.push(`${level}: ${message}`), userAgent: 'Ferry-test/0.1', tempDir };
}

export async function openSession(driver: Driver, site: SiteInstance, options: { username?: string; password?: string; url?: string } = {}): Promise<Session> {
  const config = { url: options.url ?? site.url, username: options.username ?? site.adminUser, password: options.password ?? site.appPassword };
  return wordpressConnector.open(config, context(driver));
}

export async function readAll(session: Session, type: string): Promise<ItemHeader[]> {
  const out: ItemHeader[] = [];
  for await (const page of session.read(type, { signal: timeout() })) out.push(...page.items);
  return out;
}

/** The ID map of a test migration, and what each write answered. */
export interface Migration {
  /** `${type}:${sourceId}` -> target id */
  ids: Map<string, string>;
  versions: Map<string, string>;
  /** Items whose last write left references unresolved. */
  deferred: Map<string, { header: ItemHeader; refs: ItemRef[] }>;
  /** Last outcome per `${type}:${sourceId}`. */
  outcomes: Map<string, WriteOutcome>;
  placeholder?: string;
}

export function newMigration(): Migration {
  return { ids: new Map(), versions: new Map(), deferred: new Map(), outcomes: new Map() };
}

export const PLACEHOLDER = 'ferry-placeholder';

const id = (type: string, sourceId: string) => `${type}:${sourceId}`;

function resolver(migration: Migration): (ref: ItemRef) => string | undefined {
  return (ref) => migration.ids.get(id(ref.type, ref.sourceId)) ?? (ref.type === 'user' ? migration.placeholder : undefined);
}

/** Migrates one type: items the map knows are updates, others are looked up by key (found: update, else create). */
export async function migrateType(from: Session, to: Session, type: string, migration: Migration, options: { reverse?: boolean } = {}): Promise<Map<string, WriteOutcome>> {
  const spec = wordpressConnector.objectTypes.find((t) => t.name === type);
  const size = spec?.batchSize ?? 1;
  const listed = await readAll(from, type);
  // Reversed, children come before their parents, as when the engine writes batches side by side.
  const headers = options.reverse ? listed.reverse() : listed;
  const results = new Map<string, WriteOutcome>();
  for (let i = 0; i < headers.length; i += size) {
    const batch = headers.slice(i, i + size);
    const unknown = batch.filter((h) => !migration.ids.has(id(type, h.sourceId)));
    const found = unknown.length > 0 ? await to.lookup(type, unknown.map((h) => h.key), { signal: timeout() }) : new Map();
    const items = await from.load(batch, { signal: timeout() });
    await ensurePlaceholder(to, migration, items.flatMap((item) => item.refs));
    const requests: WriteRequest[] = items.map((item) => {
      const known = migration.ids.get(id(type, item.sourceId));
      const version = migration.versions.get(id(type, item.sourceId));
      const existing = known !== undefined ? { targetId: known, ...(version ? { version } : {}) } : found.get(item.key);
      return { item, mode: existing ? 'update' : 'create', ...(existing ? { existing } : {}), resolve: resolver(migration) };
    });
    const outcomes = await to.write(type, requests, { signal: timeout() });
    for (const [index, outcome] of outcomes.entries()) record(migration, type, batch[index]!, outcome, results);
  }
  return results;
}

/** The engine's second pass: writes again, as updates, the items whose deferred references now resolve. */
export async function resolveDeferred(from: Session, to: Session, migration: Migration, order: readonly string[]): Promise<Map<string, WriteOutcome>> {
  const results = new Map<string, WriteOutcome>();
  const waiting = [...migration.deferred.values()];
  migration.deferred.clear();
  for (const type of order) {
    const headers = waiting.filter((w) => w.header.type === type && w.refs.some((ref) => migration.ids.has(id(ref.type, ref.sourceId)))).map((w) => w.header);
    for (const header of headers) {
      const [item] = await from.load([header], { signal: timeout() });
      const targetId = migration.ids.get(id(type, header.sourceId))!;
      const version = migration.versions.get(id(type, header.sourceId));
      const [outcome] = await to.write(type, [{ item: item!, mode: 'update', existing: { targetId, ...(version ? { version } : {}) }, resolve: resolver(migration) }], { signal: timeout() });
      record(migration, type, header, outcome!, results);
    }
  }
  return results;
}

function record(migration: Migration, type: string, header: ItemHeader, outcome: WriteOutcome, results: Map<string, WriteOutcome>): void {
  const key = id(type, header.sourceId);
  results.set(key, outcome);
  migration.outcomes.set(key, outcome);
  if (!outcome.ok) return;
  migration.ids.set(key, outcome.result.targetId);
  if (outcome.result.version) migration.versions.set(key, outcome.result.version);
  if (outcome.result.deferred?.length) migration.deferred.set(key, { header, refs: outcome.result.deferred });
}

async function ensurePlaceholder(to: Session, migration: Migration, refs: ItemRef[]): Promise<void> {
  if (migration.placeholder !== undefined) return;
  if (!refs.some((ref) => ref.type === 'user' && !migration.ids.has(id('user', ref.sourceId)))) return;
  migration.placeholder = (await to.ensurePrincipal!('user', PLACEHOLDER, { signal: timeout() })).targetId;
}

export function ok(outcome: WriteOutcome | undefined): WriteResult {
  if (!outcome?.ok) throw new Error(`write failed: ${outcome ? String((outcome.error as Error).message) : 'no outcome'}`);
  return outcome.result;
}

/** Failed writes as readable lines, for assertions that print what went wrong. */
export function failures(results: Map<string, WriteOutcome>): string[] {
  return [...results].filter(([, o]) => !o.ok).map(([key, o]) => `${key}: ${String((o as { error: Error }).error?.message ?? o)}`);
}

/** Basic-auth fetch of a site's REST API, independent of the connector. */
export async function rest<T = unknown>(site: SiteInstance, route: string, query: Record<string, string | number> = {}): Promise<T> {
  const url = new URL(`${site.restUrl}/${route.replace(/^\//, '')}`);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value));
  const response = await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`${site.adminUser}:${site.appPassword}`).toString('base64')}` } });
  if (!response.ok) throw new Error(`${route}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Every item of a collection, context=edit. */
export async function restAll<T = Record<string, unknown>>(site: SiteInstance, route: string, query: Record<string, string | number> = {}): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; ; page++) {
    const rows = await rest<T[]>(site, route, { context: 'edit', per_page: 100, ...query, page });
    out.push(...rows);
    if (rows.length < 100) return out;
  }
}
