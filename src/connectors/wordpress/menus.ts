import { z } from 'zod';
import type { ItemHeader, ObjectTypeSpec, PostAction, ReadPage, RemoveResult, SourceItem, TargetRef, WriteOutcome, WriteRequest, WriteResult } from '../../sdk/connector.js';
import { ConnectorError } from '../../sdk/errors.js';
import { hasWpCode } from './api-errors.js';
import type { WpContext } from './context.js';
import { changedFields, stableHash } from './hashing.js';
import { eachRequest, result } from './outcomes.js';

/**
 * Navigation menus (classic menus, REST /wp/v2/menus since WordPress 5.9),
 * known by slug, with their theme locations where the target's theme has
 * the same ones. Block themes' navigation blocks (wp_navigation posts) are
 * not carried.
 */

export const menuType: ObjectTypeSpec = {
  name: 'menu',
  label: 'Menus',
  naturalKey: 'slug',
  dependsOn: [],
  references: {},
  neverCarried: ['theme locations the target theme lacks', 'block navigation menus (wp_navigation)'],
  deletable: true,
  batchSize: 10,
};

export interface MenuData {
  id: number;
  name: string;
  slug: string;
  description: string;
  locations: string[];
  auto_add: boolean;
}

export const menuRowSchema = z.object({
  id: z.number(),
  name: z.string(),
  slug: z.string(),
  description: z.string().default(''),
  locations: z.array(z.string()).default([]),
  auto_add: z.boolean().default(false),
});
type MenuRow = z.infer<typeof menuRowSchema>;

const FIELDS = 'id,name,slug,description,locations,auto_add';

export async function* readMenus(ctx: WpContext, options: { signal: AbortSignal; cursor?: string }): AsyncGenerator<ReadPage> {
  const startPage = options.cursor ? Number(options.cursor) : 1;
  const query = { context: 'edit', orderby: 'id', order: 'asc', hide_empty: false, _fields: FIELDS };
  for await (const page of ctx.api.pages('wp/v2/menus', { signal: options.signal, query, startPage, what: 'listing menus' })) {
    const items = z.array(menuRowSchema).parse(page.items).map(menuHeader);
    yield page.page < page.totalPages ? { items, cursor: String(page.page + 1) } : { items };
  }
}

export async function loadMenus(ctx: WpContext, headers: ItemHeader[], signal: AbortSignal): Promise<SourceItem<MenuData>[]> {
  const rows = await menusById(ctx, headers.map((h) => Number(h.sourceId)), signal);
  return headers.map((header) => {
    const row = rows.get(Number(header.sourceId));
    if (!row) throw new ConnectorError(`Menu "${header.label}" is no longer on the source`, { kind: 'not_found' });
    return { ...menuHeader(row), refs: [], data: { ...row, locations: [...row.locations].sort() } };
  });
}

export async function lookupMenus(ctx: WpContext, keys: string[], signal: AbortSignal): Promise<Map<string, TargetRef>> {
  const found = new Map<string, TargetRef>();
  for (const row of await allMenus(ctx, signal)) {
    if (keys.includes(row.slug)) found.set(row.slug, { targetId: String(row.id), version: menuVersion(row) });
  }
  return found;
}

export async function writeMenus(ctx: WpContext, requests: WriteRequest[], signal: AbortSignal): Promise<WriteOutcome[]> {
  const locations = await targetLocations(ctx, signal);
  return eachRequest('menu', requests, signal, (request) => writeMenu(ctx, request, locations, signal));
}

export async function removeMenu(ctx: WpContext, target: TargetRef, signal: AbortSignal): Promise<RemoveResult> {
  const row = (await menusById(ctx, [Number(target.targetId)], signal)).get(Number(target.targetId));
  if (!row) return 'gone';
  if (target.version !== undefined && menuVersion(row) !== target.version) return 'changed';
  await ctx.api.delete(`wp/v2/menus/${row.id}`, { signal, query: { force: true }, what: `deleting menu "${row.slug}"` });
  return 'removed';
}

