import { z } from 'zod';
import type { NotCarried } from '../../sdk/connector.js';
import { ConnectorError } from '../../sdk/errors.js';
import { hasWpCode } from './api-errors.js';
import { COMMENT_STATUSES } from './comments.js';
import type { WpContext } from './context.js';

/**
 * What a site holds that Ferry does not carry, for `Inventory.notCarried`:
 * block-theme objects (customised templates and template parts, global
 * styles, block navigation menus, reusable blocks), post types and
 * taxonomies of plugins, pingbacks and trackbacks, trashed posts and pages,
 * and the data of active plugins. Each entry names the REST call that
 * refuses (or lacks) the write, so the run's post-migration action can say
 * what a person must do instead.
 */

/** Post types Ferry carries, or reports below under their own kind. */
const KNOWN_TYPES = new Set(['post', 'page', 'attachment', 'nav_menu_item', 'wp_block', 'wp_template', 'wp_template_part', 'wp_navigation', 'wp_global_styles']);
/** Taxonomies Ferry carries (menus are the nav_menu taxonomy). */
const KNOWN_TAXONOMIES = new Set(['category', 'post_tag', 'nav_menu', 'wp_theme', 'wp_template_part_area']);

const typeSchema = z.object({ slug: z.string(), name: z.string().default(''), rest_base: z.string().default(''), rest_namespace: z.string().default('wp/v2') });
const titled = z.object({ id: z.union([z.number(), z.string()]), title: z.union([z.object({ raw: z.string().optional(), rendered: z.string().optional() }), z.string()]).optional(), slug: z.string().optional(), name: z.string().optional() });

interface Counted {
  count: number;
  examples: string[];
}

export async function findNotCarried(ctx: WpContext, signal: AbortSignal, activePlugins: Array<{ plugin: string; name: string }> | null): Promise<NotCarried[]> {
  const out: NotCarried[] = [];
  // The reads are independent: all started at once, awaited in order.
  const blocks = early(optional(() => countOf(ctx, 'wp/v2/blocks', { status: 'any' }, signal)));
  const navigation = early(optional(() => countOf(ctx, 'wp/v2/navigation', { status: 'any' }, signal)));
  const templates = early(optional(() => customTemplates(ctx, 'wp/v2/templates', signal)));
  const templateParts = early(optional(() => customTemplates(ctx, 'wp/v2/template-parts', signal)));
  const styles = early(optional(() => globalStyles(ctx, signal)));
  const pings = { pingback: early(commentsOfType(ctx, 'pingback', signal)), trackback: early(commentsOfType(ctx, 'trackback', signal)) };
  const trash = early(trashed(ctx, signal));
  const plugins = early(pluginTypes(ctx, signal));
  const add = (entry: Omit<NotCarried, 'count' | 'examples'>, counted: Counted | undefined) => {
    if (counted && counted.count > 0) out.push({ ...entry, ...counted });
  };
  add(
    { kind: 'wp_block', label: 'Reusable blocks (wp_block)', reason: 'Ferry does not carry reusable blocks yet, and posts that embed one (<!-- wp:block {"ref":N} /-->) keep the source id. Copy them by hand (Editor → Patterns, export/import as JSON) and fix the references.' },
    await blocks,
  );
  add(
    { kind: 'wp_navigation', label: 'Block navigation menus (wp_navigation)', reason: 'Ferry carries classic menus only; a Navigation block\'s menu (POST /wp/v2/navigation) holds block markup with the source\'s ids. Rebuild it in the Site Editor, or convert the classic menus there.' },
    await navigation,
  );
  add(
    { kind: 'wp_template', label: 'Customised block templates (wp_template)', reason: 'Templates edited in the Site Editor belong to the theme and are not carried (POST /wp/v2/templates would need the same theme on the target). Export them from the Site Editor (Tools → Export) and import on the target.' },
    await templates,
  );
  add(
    { kind: 'wp_template_part', label: 'Customised template parts (wp_template_part)', reason: 'Template parts edited in the Site Editor belong to the theme and are not carried. Export them from the Site Editor (Tools → Export) and import on the target.' },
    await templateParts,
  );
  add(
    { kind: 'wp_global_styles', label: 'Global styles (wp_global_styles)', reason: 'Styles chosen in the Site Editor are stored per theme and not carried. Apply them again on the target (Site Editor → Styles), or export the theme with its styles.' },
    await styles,
  );
  for (const type of ['pingback', 'trackback'] as const) {
    add(
      { kind: type, label: type === 'pingback' ? 'Pingbacks' : 'Trackbacks', reason: `The REST API creates comments of type "comment" only (POST /wp/v2/comments answers rest_invalid_comment_type for a ${type}). Use WordPress's own export (Tools → Export) and importer for them.` },
      await pings[type],
    );
  }
  add(
    { kind: 'trash', label: 'Posts and pages in the trash', reason: 'Trashed items are not carried (a deletion in progress). Restore them on the source first if they are wanted.' },
    await trash,
  );
  out.push(...(await plugins));
  if (activePlugins && activePlugins.length > 0) {
    out.push({
      kind: 'plugin-data',
      label: 'Data of active plugins',
      count: activePlugins.length,
      examples: activePlugins.slice(0, 5).map((p) => p.name || p.plugin),
      reason: 'Plugins keep settings, tables and meta the REST API does not expose; Ferry carries none of it. Install the plugins on the target and use their own export/import.',
    });
  }
  return out;
}

async function countOf(ctx: WpContext, route: string, query: Record<string, string>, signal: AbortSignal): Promise<Counted> {
  const page = await ctx.api.getPage(route, { signal, query: { ...query, per_page: 5, context: 'edit' }, what: `counting ${route}` });
  return { count: page.total, examples: page.items.map(label) };
}

