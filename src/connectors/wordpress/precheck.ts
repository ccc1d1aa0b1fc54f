import { z } from 'zod';
import type { Finding, PrecheckContext } from '../../sdk/connector.js';
import { ConnectorError } from '../../sdk/errors.js';
import type { WpContext } from './context.js';
import { emailHash, inventoryDetailsSchema, readAccount } from './inventory.js';
import { formatSize } from './media-write.js';
import { targetLocations } from './menus.js';

/**
 * Pre-migration checks this site can answer. Both sides: the account is an
 * administrator. As the target: plugins and theme the source uses, menu
 * locations, e-mail addresses that already belong to other accounts, and
 * the largest file against an upload limit learnt in this session (the REST
 * API does not reveal PHP's). A non-empty target is fine: the conflict
 * policy decides.
 */

export async function precheckSite(ctx: WpContext, context: PrecheckContext, signal: AbortSignal): Promise<Finding[]> {
  const findings: Finding[] = [];
  const account = await readAccount(ctx, signal);
  if (!account.roles.includes('administrator')) {
    findings.push({
      level: 'error',
      code: 'rights-missing',
      message: `The account "${account.username}" is not an administrator of the ${context.role} site (roles: ${account.roles.join(', ') || 'none'}).`,
      hint: 'Use an administrator account and an Application Password of it.',
    });
  }
  if (context.role === 'source') return findings;
  const parsed = context.otherInventory ? inventoryDetailsSchema.safeParse(context.otherInventory.details) : undefined;
  const source = parsed?.success ? parsed.data : undefined;
  const selected = new Set(context.selectedTypes);
  if (source) {
    findings.push(...(await pluginFindings(ctx, source.activePlugins, signal)));
    findings.push(...(await themeFindings(ctx, source.theme, signal)));
    if (selected.has('user')) findings.push(...(await emailFindings(ctx, source.userEmails, signal)));
    if (selected.has('menu')) findings.push(...(await locationFindings(ctx, source.usedMenuLocations, signal)));
    if (!selected.has('settings')) findings.push(...(await timezoneFindings(ctx, source, signal)));
  }
  if (selected.has('media')) {
    const largest = context.largestItem.media ?? (source?.largestMedia ? { label: source.largestMedia.name, sizeBytes: source.largestMedia.size } : undefined);
    const refused = ctx.limits.refusedBytes;
    if (largest?.sizeBytes !== undefined && refused !== undefined && largest.sizeBytes >= refused) {
      findings.push({
        level: 'warning',
        code: 'file-too-large',
        message: `"${largest.label}" is ${formatSize(largest.sizeBytes)}; the target refused an upload of ${formatSize(refused)}, so it (and any file that large) will fail.`,
        hint: "Raise upload_max_filesize and post_max_size in the target's php.ini.",
      });
    }
  }
  return findings;
}

async function pluginFindings(ctx: WpContext, sourcePlugins: Array<{ plugin: string; name: string }> | null, signal: AbortSignal): Promise<Finding[]> {
  if (!sourcePlugins || sourcePlugins.length === 0) return [];
  let active: Set<string>;
  try {
    const rows = z.array(z.object({ plugin: z.string(), status: z.string() })).parse(await ctx.api.get('wp/v2/plugins', { signal, what: 'listing the target plugins' }));
    active = new Set(rows.filter((r) => r.status !== 'inactive').map((r) => r.plugin));
  } catch (error) {
    if (error instanceof ConnectorError && (error.kind === 'auth' || error.kind === 'not_found')) return [];
    throw error;
  }
  const missing = sourcePlugins.filter((p) => !active.has(p.plugin));
  if (missing.length === 0) return [];
  return [{
    level: 'warning',
    code: 'plugin-missing',
    message: `Plugins active on the source are not active on the target: ${missing.map((p) => `${p.name || p.plugin} (${p.plugin})`).join(', ')}. Their shortcodes, blocks and data may not work there.`,
    hint: 'Install and activate them on the target before the run, or check the migrated content afterwards.',
  }];
}

async function themeFindings(ctx: WpContext, sourceTheme: string | undefined, signal: AbortSignal): Promise<Finding[]> {
  if (!sourceTheme) return [];
  const rows = await ctx.api.get('wp/v2/themes', { signal, query: { status: 'active' }, what: 'reading the target theme' }).catch(() => []);
  const theme = z.array(z.object({ stylesheet: z.string() })).safeParse(rows);
  const target = theme.success ? theme.data[0]?.stylesheet : undefined;
  if (!target || target === sourceTheme) return [];
  return [{
    level: 'warning',
    code: 'theme-differs',
    message: `The source uses the theme "${sourceTheme}", the target "${target}": page templates and menu locations of the source's theme may be missing.`,
    hint: 'Activate the same theme on the target for a faithful copy.',
  }];
}

async function emailFindings(ctx: WpContext, sourceEmails: Array<{ login: string; emailSha1: string }>, signal: AbortSignal): Promise<Finding[]> {
  const logins = new Map(sourceEmails.map((u) => [u.emailSha1, u.login]));
  const clashes: string[] = [];
  const row = z.object({ username: z.string(), email: z.string().default('') });
  for await (const page of ctx.api.pages('wp/v2/users', { signal, query: { context: 'edit', _fields: 'username,email' }, what: 'listing the target users' })) {
    for (const user of z.array(row).parse(page.items)) {
      const login = logins.get(emailHash(user.email));
      if (login !== undefined && login.toLowerCase() !== user.username.toLowerCase()) clashes.push(`"${login}" (source) and "${user.username}" (target)`);
    }
  }
  if (clashes.length === 0) return [];
  return [{
    level: 'warning',
    code: 'user-email-collision',
    message: `${clashes.length} source user(s) share an e-mail address with a target account of another login: ${clashes.slice(0, 10).join(', ')}${clashes.length > 10 ? ', …' : ''}. Each is adopted as that target account (WordPress allows one account per address).`,
    hint: 'Map them in the plan (users.map) if that is not what you want.',
  }];
}

async function locationFindings(ctx: WpContext, used: string[], signal: AbortSignal): Promise<Finding[]> {
  if (used.length === 0) return [];
  const available = await targetLocations(ctx, signal).catch(() => new Set<string>());
  const missing = used.filter((l) => !available.has(l));
  if (missing.length === 0) return [];
  return [{
    level: 'warning',
    code: 'menu-location-missing',
    message: `Menu locations used on the source do not exist on the target's theme: ${missing.join(', ')}. The menus are migrated but not placed there.`,
    hint: 'Activate the source\'s theme on the target, or place the menus by hand after the run.',
  }];
}

/**
 * WordPress stores each post's and comment's local date beside the GMT one,
 * computed with the target's time zone when Ferry writes it. Without the
 * settings step (which carries the time zone first), a different zone
 * shifts every local date.
 */
async function timezoneFindings(ctx: WpContext, source: { timezone: string; gmtOffset: number }, signal: AbortSignal): Promise<Finding[]> {
  const { index } = await ctx.api.root(signal);
  if (index.timezone === source.timezone && index.gmtOffset === source.gmtOffset) return [];
  const zone = (tz: string, offset: number) => tz || `UTC${offset >= 0 ? '+' : ''}${offset}`;
  return [{
    level: 'warning',
    code: 'timezone-differs',
    message: `The source's time zone is ${zone(source.timezone, source.gmtOffset)}, the target's ${zone(index.timezone, index.gmtOffset)}, and the plan leaves out the settings: local dates of posts and comments will show in the target's zone.`,
    hint: 'Include the settings type, or set the target\'s time zone (Settings → General) to the source\'s before the run.',
  }];
}