async function writeMenu(ctx: WpContext, request: WriteRequest, available: Set<string>, signal: AbortSignal): Promise<WriteResult> {
  const item = request.item as SourceItem<MenuData>;
  const data = item.data;
  const missing = data.locations.filter((l) => !available.has(l));
  const actions: PostAction[] = missing.map((location) => ({
    code: 'menu-location-missing',
    message: `Menu "${data.name}" was in the theme location "${location}" on the source; the target's theme has no such location. Place the menu by hand.`,
    type: 'menu',
    sourceId: item.sourceId,
    label: item.label,
  }));
  const renamed = request.mode === 'rename';
  const desired = {
    name: renamed ? `${data.name} (migrated)` : data.name,
    slug: renamed ? `${data.slug}-migrated` : data.slug,
    description: data.description,
    locations: data.locations.filter((l) => available.has(l)).sort(),
    auto_add: data.auto_add,
  };
  const current = request.mode === 'update' && request.existing ? (await menusById(ctx, [Number(request.existing.targetId)], signal)).get(Number(request.existing.targetId)) : (await allMenus(ctx, signal)).find((m) => m.slug === desired.slug);
  if (current) {
    const changed = changedFields(desired, { ...current, locations: [...current.locations].sort() });
    if (changed.length === 0) return result({ targetId: String(current.id), outcome: 'unchanged', version: menuVersion(current), actions });
    const row = menuRowSchema.parse(await ctx.api.post(`wp/v2/menus/${current.id}`, Object.fromEntries(changed.map((k) => [k, desired[k as keyof typeof desired]])), { signal, query: { context: 'edit', _fields: FIELDS }, what: `updating menu "${desired.slug}"` }));
    return result({ targetId: String(row.id), outcome: 'updated', version: menuVersion(row), actions });
  }
  try {
    const row = menuRowSchema.parse(await ctx.api.post('wp/v2/menus', desired, { signal, query: { context: 'edit', _fields: FIELDS }, what: `creating menu "${desired.slug}"`, retry: false }));
    return result({ targetId: String(row.id), outcome: 'created', version: menuVersion(row), actions });
  } catch (error) {
    if (!hasWpCode(error, 'menu_exists', 'term_exists')) throw error;
    throw new ConnectorError(`The target already has a menu named "${desired.name}" with another slug than "${desired.slug}"`, { kind: 'conflict', hint: 'Rename one of the menus, or use the rename conflict policy.', cause: error });
  }
}

/** Every menu of the site (a site has few). */
export async function allMenus(ctx: WpContext, signal: AbortSignal): Promise<MenuRow[]> {
  return z.array(menuRowSchema).parse(await ctx.api.all('wp/v2/menus', { signal, query: { context: 'edit', hide_empty: false, _fields: FIELDS }, what: 'listing menus' }));
}

/**
 * The theme's classic menu locations. A block theme (Twenty Twenty-Three, the
 * only theme Debian ships) has none, and PHP's json_encode() writes the empty
 * list as `[]`, not `{}`.
 */
export async function targetLocations(ctx: WpContext, signal: AbortSignal): Promise<Set<string>> {
  const answer = await ctx.api.get('wp/v2/menu-locations', { signal, what: 'listing menu locations' });
  return new Set(Object.keys(locationsSchema.parse(answer)));
}

const locationsSchema = z.union([z.array(z.unknown()).max(0).transform(() => ({})), z.record(z.string(), z.unknown())]);

async function menusById(ctx: WpContext, ids: number[], signal: AbortSignal): Promise<Map<number, MenuRow>> {
  const out = new Map<number, MenuRow>();
  const rows = await ctx.api.get('wp/v2/menus', { signal, query: { include: [...new Set(ids)], per_page: 100, hide_empty: false, context: 'edit', _fields: FIELDS }, what: 'reading menus' });
  for (const row of z.array(menuRowSchema).parse(rows)) out.set(row.id, row);
  return out;
}

function menuVersion(row: MenuRow): string {
  return stableHash({ name: row.name, slug: row.slug, description: row.description, locations: [...row.locations].sort(), auto_add: row.auto_add });
}

function menuHeader(row: MenuRow): ItemHeader {
  return { type: 'menu', sourceId: String(row.id), key: row.slug, label: row.name, hash: menuVersion(row) };
}
