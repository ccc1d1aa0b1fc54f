import { z } from 'zod';
import type { ItemHeader, ItemRef, ObjectTypeSpec, ReadPage, RemoveResult, SourceItem, TargetRef, WriteOutcome, WriteRequest, WriteResult } from '../../sdk/connector.js';
import { ConnectorError } from '../../sdk/errors.js';
import type { WpContext } from './context.js';
import { changedFields, stableHash } from './hashing.js';
import type { LinkRef } from './links.js';
import { allMenus } from './menus.js';
import { eachRequest, result } from './outcomes.js';

/**
 * Menu items, known by their menu's slug and position. An item points at a
 * migrated post, page, category or tag (its target id through `resolve`),
 * or is a custom link (rewritten when it points into the source site).
 * Nested items name their parent item; a parent not written yet comes in
 * the engine's second pass. An item whose object was not migrated stays a
 * custom link to the source until it is.
 */

export const menuItemType: ObjectTypeSpec = {
  name: 'menu-item',
  label: 'Menu items',
  naturalKey: 'menu slug + position',
  dependsOn: ['menu', 'post', 'page', 'category', 'tag', 'media'],
  references: { menus: 'menu', parent: 'menu-item', object_id: 'post, page, category, tag or media' },
  neverCarried: ['items pointing at other post types or taxonomies (carried as custom links)'],
  deletable: true,
  batchSize: 20,
};

export interface MenuItemData {
  id: number;
  title: string;
  type: string;
  status: string;
  parent: number;
  attr_title: string;
  classes: string[];
  description: string;
  menu_order: number;
  object: string;
  object_id: number;
  target: string;
  url: string;
  xfn: string[];
  menu: number;
  invalid: boolean;
  links: LinkRef[];
}

/** A menu item as the REST API gives it (context edit); inspect reads the same shape. */
export const menuItemRowSchema = z.object({
  id: z.number(),
  title: z.object({ raw: z.string().default('') }).partial().default({}),
  type: z.string().default('custom'),
  status: z.string().default('publish'),
  parent: z.number().default(0),
  attr_title: z.string().default(''),
  classes: z.array(z.string()).default([]),
  description: z.string().default(''),
  menu_order: z.number().default(0),
  object: z.string().default('custom'),
  object_id: z.number().default(0),
  target: z.string().default(''),
  url: z.string().default(''),
  xfn: z.array(z.string()).default([]),
  menus: z.number().default(0),
  /** WordPress's own word: the post or term the item points at no longer exists (or is in the trash). */
  invalid: z.boolean().default(false),
});
type ItemRow = z.infer<typeof menuItemRowSchema>;

const FIELDS = 'id,title,type,status,parent,attr_title,classes,description,menu_order,object,object_id,target,url,xfn,menus,invalid';
const SEPARATOR = '#';

/** The Ferry type an item's object belongs to. */
function objectType(row: { type: string; object: string }): string | undefined {
  if (row.type === 'post_type') return row.object === 'post' ? 'post' : row.object === 'page' ? 'page' : row.object === 'attachment' ? 'media' : undefined;
  if (row.type === 'taxonomy') return row.object === 'category' ? 'category' : row.object === 'post_tag' ? 'tag' : undefined;
  return undefined;
}

export async function* readMenuItems(ctx: WpContext, options: { signal: AbortSignal; cursor?: string }): AsyncGenerator<ReadPage> {
  const slugs = await menuSlugs(ctx, options.signal);
  const startPage = options.cursor ? Number(options.cursor) : 1;
  const query = { context: 'edit', orderby: 'id', order: 'asc', _fields: FIELDS };
  for await (const page of ctx.api.pages('wp/v2/menu-items', { signal: options.signal, query, startPage, what: 'listing menu items' })) {
    const items = z.array(menuItemRowSchema).parse(page.items).map((row) => itemHeader(row, slugs.get(row.menus) ?? `menu-${row.menus}`));
    yield page.page < page.totalPages ? { items, cursor: String(page.page + 1) } : { items };
  }
}

