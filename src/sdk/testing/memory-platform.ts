import { createHash } from 'node:crypto';
import { z } from 'zod';
import { refToken, type Connector, type InspectedItem, type ItemHeader, type NotCarried, type ObjectTypeSpec, type Session, type SourceItem, type TargetRef, type WriteOutcome, type WriteRequest } from '../connector.js';
import { ConnectorError } from '../errors.js';

/**
 * An in-memory platform: the reference connector for engine tests and a
 * fault injector (failures, delays) that a real server cannot give on cue.
 * It is an addition to the real-platform tests, never a replacement.
 */
export interface MemoryObject {
  key: string;
  body: string;
  /** For 'doc': the key of its author ('person'). */
  author?: string;
  /** For 'doc': the key of another doc it links to (resolved on the target, maybe in a second pass). */
  link?: string;
  version: number;
}

export interface MemoryFaults {
  /** Keys whose write fails with this kind (once per listed count, or always). */
  failWrite?: Map<string, { kind: 'too_large' | 'transient' | 'auth' | 'data'; times?: number }>;
  /** Milliseconds each write call takes. */
  writeDelayMs?: number;
  /** Keys whose body the target silently stores truncated while answering success: a lossy platform, for verify. */
  corrupt?: Set<string>;
  /** Keys written without their author, with a post-migration action that says so (fields: author). */
  withoutAuthor?: Set<string>;
}

export class MemoryInstance {
  readonly objects = new Map<string, Map<string, MemoryObject>>([
    ['person', new Map()],
    ['doc', new Map()],
  ]);
  faults: MemoryFaults = {};
  writes = 0;
  /** What `discover` reports as held but not carried. */
  notCarried: NotCarried[] = [];

  constructor(readonly name: string) {}

  put(type: 'person' | 'doc', key: string, body: string, author?: string, link?: string): void {
    const existing = this.objects.get(type)!.get(key);
    this.objects.get(type)!.set(key, { key, body, ...(author ? { author } : {}), ...(link ? { link } : {}), version: (existing?.version ?? 0) + 1 });
  }

  get(type: 'person' | 'doc', key: string): MemoryObject | undefined {
    return this.objects.get(type)!.get(key);
  }
}

const hash = (o: MemoryObject) => createHash('sha1').update(`${o.key}\u0000${o.body}\u0000${o.author ?? ''}\u0000${o.link ?? ''}`).digest('hex');

export const memoryTypes: ObjectTypeSpec[] = [
  { name: 'person', label: 'People', naturalKey: 'name', dependsOn: [], references: {}, neverCarried: ['password'], deletable: true, principal: true, batchSize: 2 },
  { name: 'doc', label: 'Documents', naturalKey: 'title', dependsOn: ['person'], references: { author: 'person' }, neverCarried: [], deletable: true, batchSize: 3 },
];

class MemorySession implements Session {
  constructor(private readonly instance: MemoryInstance) {}

  async check() {
    return { platform: 'memory', version: '1', siteName: this.instance.name, host: 'memory', account: 'ferry', rights: ['all'] };
  }

  async discover() {
    return { types: [...this.instance.objects].map(([type, m]) => ({ type, count: m.size })), details: {}, notCarried: this.instance.notCarried };
  }

  async inspect(type: string, ids: string[]): Promise<Map<string, InspectedItem>> {
    const out = new Map<string, InspectedItem>();
    for (const id of ids) {
      const o = this.instance.objects.get(type)!.get(id);
      if (!o) continue;
      const fields = { body: o.body, author: o.author ? refToken('person', o.author) : null, link: o.link ? refToken('doc', o.link) : null };
      out.set(id, { id, fields });
    }
    return out;
  }

  async *read(type: string, options: { cursor?: string }) {
    const all = [...this.instance.objects.get(type)!.values()].sort((a, b) => a.key.localeCompare(b.key));
    let start = options.cursor ? Number(options.cursor) : 0;
    while (start < all.length) {
      const page = all.slice(start, start + 4);
      start += page.length;
      yield { items: page.map((o): ItemHeader => ({ type, sourceId: o.key, key: o.key, label: o.key, hash: hash(o) })), cursor: String(start) };
    }
  }

