/**
 * The verify operation of a system migration: when the plan names API
 * connections (`verify: { source, target }`), every object type the
 * platform's connector lists is read from both sides and compared by
 * natural key and content hash (the connector's ItemHeader.hash, which
 * changes exactly when what it would carry changes). A whole-installation
 * copy keeps every key, so the two lists must be equal.
 */
import { isDeepStrictEqual } from 'node:util';
import { ConnectorError } from '../sdk/errors.js';
import type { ItemHeader, Session } from '../sdk/connector.js';
import type { SystemOperation } from './types.js';

export interface VerifyConnections {
  /** Throws when no such connection is saved. */
  get(name: string): Promise<unknown>;
  open(name: string): Promise<{ session: Session; connector: { objectTypes: Array<{ name: string; label: string }> }; close(): Promise<void> }>;
}

async function headers(session: Session, type: string, signal: AbortSignal): Promise<Map<string, ItemHeader>> {
  const out = new Map<string, ItemHeader>();
  for await (const page of session.read(type, { signal })) for (const h of page.items) out.set(h.key, h);
  return out;
}

const INSPECT_CHUNK = 50;

/** For each pair (source header, target header): whether the connector's inspected fields are equal (false without inspect). */
async function inspectedEqual(source: Session, target: Session, type: string, pairs: Array<[ItemHeader, ItemHeader]>, urls: { from: string; to: string }, signal: AbortSignal): Promise<Array<[ItemHeader, boolean]>> {
  if (!source.inspect || !target.inspect) return pairs.map(([h]) => [h, false]);
  const out: Array<[ItemHeader, boolean]> = [];
  for (let i = 0; i < pairs.length; i += INSPECT_CHUNK) {
    const chunk = pairs.slice(i, i + INSPECT_CHUNK);
    const [a, b] = await Promise.all([
      source.inspect(type, chunk.map(([h]) => h.sourceId), { signal }),
      target.inspect(type, chunk.map(([, t]) => t.sourceId), { signal }),
    ]);
    for (const [h, t] of chunk) {
      const x = a.get(h.sourceId);
      const y = b.get(t.sourceId);
      // The copy moved the site to its new URL: the source's own address is expected as the target's.
      const moved = x && urls.from !== urls.to ? (JSON.parse(JSON.stringify(x.fields).split(urls.from).join(urls.to)) as unknown) : x?.fields;
      out.push([h, x !== undefined && y !== undefined && isDeepStrictEqual(moved, y.fields)]);
    }
  }
  return out;
}

export function verifyOperation(names: { source: string; target: string }, connections: VerifyConnections): SystemOperation {
  return {
    name: 'verify',
    label: 'Verifies the target against the source (API)',
    async estimate() {
      return 0;
    },
    async run(ctx) {
      const source = await connections.open(names.source);
      try {
        const target = await connections.open(names.target);
        try {
          const problems: string[] = [];
          for (const type of source.connector.objectTypes) {
            const [a, b] = await Promise.all([headers(source.session, type.name, ctx.signal), headers(target.session, type.name, ctx.signal)]);
            let equal = 0;
            const missing: string[] = [];
            const different: string[] = [];
            const unequal: Array<[ItemHeader, ItemHeader]> = [];
            for (const [key, h] of a) {
              const other = b.get(key);
              if (!other) missing.push(h.label);
              else if (other.hash !== h.hash) unequal.push([h, other]);
              else equal++;
            }
            // A header hash may hold the site's own URL (a WordPress media file's address, a menu
            // item's link), which a copy to a new URL rewrites: compare those in the connector's
            // inspected form, where links to the site's own objects are references, not URLs.
            for (const [h, same] of await inspectedEqual(source.session, target.session, type.name, unequal, { from: ctx.source.info.url.replace(/\/+$/, ''), to: (ctx.options.newUrl ?? ctx.target.info.url).replace(/\/+$/, '') }, ctx.signal)) {
              if (same) equal++;
              else different.push(h.label);
            }
            const extra = [...b.keys()].filter((k) => !a.has(k)).length;
            ctx.info(`${type.label}: ${a.size} on the source, ${equal} equal on the target, ${missing.length} missing, ${different.length} different, ${extra} only on the target`);
            if (missing.length > 0) problems.push(`${type.label} missing on the target: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`);
            if (different.length > 0) problems.push(`${type.label} different on the target: ${different.slice(0, 5).join(', ')}${different.length > 5 ? ` and ${different.length - 5} more` : ''}`);
          }
          if (problems.length > 0) throw new ConnectorError(`The target differs from the source: ${problems.join('; ')}`, { kind: 'data', hint: 'run the migration again (it copies the database and files afresh), then look at the log' });
          ctx.info(`Verify: "${names.target}" matches "${names.source}"`);
        } finally {
          await target.close();
        }
      } finally {
        await source.close();
      }
    },
  };
}