/** Templates the Site Editor saved (source "custom"); the theme's own files are not the site's data. */
async function customTemplates(ctx: WpContext, route: string, signal: AbortSignal): Promise<Counted> {
  const rows = z.array(titled.extend({ source: z.string().default('theme') })).parse(await ctx.api.get(route, { signal, query: { context: 'edit' }, what: `listing ${route}` }));
  const custom = rows.filter((row) => row.source === 'custom');
  return { count: custom.length, examples: custom.slice(0, 5).map(label) };
}

/** The active theme's user styles, when anything was chosen in the Site Editor. */
async function globalStyles(ctx: WpContext, signal: AbortSignal): Promise<Counted | undefined> {
  const themes = z.array(z.object({ stylesheet: z.string(), _links: z.record(z.string(), z.array(z.object({ href: z.string() }))).default({}) })).parse(await ctx.api.get('wp/v2/themes', { signal, query: { status: 'active' }, what: 'reading the theme' }));
  const href = themes[0]?._links['wp:user-global-styles']?.[0]?.href;
  const id = href === undefined ? undefined : /global-styles\/(\d+)/.exec(href)?.[1];
  if (id === undefined) return undefined;
  const styles = z.object({ settings: z.unknown(), styles: z.unknown() }).parse(await ctx.api.get(`wp/v2/global-styles/${id}`, { signal, query: { context: 'edit' }, what: 'reading the global styles' }));
  const filled = (value: unknown) => value !== null && typeof value === 'object' && Object.keys(value).length > 0;
  return filled(styles.settings) || filled(styles.styles) ? { count: 1, examples: [`${themes[0]?.stylesheet ?? 'theme'} (post ${id})`] } : undefined;
}

async function commentsOfType(ctx: WpContext, type: string, signal: AbortSignal): Promise<Counted> {
  const out: Counted = { count: 0, examples: [] };
  for (const status of COMMENT_STATUSES) {
    const page = await ctx.api.getPage('wp/v2/comments', { signal, query: { type, status, per_page: 5, context: 'edit', _fields: 'id,author_name,post' }, what: `counting ${type}s` });
    out.count += page.total;
    for (const row of z.array(z.object({ id: z.number(), author_name: z.string().default(''), post: z.number().default(0) })).parse(page.items)) {
      if (out.examples.length < 5) out.examples.push(`${row.author_name || `${type} ${row.id}`} on post ${row.post}`);
    }
  }
  return out;
}

async function trashed(ctx: WpContext, signal: AbortSignal): Promise<Counted> {
  const posts = await countOf(ctx, 'wp/v2/posts', { status: 'trash' }, signal);
  const pages = await countOf(ctx, 'wp/v2/pages', { status: 'trash' }, signal);
  return { count: posts.count + pages.count, examples: [...posts.examples, ...pages.examples].slice(0, 5) };
}

/** Post types and taxonomies that plugins (or the theme) registered for the REST API. */
async function pluginTypes(ctx: WpContext, signal: AbortSignal): Promise<NotCarried[]> {
  const out: NotCarried[] = [];
  const types = z.record(z.string(), typeSchema).parse(normalise(await ctx.api.get('wp/v2/types', { signal, query: { context: 'edit' }, what: 'listing post types' })));
  for (const type of Object.values(types)) {
    if (KNOWN_TYPES.has(type.slug) || type.rest_base === '') continue;
    const counted = await optional(() => countOf(ctx, `${type.rest_namespace}/${type.rest_base}`, { status: 'any' }, signal));
    if (!counted || counted.count === 0) continue;
    out.push({
      kind: `post-type:${type.slug}`,
      label: `${type.name || type.slug} (custom post type)`,
      ...counted,
      reason: `Ferry carries posts, pages and media only; "${type.slug}" belongs to a plugin or theme. Install it on the target and use its export/import (or WordPress's Tools → Export).`,
    });
  }
  const taxonomies = z.record(z.string(), typeSchema).parse(normalise(await ctx.api.get('wp/v2/taxonomies', { signal, query: { context: 'edit' }, what: 'listing taxonomies' })));
  for (const taxonomy of Object.values(taxonomies)) {
    if (KNOWN_TAXONOMIES.has(taxonomy.slug) || taxonomy.rest_base === '') continue;
    const counted = await optional(() => countOf(ctx, `${taxonomy.rest_namespace}/${taxonomy.rest_base}`, { hide_empty: 'false' }, signal));
    if (!counted || counted.count === 0) continue;
    out.push({
      kind: `taxonomy:${taxonomy.slug}`,
      label: `${taxonomy.name || taxonomy.slug} (custom taxonomy)`,
      ...counted,
      reason: `Ferry carries categories and tags only; "${taxonomy.slug}" belongs to a plugin or theme. Install it on the target and recreate or import its terms.`,
    });
  }
  return out;
}

/** PHP writes an empty map as `[]`. */
function normalise(value: unknown): unknown {
  return Array.isArray(value) && value.length === 0 ? {} : value;
}

function label(row: unknown): string {
  const parsed = titled.safeParse(row);
  if (!parsed.success) return 'untitled';
  const title = typeof parsed.data.title === 'string' ? parsed.data.title : parsed.data.title?.raw ?? parsed.data.title?.rendered;
  return title || parsed.data.name || parsed.data.slug || `#${parsed.data.id}`;
}

/** A route the site lacks (an older WordPress, a plugin that hides it) counts as nothing to report. */
async function optional<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ConnectorError && (error.kind === 'not_found' || error.kind === 'auth' || hasWpCode(error, 'rest_no_route'))) return undefined;
    throw error;
  }
}

/** A read started now and awaited later: its failure is not unhandled meanwhile (the await still throws it). */
export function early<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
