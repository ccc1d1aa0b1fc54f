import { z } from 'zod';
import type { ItemHeader, ItemRef, ObjectTypeSpec, PostAction, ReadPage, SourceItem, TargetRef, WriteOutcome, WriteRequest, WriteResult } from '../../sdk/connector.js';
import type { WpContext } from './context.js';
import { changedFields, stableHash } from './hashing.js';
import { eachRequest, result } from './outcomes.js';

/**
 * Site settings, as one item: the ones /wp/v2/settings exposes and that
 * describe the content rather than the installation (not the site address
 * or the admin e-mail). The front page and posts page are page ids and the
 * default category a category id, resolved like any reference.
 *
 * Settings are written first, before any dated content: WordPress stores
 * each post's and comment's local date too, computed with the time zone in
 * force when it is written.
 *
 * Every site has settings, so "already on the target" says nothing: lookup
 * never finds this item and the engine always writes it (the target's
 * values are replaced). Undo cannot take settings back.
 */

export const settingsType: ObjectTypeSpec = {
  name: 'settings',
  label: 'Site settings',
  naturalKey: 'the site (one item)',
  // First: the time zone turns every GMT date Ferry writes into the site's local one.
  // The front page and default category come in the engine's second pass.
  dependsOn: [],
  references: { page_on_front: 'page', page_for_posts: 'page', default_category: 'category' },
  neverCarried: ['site address and admin e-mail', 'a UTC offset without a named time zone (gmt_offset is not in the REST API)', 'settings outside /wp/v2/settings (permalinks, discussion, media sizes)'],
  deletable: false,
  batchSize: 1,
};

const SETTINGS_ID = 'settings';

export const settingsRowSchema = z.object({
  title: z.string().default(''),
  description: z.string().default(''),
  timezone: z.string().default(''),
  date_format: z.string().default(''),
  time_format: z.string().default(''),
  start_of_week: z.number().default(1),
  language: z.string().optional(),
  use_smilies: z.boolean().nullable().default(true).transform((v) => v === true),
  default_category: z.number().default(1),
  default_post_format: z.string().default('0'),
  posts_per_page: z.number().default(10),
  show_on_front: z.string().default('posts'),
  page_on_front: z.number().default(0),
  page_for_posts: z.number().default(0),
  default_ping_status: z.string().default('open'),
  default_comment_status: z.string().default('open'),
});
type SettingsRow = z.infer<typeof settingsRowSchema>;

/** The payload of the settings item. */
export interface SettingsData extends Omit<SettingsRow, 'language'> {
  /** The source's UTC offset in hours, for a site that has no named time zone. */
  gmtOffset: number;
}

export async function* readSettings(ctx: WpContext, options: { signal: AbortSignal; cursor?: string }): AsyncGenerator<ReadPage> {
  const data = await sourceSettings(ctx, options.signal);
  yield { items: [settingsHeader(data)] };
}

export async function loadSettings(ctx: WpContext, headers: ItemHeader[], signal: AbortSignal): Promise<SourceItem<SettingsData>[]> {
  const data = await sourceSettings(ctx, signal);
  const refs: ItemRef[] = [];
  if (data.page_on_front > 0) refs.push({ type: 'page', sourceId: String(data.page_on_front) });
  if (data.page_for_posts > 0) refs.push({ type: 'page', sourceId: String(data.page_for_posts) });
  if (data.default_category > 0) refs.push({ type: 'category', sourceId: String(data.default_category) });
  return headers.map(() => ({ ...settingsHeader(data), refs, data }));
}

export async function lookupSettings(): Promise<Map<string, TargetRef>> {
  return new Map();
}

export async function writeSettings(ctx: WpContext, requests: WriteRequest[], signal: AbortSignal): Promise<WriteOutcome[]> {
  return eachRequest('settings', requests, signal, (request) => writeOne(ctx, request, signal));
}

async function writeOne(ctx: WpContext, request: WriteRequest, signal: AbortSignal): Promise<WriteResult> {
  const item = request.item as SourceItem<SettingsData>;
  const { gmtOffset, ...data } = item.data;
  const deferred: ItemRef[] = [];
  const actions: PostAction[] = [];
  const page = (id: number): number => {
    if (id <= 0) return 0;
    const ref = { type: 'page', sourceId: String(id) };
    const target = request.resolve(ref);
    if (target === undefined) deferred.push(ref);
    return target === undefined ? 0 : Number(target);
  };
  const current = settingsRowSchema.parse(await ctx.api.get('wp/v2/settings', { signal, what: 'reading the settings' }));
  const categoryRef = { type: 'category', sourceId: String(data.default_category) };
  const category = data.default_category > 0 ? request.resolve(categoryRef) : undefined;
  if (data.default_category > 0 && category === undefined) deferred.push(categoryRef);
  const desired: Record<string, unknown> = {
    ...data,
    page_on_front: page(data.page_on_front),
    page_for_posts: page(data.page_for_posts),
    default_category: category === undefined ? current.default_category : Number(category),
  };
  if (!data.timezone && gmtOffset !== 0) {
    actions.push({ code: 'settings-utc-offset', message: `The source uses a UTC offset of ${gmtOffset} h instead of a named time zone; the REST API cannot set it. Set it under Settings → General on the target.`, type: 'settings', sourceId: SETTINGS_ID, label: item.label });
    delete desired.timezone;
  }
  if (desired.show_on_front === 'page' && desired.page_on_front === 0) desired.show_on_front = current.show_on_front;
  const changed = changedFields(desired, current);
  if (changed.length === 0) return result({ targetId: SETTINGS_ID, outcome: 'unchanged', version: stableHash(current), deferred, actions });
  const row = settingsRowSchema.parse(await ctx.api.post('wp/v2/settings', Object.fromEntries(changed.map((k) => [k, desired[k]])), { signal, what: 'updating the settings' }));
  return result({ targetId: SETTINGS_ID, outcome: 'updated', version: stableHash(row), deferred, actions });
}

async function sourceSettings(ctx: WpContext, signal: AbortSignal): Promise<SettingsData> {
  const row = settingsRowSchema.parse(await ctx.api.get('wp/v2/settings', { signal, what: 'reading the settings' }));
  const { index } = await ctx.api.root(signal);
  const { language: _language, ...rest } = row;
  return { ...rest, gmtOffset: index.gmtOffset };
}

function settingsHeader(data: SettingsData): ItemHeader {
  return { type: 'settings', sourceId: SETTINGS_ID, key: SETTINGS_ID, label: `Settings of "${data.title}"`, hash: stableHash(data) };
}