export async function loadMenuItems(ctx: WpContext, headers: ItemHeader[], signal: AbortSignal): Promise<SourceItem<MenuItemData>[]> {
  const rows = await itemsById(ctx, headers.map((h) => Number(h.sourceId)), signal);
  const slugs = await menuSlugs(ctx, signal);
  const out: SourceItem<MenuItemData>[] = [];
  for (const header of headers) {
    const row = rows.get(Number(header.sourceId));
    if (!row) throw new ConnectorError(`Menu item "${header.label}" is no longer on the source`, { kind: 'not_found' });
    const extracted = row.type === 'custom' ? await ctx.sourceLinks.extract([row.url], signal) : { links: [], refs: [] };
    const refs: ItemRef[] = [{ type: 'menu', sourceId: String(row.menus) }, ...extracted.refs];
    if (row.parent > 0) refs.push({ type: 'menu-item', sourceId: String(row.parent) });
    const type = objectType(row);
    if (type && row.object_id > 0 && !dangling(row)) refs.push({ type, sourceId: String(row.object_id) });
    const data: MenuItemData = { ...row, title: row.title.raw ?? '', menu: row.menus, links: extracted.links };
    out.push({ ...itemHeader(row, slugs.get(row.menus) ?? `menu-${row.menus}`), refs, data });
  }
  return out;
}

export async function lookupMenuItems(ctx: WpContext, keys: string[], signal: AbortSignal): Promise<Map<string, TargetRef>> {
  const found = new Map<string, TargetRef>();
  const menus = await allMenus(ctx, signal);
  for (const menu of menus) {
    const wanted = keys.filter((k) => k.startsWith(`${menu.slug}${SEPARATOR}`));
    if (wanted.length === 0) continue;
    for (const row of await itemsOfMenu(ctx, menu.id, signal)) {
      const key = `${menu.slug}${SEPARATOR}${row.menu_order}`;
      if (wanted.includes(key) && !found.has(key)) found.set(key, { targetId: String(row.id), version: itemVersion(row) });
    }
  }
  return found;
}

export async function writeMenuItems(ctx: WpContext, requests: WriteRequest[], signal: AbortSignal): Promise<WriteOutcome[]> {
  return eachRequest('menu-item', requests, signal, (request) => writeItem(ctx, request, signal));
}

export async function removeMenuItem(ctx: WpContext, target: TargetRef, signal: AbortSignal): Promise<RemoveResult> {
  const row = (await itemsById(ctx, [Number(target.targetId)], signal)).get(Number(target.targetId));
  if (!row) return 'gone';
  if (target.version !== undefined && itemVersion(row) !== target.version) return 'changed';
  await ctx.api.delete(`wp/v2/menu-items/${row.id}`, { signal, query: { force: true }, what: `deleting menu item ${row.id}` });
  return 'removed';
}

async function writeItem(ctx: WpContext, request: WriteRequest, signal: AbortSignal): Promise<WriteResult> {
  const item = request.item as SourceItem<MenuItemData>;
  const data = item.data;
  const menu = request.resolve({ type: 'menu', sourceId: String(data.menu) });
  if (menu === undefined) throw new ConnectorError(`The menu of item "${item.label}" was not migrated`, { kind: 'data', hint: 'Include menus in the plan.' });
  const deferred: ItemRef[] = [];
  let parent = 0;
  if (data.parent > 0) {
    const ref = { type: 'menu-item', sourceId: String(data.parent) };
    const resolved = request.resolve(ref);
    if (resolved === undefined) deferred.push(ref);
    else parent = Number(resolved);
  }
  const desired: Record<string, unknown> = {
    title: data.title,
    status: data.status,
    parent,
    attr_title: data.attr_title,
    classes: clean(data.classes),
    description: data.description,
    menu_order: data.menu_order,
    target: data.target,
    xfn: clean(data.xfn),
    menus: Number(menu),
  };
  const warnings: string[] = [];
  const type = objectType(data);
  const objectRef = type && data.object_id > 0 ? { type, sourceId: String(data.object_id) } : undefined;
  const objectId = objectRef ? request.resolve(objectRef) : undefined;
  if (dangling(data)) {
    // The REST API checks that the object exists only when `object` is not given; with it, the
    // item is stored as on the source: pointing at nothing (object_id 0), shown as invalid.
    warnings.push(`Menu item "${item.label}" points at a ${data.object} that no longer exists on the source; it was carried as it is (WordPress marks it invalid). Fix or remove it in Appearance → Menus.`);
    Object.assign(desired, { type: data.type, object: data.object, object_id: 0 });
  } else if (objectRef && objectId !== undefined) {
    Object.assign(desired, { type: data.type, object: data.object, object_id: Number(objectId) });
  } else {
    // A custom link, or an object that is not (yet) on the target: link to where it is.
    const rewritten = await ctx.targetLinks.rewrite({ url: data.url }, data.links, request.resolve, signal);
    deferred.push(...rewritten.deferred);
    if (objectRef) deferred.push(objectRef);
    if (data.type !== 'custom' && !objectRef) warnings.push(`Menu item "${item.label}" points at a ${data.object}, which Ferry does not migrate; it became a custom link to ${data.url}.`);
    Object.assign(desired, { type: 'custom', object: 'custom', url: rewritten.texts.url });
  }
  const current = request.mode === 'update' && request.existing ? (await itemsById(ctx, [Number(request.existing.targetId)], signal)).get(Number(request.existing.targetId)) : undefined;
  if (current) {
    const changed = changedFields(desired, { ...itemState(current) });
    if (changed.length === 0) return result({ targetId: String(current.id), outcome: 'unchanged', version: itemVersion(current), deferred, warnings });
    const row = await save(ctx, `wp/v2/menu-items/${current.id}`, { ...Object.fromEntries(changed.map((k) => [k, desired[k]])), menus: desired.menus, type: desired.type }, `updating menu item "${item.label}"`, signal, true);
    return result({ targetId: String(row.id), outcome: 'updated', version: itemVersion(row), deferred, warnings });
  }
  const row = await save(ctx, 'wp/v2/menu-items', desired, `creating menu item "${item.label}"`, signal, false);
  return result({ targetId: String(row.id), outcome: 'created', version: itemVersion(row), deferred, warnings });
}