  async load(headers: ItemHeader[]): Promise<SourceItem[]> {
    return headers.map((h) => {
      const o = this.instance.objects.get(h.type)!.get(h.sourceId);
      if (!o) throw new ConnectorError(`${h.label} vanished from the source`, { kind: 'not_found' });
      const refs = [...(o.author ? [{ type: 'person', sourceId: o.author }] : []), ...(o.link ? [{ type: 'doc', sourceId: o.link }] : [])];
      return { ...h, hash: hash(o), refs, data: { body: o.body, author: o.author, link: o.link } };
    });
  }

  async lookup(type: string, keys: string[]): Promise<Map<string, TargetRef>> {
    const out = new Map<string, TargetRef>();
    for (const key of keys) {
      const o = this.instance.objects.get(type)!.get(key);
      if (o) out.set(key, { targetId: key, version: String(o.version) });
    }
    return out;
  }

  async write(type: string, requests: WriteRequest[], options: { signal: AbortSignal }): Promise<WriteOutcome[]> {
    const faults = this.instance.faults;
    if (faults.writeDelayMs) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, faults.writeDelayMs);
        options.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(options.signal.reason);
        });
      });
    }
    this.instance.writes++;
    return requests.map((request): WriteOutcome => {
      const key = request.mode === 'rename' ? `${request.item.key} (migrated)` : request.item.key;
      const fault = faults.failWrite?.get(key);
      if (fault && (fault.times === undefined || fault.times-- > 0)) {
        return { ok: false, error: new ConnectorError(`injected ${fault.kind} failure for ${key}`, { kind: fault.kind }) };
      }
      const data = request.item.data as { body: string; author?: string; link?: string };
      const dropAuthor = faults.withoutAuthor?.has(key) === true;
      const author = data.author && !dropAuthor ? request.resolve({ type: 'person', sourceId: data.author }) : undefined;
      const actions = dropAuthor ? [{ code: 'author-not-set', message: `${key} has no author on the target`, type, sourceId: request.item.sourceId, label: key, fields: ['author'] }] : [];
      const link = data.link ? request.resolve({ type: 'doc', sourceId: data.link }) : undefined;
      const deferred = data.link && !link ? [{ type: 'doc', sourceId: data.link }] : [];
      const store = this.instance.objects.get(type)!;
      const existing = store.get(key);
      if (existing && existing.body === data.body && existing.author === author && existing.link === link) {
        return { ok: true, result: { targetId: key, outcome: 'unchanged', version: String(existing.version), deferred } };
      }
      const body = faults.corrupt?.has(key) ? data.body.slice(0, 2) : data.body;
      this.instance.put(type as 'person' | 'doc', key, body, author, link);
      return { ok: true, result: { targetId: key, outcome: existing ? 'updated' : 'created', version: String(store.get(key)!.version), deferred, actions } };
    });
  }

  async remove(type: string, target: TargetRef) {
    const store = this.instance.objects.get(type)!;
    const o = store.get(target.targetId);
    if (!o) return 'gone' as const;
    if (target.version && String(o.version) !== target.version) return 'changed' as const;
    store.delete(target.targetId);
    return 'removed' as const;
  }

  async ensurePrincipal(_type: string, name: string): Promise<TargetRef> {
    if (!this.instance.get('person', name)) this.instance.put('person', name, 'placeholder');
    return { targetId: name };
  }

  async close() {}
}

/** A connector over named in-memory instances (config: { instance: name }). */
export function memoryConnector(instances: Map<string, MemoryInstance>): Connector<{ instance: string }> {
  return {
    platform: 'memory',
    title: 'Memory',
    configSchema: z.object({ instance: z.string() }),
    secretFields: [],
    objectTypes: memoryTypes,
    open: async (config) => {
      const instance = instances.get(config.instance);
      if (!instance) throw new ConnectorError(`no memory instance ${config.instance}`, { kind: 'config' });
      return new MemorySession(instance);
    },
  };
}
