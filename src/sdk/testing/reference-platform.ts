import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Connector, ItemHeader, ObjectTypeSpec, ReadPage, Session, SourceItem, TargetRef, WriteOutcome, WriteRequest } from '../connector.js';
import { ConnectorError } from '../errors.js';

/**
 * The engine's reference target for `npm run bench` (engine-* cases): the
 * source synthesises `items` objects on the fly (one folder per
 * FOLDER_EVERY notes, each note refers to its folder); the target keeps
 * nothing and only waits `latencyMs` per write call before answering ids.
 * What a run costs beyond that wait is the engine's own cost.
 *
 * Nothing is held in memory per item on either side, so the process's
 * peak RSS is the engine's. The target is stateless on purpose: a run
 * killed and resumed in a new process meets the same target.
 *
 * Registered only by bench/engine-child.ts (platform "reference"), never in
 * the product's connector registry.
 */
export const REFERENCE_PLATFORM = 'reference';

/** One folder per this many items; every other item is a note in a folder. */
export const FOLDER_EVERY = 100;
const PAGE = 500;

export const referenceTypes: ObjectTypeSpec[] = [
  { name: 'folder', label: 'Folders', naturalKey: 'folder name', dependsOn: [], references: {}, neverCarried: [], deletable: true },
  { name: 'note', label: 'Notes', naturalKey: 'note title', dependsOn: ['folder'], references: { folder: 'folder' }, neverCarried: [], deletable: true },
];

const configSchema = z.object({
  role: z.enum(['source', 'target']),
  /** Total objects of the source (folders + notes). */
  items: z.number().int().min(0).default(0),
  /** Milliseconds each target write call waits. */
  latencyMs: z.number().min(0).default(20),
});
export type ReferenceConfig = z.infer<typeof configSchema>;

/** How many folders and notes a source of `items` objects holds. */
export function referenceCounts(items: number): { folder: number; note: number } {
  const folder = Math.ceil(items / FOLDER_EVERY);
  return { folder, note: items - folder };
}

const hashOf = (text: string) => createHash('sha1').update(text).digest('hex');
const idOf = (type: string, n: number) => `${type[0]}${n}`;
const numberOf = (sourceId: string) => Number(sourceId.slice(1));

class ReferenceSession implements Session {
  constructor(private readonly config: ReferenceConfig) {}

  async check() {
    return { platform: REFERENCE_PLATFORM, version: '1', siteName: `Reference ${this.config.role}`, host: `reference-${this.config.role}`, account: 'ferry', rights: ['all'] };
  }

  async discover() {
    const counts = this.config.role === 'source' ? referenceCounts(this.config.items) : { folder: 0, note: 0 };
    return { types: referenceTypes.map((t) => ({ type: t.name, count: counts[t.name as 'folder' | 'note'] })), details: {} };
  }

  async *read(type: string, options: { cursor?: string }): AsyncIterable<ReadPage> {
    if (this.config.role !== 'source') return;
    const count = referenceCounts(this.config.items)[type as 'folder' | 'note'];
    if (count === undefined) throw new ConnectorError(`the reference platform has no type ${type}`, { kind: 'bug' });
    for (let start = options.cursor ? Number(options.cursor) : 0; start < count; start += PAGE) {
      const items: ItemHeader[] = [];
      for (let n = start; n < Math.min(count, start + PAGE); n++) {
        const sourceId = idOf(type, n);
        items.push({ type, sourceId, key: sourceId, label: `${type} ${n}`, hash: hashOf(`${sourceId}:1`) });
      }
      yield { items, cursor: String(Math.min(count, start + PAGE)) };
    }
  }

  async load(headers: ItemHeader[]): Promise<SourceItem[]> {
    const folders = referenceCounts(this.config.items).folder;
    return headers.map((h) => {
      const folder = h.type === 'note' ? idOf('folder', numberOf(h.sourceId) % Math.max(1, folders)) : undefined;
      return { ...h, refs: folder ? [{ type: 'folder', sourceId: folder }] : [], data: { body: `body of ${h.label}`, ...(folder ? { folder } : {}) } };
    });
  }

  /** The target holds nothing it could find by key: every item is written. */
  async lookup(): Promise<Map<string, TargetRef>> {
    return new Map();
  }

  async write(type: string, requests: WriteRequest[], options: { signal: AbortSignal }): Promise<WriteOutcome[]> {
    if (this.config.role !== 'target') throw new ConnectorError('the reference source is read-only', { kind: 'config' });
    await new Promise<void>((resolve, reject) => {
      const abort = () => {
        clearTimeout(timer);
        reject(options.signal.reason);
      };
      const timer = setTimeout(() => {
        options.signal.removeEventListener('abort', abort);
        resolve();
      }, this.config.latencyMs);
      options.signal.addEventListener('abort', abort, { once: true });
    });
    return requests.map((request): WriteOutcome => {
      const folder = (request.item.data as { folder?: string }).folder;
      // Resolving the reference is part of the engine's work being measured (the ID map).
      const resolved = folder ? request.resolve({ type: 'folder', sourceId: folder }) : undefined;
      const deferred = folder && !resolved ? [{ type: 'folder', sourceId: folder }] : [];
      return { ok: true, result: { targetId: `t-${request.item.sourceId}`, outcome: request.mode === 'update' ? 'updated' : 'created', version: '1', deferred } };
    });
  }

  async remove() {
    return 'removed' as const;
  }

  async close() {}
}

/** The reference connector (config: { role, items, latencyMs }). */
export const referenceConnector: Connector<ReferenceConfig> = {
  platform: REFERENCE_PLATFORM,
  title: 'Reference (benchmark)',
  configSchema: configSchema as unknown as z.ZodType<ReferenceConfig>,
  secretFields: [],
  objectTypes: referenceTypes,
  open: async (config) => new ReferenceSession(configSchema.parse(config)),
};