async function save(ctx: WpContext, route: string, body: Record<string, unknown>, what: string, signal: AbortSignal, retry: boolean): Promise<ItemRow> {
  return menuItemRowSchema.parse(await ctx.api.post(route, body, { signal, query: { context: 'edit', _fields: FIELDS }, what, retry }));
}

async function itemsById(ctx: WpContext, ids: number[], signal: AbortSignal): Promise<Map<number, ItemRow>> {
  const out = new Map<number, ItemRow>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 100) {
    const rows = await ctx.api.get('wp/v2/menu-items', { signal, query: { include: unique.slice(i, i + 100), per_page: 100, context: 'edit', _fields: FIELDS }, what: 'reading menu items' });
    for (const row of z.array(menuItemRowSchema).parse(rows)) out.set(row.id, row);
  }
  return out;
}

async function itemsOfMenu(ctx: WpContext, menuId: number, signal: AbortSignal): Promise<ItemRow[]> {
  return z.array(menuItemRowSchema).parse(await ctx.api.all('wp/v2/menu-items', { signal, query: { menus: menuId, context: 'edit', _fields: FIELDS }, what: `listing the items of menu ${menuId}` }));
}

async function menuSlugs(ctx: WpContext, signal: AbortSignal): Promise<Map<number, string>> {
  return new Map((await allMenus(ctx, signal)).map((m) => [m.id, m.slug]));
}

/** An item whose post or term is gone: WordPress keeps it, invalid and without an address. */
function dangling(row: { type: string; invalid: boolean; url: string }): boolean {
  return row.type !== 'custom' && row.invalid && row.url === '';
}

/** WordPress shows "no classes" as [""]. */
function clean(list: string[]): string[] {
  return list.filter((s) => s !== '');
}

function itemState(row: ItemRow): Record<string, unknown> {
  return {
    title: row.title.raw ?? '',
    status: row.status,
    parent: row.parent,
    attr_title: row.attr_title,
    classes: clean(row.classes),
    description: row.description,
    menu_order: row.menu_order,
    target: row.target,
    xfn: clean(row.xfn),
    menus: row.menus,
    type: row.type,
    object: row.object,
    ...(row.type === 'custom' ? { url: row.url } : { object_id: row.object_id }),
  };
}

function itemVersion(row: ItemRow): string {
  return stableHash(itemState(row));
}

function itemHeader(row: ItemRow, menuSlug: string): ItemHeader {
  return {
    type: 'menu-item',
    sourceId: String(row.id),
    key: `${menuSlug}${SEPARATOR}${row.menu_order}`,
    label: `${menuSlug}: ${row.title.raw || row.url || row.object}`,
    hash: stableHash({ ...itemState(row), url: row.url, object_id: row.object_id, menuSlug }),
  };
}
