/**
 * The verify operation of a system migration: when the plan names API
 * connections (`verify: { source, target }`), every object type the
 * platform's connector lists is read from both sides and compared by
 * natural key and content hash (the connector's ItemHeader.hash, which
 * changes exactly when what it would carry changes). A whole-installation
 * copy keeps every key, so the two lists must be equal.
 */
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
            for (const [key, h] of a) {
              const other = b.get(key);
              if (!other) missing.push(h.label);
              else if (other.hash !== h.hash) different.push(h.label);
              else equal++;
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
