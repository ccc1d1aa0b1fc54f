import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WikiInstance } from '../../harness/mediawiki.js';
import type { ConnectorContext, InspectedItem, ItemHeader, Session, WriteOutcome, WriteRequest, WriteResult } from '../../sdk/connector.js';
import { HttpClient } from '../../sdk/http.js';
import { MwApi } from './api-client.js';
import { mediawikiConnector } from './index.js';

/**
 * Test support for the integration tests: opens sessions on harness wikis,
 * drives the connector like the engine does (minus the ID map), and reads
 * page histories straight from the API to compare them.
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
  return AbortSignal.timeout(300_000);
}

function context(driver: Driver): ConnectorContext {
  const tempDir = mkdtempSync(join(tmpdir(), 'ferry-mw-temp-'));
  driver.dirs.push(tempDir);
  return { log: (level, message) => driver.logs.push(`${level}: ${message}`), userAgent: 'Ferry-test/0.1', tempDir };
}

export async function openSession(driver: Driver, wiki: WikiInstance, options: { password?: string; url?: string } = {}): Promise<Session> {
  const config = { url: options.url ?? wiki.url, username: wiki.botUser, password: options.password ?? wiki.botPassword };
  return mediawikiConnector.open(config, context(driver));
}

/** An API client of our own, to look at a wiki independently of the sessions under test. */
export function directApi(wiki: WikiInstance): MwApi {
  const http = new HttpClient({ userAgent: 'Ferry-test/0.1', secrets: [wiki.botPassword] });
  return new MwApi({ url: wiki.apiUrl, username: wiki.botUser, password: wiki.botPassword }, http, () => undefined);
}

export async function readAll(session: Session, type: string): Promise<ItemHeader[]> {
  const out: ItemHeader[] = [];
  for await (const page of session.read(type, { signal: timeout() })) out.push(...page.items);
  return out;
}

/** Load, look up by key, write in the type's batches; user names resolve to themselves. Results by label. */
export async function migrateType(from: Session, to: Session, type: string): Promise<Map<string, WriteOutcome>> {
  const spec = mediawikiConnector.objectTypes.find((t) => t.name === type);
  const size = spec?.batchSize ?? 1;
  const headers = await readAll(from, type);
  const results = new Map<string, WriteOutcome>();
  for (let i = 0; i < headers.length; i += size) {
    const items = await from.load(headers.slice(i, i + size), { signal: timeout() });
    const found = await to.lookup(type, items.map((item) => item.key), { signal: timeout() });
    const requests: WriteRequest[] = items.map((item) => {
      const existing = found.get(item.key);
      return { item, mode: existing ? 'update' : 'create', ...(existing ? { existing } : {}), resolve: (ref) => ref.sourceId };
    });
    const outcomes = await to.write(type, requests, { signal: timeout() });
    for (const [index, outcome] of outcomes.entries()) results.set(items[index]!.label, outcome);
  }
  return results;
}

export function ok(outcome: WriteOutcome | undefined): WriteResult {
  if (!outcome?.ok) throw new Error(`write failed: ${outcome ? String((outcome.error as Error).message) : 'no outcome'}`);
  return outcome.result;
}

export interface Rev {
  timestamp: string;
  user: string;
  comment: string;
  sha1: string;
  text: string;
}

export async function history(api: MwApi, pageid: number): Promise<Rev[]> {
  const result = await api.queryAll(
    { pageids: pageid, prop: 'revisions', rvprop: ['timestamp', 'user', 'comment', 'sha1', 'content'], rvslots: 'main', rvlimit: 'max', rvdir: 'newer' },
    timeout(),
  );
  const page = (result.pages as Array<{ revisions?: Array<Record<string, string> & { slots: { main: { content: string } } }> }>)[0];
  return (page?.revisions ?? []).map((r) => ({ timestamp: r.timestamp!, user: r.user!, comment: r.comment!, sha1: r.sha1!, text: r.slots.main.content }));
}

/** Revisions the importing account added: one null revision per import, and a repaired latest text. */
export function isFerryRevision(rev: Rev, importer: string): boolean {
  return rev.user === importer && /revisions? imported|restored by Ferry/i.test(rev.comment);
}

export interface InspectedPair {
  type: string;
  label: string;
  source: InspectedItem['fields'] | undefined;
  target: InspectedItem['fields'] | undefined;
}

/**
 * Every source user, page and file inspected on both sides. The mapping source id -> target id is
 * written here from lookups by natural key (what the ID map holds after a run); user tokens map name
 * to name, as the write resolved them. Items the target never received (the file over its limit) are left out.
 */
export async function inspectedPairs(from: Session, to: Session): Promise<InspectedPair[]> {
  const pairs: InspectedPair[] = [];
  for (const type of ['user', 'page', 'file']) {
    const headers = await readAll(from, type);
    const found = await to.lookup(type, headers.map((h) => h.key), { signal: timeout() });
    const present = headers.filter((h) => found.has(h.key));
    const sourceSide = await from.inspect!(type, present.map((h) => h.sourceId), { signal: timeout() });
    const targetSide = await to.inspect!(type, present.map((h) => found.get(h.key)!.targetId), { signal: timeout() });
    for (const header of present) {
      pairs.push({ type, label: type === 'file' ? header.sourceId : header.label, source: sourceSide.get(header.sourceId)?.fields, target: targetSide.get(found.get(header.key)!.targetId)?.fields });
    }
  }
  return pairs;
}
