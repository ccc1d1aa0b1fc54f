import { z } from 'zod';
import type { InspectedItem } from '../../sdk/connector.js';
import type { WpContext } from './context.js';
import { byIds, ref } from './inspect-read.js';
import { InspectLinks } from './inspect-links.js';
import { settingsRowSchema } from './settings.js';
import { menuItemRowSchema } from './menu-items.js';
import { userRowSchema } from './users.js';

/**
 * `inspect` of users, terms, menus, menu items and the settings (see
 * inspect.ts for what is left out and why).
 */


export async function inspectUsers(ctx: WpContext, ids: number[], signal: AbortSignal): Promise<Map<string, InspectedItem>> {
  const rows = z.array(userRowSchema).parse(await byIds(ctx, 'wp/v2/users', ids, { _fields: 'id,username,email,name,first_name,last_name,nickname,url,description,slug,roles,locale' }, signal));
  return new Map(
    rows.map((row) => {
      const { id, roles, ...fields } = row;
      return [String(id), { id: String(id), fields: { ...fields, roles: [...roles].sort() } }];
    }),
  );
}

const termSchema = z.object({ id: z.number(), name: z.string(), slug: z.string(), description: z.string().default(''), parent: z.number().default(0) });

export async function inspectTerms(ctx: WpContext, taxonomy: 'category' | 'tag', ids: number[], signal: AbortSignal): Promise<Map<string, InspectedItem>> {
  const route = taxonomy === 'tag' ? 'wp/v2/tags' : 'wp/v2/categories';
  const rows = z.array(termSchema).parse(await byIds(ctx, route, ids, { hide_empty: false, _fields: taxonomy === 'tag' ? 'id,name,slug,description' : 'id,name,slug,description,parent' }, signal));
  const links = (ctx.inspectLinks ??= new InspectLinks(ctx.api));
  const out = new Map<string, InspectedItem>();
  for (const row of rows) {
    const fields: Record<string, unknown> = { name: row.name, slug: row.slug, description: await links.tokeniseOne(row.description, signal) };
    if (taxonomy === 'category') fields.parent = ref('category', row.parent);
    out.set(String(row.id), { id: String(row.id), fields });
  }
  return out;
}

const menuSchema = z.object({ id: z.number(), name: z.string(), slug: z.string(), description: z.string().default(''), locations: z.array(z.string()).default([]), auto_add: z.boolean().default(false) });

export async function inspectMenus(ctx: WpContext, ids: number[], signal: AbortSignal): Promise<Map<string, InspectedItem>> {
  const rows = z.array(menuSchema).parse(await byIds(ctx, 'wp/v2/menus', ids, { hide_empty: false, _fields: 'id,name,slug,description,locations,auto_add' }, signal));
  return new Map(rows.map(({ id, locations, ...fields }) => [String(id), { id: String(id), fields: { ...fields, locations: [...locations].sort() } }]));
}


const OBJECT_TYPES: Readonly<Record<string, string>> = { post: 'post', page: 'page', attachment: 'media', category: 'category', post_tag: 'tag' };

export async function inspectMenuItems(ctx: WpContext, ids: number[], signal: AbortSignal): Promise<Map<string, InspectedItem>> {
  const rows = z.array(menuItemRowSchema).parse(await byIds(ctx, 'wp/v2/menu-items', ids, { _fields: 'id,title,type,status,parent,attr_title,classes,description,menu_order,object,object_id,target,url,xfn,menus,invalid' }, signal));
  const links = (ctx.inspectLinks ??= new InspectLinks(ctx.api));
  const out = new Map<string, InspectedItem>();
  for (const row of rows) {
    const objectType = OBJECT_TYPES[row.object];
    // What the item leads to: a migrated object, a URL, or (WordPress's "invalid") nothing any more.
    const leadsTo =
      row.type === 'custom' ? { url: await links.tokeniseOne(row.url, signal) }
      : row.invalid && row.url === '' ? { missing: row.object }
      : objectType ? { object: ref(objectType, row.object_id) }
      : { other: `${row.type}:${row.object}` };
    out.set(String(row.id), {
      id: String(row.id),
      fields: {
        menu: ref('menu', row.menus),
        parent: ref('menu-item', row.parent),
        title: row.title.raw ?? '',
        status: row.status,
        type: row.type,
        ...leadsTo,
        attr_title: row.attr_title,
        classes: row.classes.filter((c) => c !== ''),
        xfn: row.xfn.filter((c) => c !== ''),
        description: row.description,
        menu_order: row.menu_order,
        target: row.target,
      },
    });
  }
  return out;
}

/** The settings Ferry carries (settings.ts), with the front page, posts page and default category as tokens. */
export async function inspectSettings(ctx: WpContext, _ids: number[], signal: AbortSignal): Promise<Map<string, InspectedItem>> {
  const row = settingsRowSchema.parse(await ctx.api.get('wp/v2/settings', { signal, what: 'reading the settings for verify' }));
  const { language: _language, page_on_front, page_for_posts, default_category, ...rest } = row;
  return new Map([
    ['settings', { id: 'settings', fields: { ...rest, page_on_front: ref('page', page_on_front), page_for_posts: ref('page', page_for_posts), default_category: ref('category', default_category) } }],
  ]);
}
