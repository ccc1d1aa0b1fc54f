import pLimit, { type LimitFunction } from 'p-limit';
import { z } from 'zod';
import type { Identity, Inventory, TypeInventory } from '../../sdk/connector.js';
import type { MwContext } from './context.js';
import { notCarriedKinds, reservedAccounts } from './not-carried.js';
import { isReservedUserName } from './reserved-names.js';
import { IMPLICIT_GROUPS, fetchSiteInfo, pageNamespaces } from './site-info.js';

/**
 * check (who and what is this wiki) and discover (what does it hold). The
 * details feed the other side's prechecks: namespaces in use, limits,
 * groups and extensions.
 */

/** `Inventory.details` of a MediaWiki. */
export interface MediaWikiInventoryDetails {
  namespaces: Array<{ id: number; name: string; content: boolean; pages: number }>;
  /** $wgMaxUploadSize in bytes. */
  maxUploadSize: number;
  extensions: string[];
  /** Groups the wiki defines, without the implicit '*', 'user', 'autoconfirmed'. */
  groups: string[];
  /** Members per explicit group. */
  groupMembers: Record<string, number>;
  largestFile?: { name: string; size: number };
}

export const inventoryDetailsSchema = z.object({
  namespaces: z.array(z.object({ id: z.number(), name: z.string(), content: z.boolean().default(false), pages: z.number().optional() })).default([]),
  maxUploadSize: z.number().default(0),
  extensions: z.array(z.string()).default([]),
  groups: z.array(z.string()).default([]),
  groupMembers: z.record(z.string(), z.number()).default({}),
  largestFile: z.object({ name: z.string(), size: z.number() }).optional(),
});

export interface AccountInfo {
  name: string;
  rights: string[];
  groups: string[];
  /** Groups this account may add to other users. */
  canAdd: string[];
}

export async function accountInfo(ctx: MwContext, signal: AbortSignal): Promise<AccountInfo> {
  const result = await ctx.api.get({ action: 'query', meta: 'userinfo', uiprop: ['rights', 'groups', 'changeablegroups'] }, signal, 'reading the account');
  const info = z
    .object({
      name: z.string(),
      rights: z.array(z.string()).default([]),
      groups: z.array(z.string()).default([]),
      changeablegroups: z.object({ add: z.array(z.string()).default([]) }).optional(),
    })
    .parse((result.query as Record<string, unknown> | undefined)?.userinfo);
  return { name: info.name, rights: info.rights, groups: info.groups, canAdd: info.changeablegroups?.add ?? [] };
}

/** Logs in afresh and reports the instance's identity and the account's rights. */
export async function checkWiki(ctx: MwContext, signal: AbortSignal): Promise<Identity> {
  await ctx.api.login(signal);
  const site = await fetchSiteInfo(ctx.api, signal);
  const account = await accountInfo(ctx, signal);
  return {
    platform: 'mediawiki',
    instanceId: await wikiInstanceId(ctx, signal),
    version: site.version,
    siteName: site.siteName,
    host: site.server,
    account: account.name,
    rights: account.rights,
    details: {
      apiUrl: ctx.api.apiUrl,
      language: site.lang,
      database: site.dbType,
      maxUploadSize: site.maxUploadSize,
    },
  };
}

/**
 * The wiki id plus the registration time of user 1 (the installer's account):
 * a wiki installed afresh at the same URL gets a new one. Pages are no good
 * here, since an import carries their old timestamps.
 */
async function wikiInstanceId(ctx: MwContext, signal: AbortSignal): Promise<string> {
  const result = await ctx.api.get({ action: 'query', meta: 'siteinfo', siprop: 'general', list: 'users', ususerids: 1, usprop: 'registration' }, signal, 'reading the wiki\'s identity');
  const query = result.query as { general?: { wikiid?: string }; users?: Array<{ registration?: string | null }> } | undefined;
  return `${query?.general?.wikiid ?? ''}/${query?.users?.[0]?.registration ?? ''}`;
}

/** Listing requests of one discovery at a time. */
const DISCOVERY_READS = 4;

