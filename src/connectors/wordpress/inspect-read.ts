import { z } from 'zod';
import { refToken } from '../../sdk/connector.js';
import type { WpContext } from './context.js';

/** Reading helpers shared by the inspect modules. */

/** A reference to another object of the site, or null for none (id 0). */
export function ref(type: string, id: number | null | undefined): string | null {
  return id !== null && id !== undefined && id > 0 ? refToken(type, String(id)) : null;
}

/** GET a collection by ids, 100 at a time. */
export async function byIds(ctx: WpContext, route: string, ids: number[], query: Record<string, string | boolean>, signal: AbortSignal): Promise<unknown[]> {
  const out: unknown[] = [];
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 100) {
    const rows = await ctx.api.get(route, { signal, query: { ...query, include: unique.slice(i, i + 100), per_page: 100, context: 'edit' }, what: `reading ${route} for verify` });
    out.push(...z.array(z.unknown()).parse(rows));
  }
  return out;
}