export async function discoverWiki(ctx: MwContext, signal: AbortSignal): Promise<Inventory> {
  const site = await ctx.site(signal);
  // The listings do not depend on each other: a few at a time (a wiki has about 20 namespaces, listed twice
  // with the protections), where one after the other they were most of a discovery's time.
  const limit = pLimit(DISCOVERY_READS);
  const namespacesP = Promise.all(
    pageNamespaces(site).map((ns) =>
      limit(async () => {
        let pages = 0;
        for await (const batch of ctx.api.query({ list: 'allpages', apnamespace: ns.id, aplimit: 'max' }, signal)) {
          pages += Array.isArray(batch.query.allpages) ? batch.query.allpages.length : 0;
        }
        return { id: ns.id, name: ns.name, content: ns.content, pages };
      }),
    ),
  );
  const usersP = limit(() => userCounts(ctx, signal));
  const notCarriedP = notCarriedKinds(ctx, signal, limit);
  const filesP = limit(() => fileCounts(ctx, signal));
  const lastEditP = limit(() => lastChange(ctx, signal));
  for (const p of [namespacesP, usersP, notCarriedP, filesP, lastEditP]) p.catch(() => undefined);
  const namespaces: MediaWikiInventoryDetails['namespaces'] = await namespacesP;
  const users = await usersP;
  const notCarried = [...reservedAccounts(users.reserved), ...(await notCarriedP)];
  const files = await filesP;
  const lastEdit = await lastEditP;
  const types: TypeInventory[] = [
    { type: 'user', count: users.count, ...(users.lastRegistration ? { lastModified: users.lastRegistration } : {}) },
    { type: 'page', count: namespaces.reduce((n, ns) => n + ns.pages, 0), ...(lastEdit ? { lastModified: lastEdit } : {}) },
    { type: 'file', count: files.count, ...(files.lastUpload ? { lastModified: files.lastUpload } : {}) },
  ];
  const details: MediaWikiInventoryDetails = {
    namespaces,
    maxUploadSize: site.maxUploadSize,
    extensions: site.extensions,
    groups: site.groups.filter((g) => !IMPLICIT_GROUPS.has(g)),
    groupMembers: users.groupMembers,
    ...(files.largest ? { largestFile: files.largest } : {}),
  };
  return { types, notCarried, details: details as unknown as Record<string, unknown> };
}

async function userCounts(ctx: MwContext, signal: AbortSignal) {
  let count = 0;
  let lastRegistration: string | undefined;
  const groupMembers: Record<string, number> = {};
  const reserved: string[] = [];
  const row = z.object({ name: z.string(), groups: z.array(z.string()).default([]), registration: z.string().nullable().optional() });
  for await (const batch of ctx.api.query({ list: 'allusers', auprop: ['groups', 'registration'], aulimit: 'max' }, signal)) {
    for (const user of z.array(row).parse(batch.query.allusers ?? [])) {
      // Not listed by the user step: counted apart, as not carried.
      if (isReservedUserName(user.name)) {
        reserved.push(user.name);
        continue;
      }
      count++;
      if (user.registration && (!lastRegistration || user.registration > lastRegistration)) lastRegistration = user.registration;
      for (const group of user.groups.filter((g) => !IMPLICIT_GROUPS.has(g))) groupMembers[group] = (groupMembers[group] ?? 0) + 1;
    }
  }
  return { count, reserved, groupMembers, ...(lastRegistration ? { lastRegistration } : {}) };
}

async function fileCounts(ctx: MwContext, signal: AbortSignal) {
  let count = 0;
  let lastUpload: string | undefined;
  let largest: { name: string; size: number } | undefined;
  const row = z.object({ name: z.string(), size: z.number().default(0), timestamp: z.string().default('') });
  for await (const batch of ctx.api.query({ list: 'allimages', aiprop: ['size', 'timestamp'], ailimit: 'max' }, signal)) {
    for (const file of z.array(row).parse(batch.query.allimages ?? [])) {
      count++;
      if (!lastUpload || file.timestamp > lastUpload) lastUpload = file.timestamp;
      if (!largest || file.size > largest.size) largest = { name: file.name.replace(/_/g, ' '), size: file.size };
    }
  }
  return { count, ...(lastUpload ? { lastUpload } : {}), ...(largest ? { largest } : {}) };
}

async function lastChange(ctx: MwContext, signal: AbortSignal): Promise<string | undefined> {
  const result = await ctx.api.get({ action: 'query', list: 'recentchanges', rcprop: 'timestamp', rclimit: 1 }, signal, 'reading recent changes');
  const changes = z.array(z.object({ timestamp: z.string() })).parse((result.query as Record<string, unknown> | undefined)?.recentchanges ?? []);
  return changes[0]?.timestamp;
}
