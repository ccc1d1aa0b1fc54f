import pLimit, { type LimitFunction } from 'p-limit';
import { z } from 'zod';
import type { NotCarried } from '../../sdk/connector.js';
import { ConnectorError } from '../../sdk/errors.js';
import type { MwContext } from './context.js';
import { pageNamespaces } from './site-info.js';

/**
 * What a wiki holds that Ferry does not carry, counted through the API so a
 * run names it instead of leaving it behind. Only what the account can count:
 * kinds the API refuses to list (deleted revisions without "deletedhistory")
 * are left to the docs.
 */

const EXAMPLES = 5;

/** Collects a kind's count and first examples. */
class Tally {
  count = 0;
  readonly examples: string[] = [];
  add(example: string): void {
    this.count++;
    if (this.examples.length < EXAMPLES && !this.examples.includes(example)) this.examples.push(example);
  }
  result(kind: string, label: string, reason: string): NotCarried[] {
    return this.count > 0 ? [{ kind, label, count: this.count, examples: this.examples, reason }] : [];
  }
}

/** Reserved system accounts found while counting users (see reserved-names.ts). */
export function reservedAccounts(names: string[]): NotCarried[] {
  const tally = new Tally();
  for (const name of names) tally.add(name);
  return tally.result(
    'reserved-user',
    'MediaWiki system accounts',
    'MediaWiki reserves these names for its own scripts ($wgReservedUsernames): action=createaccount refuses them (invaliduser). Their edits keep their names on the target, as MediaWiki\'s own import does; nothing to do.',
  );
}

/** `limit` runs the listings a few at a time (discovery); without it they run one after the other. */
export async function notCarriedKinds(ctx: MwContext, signal: AbortSignal, limit: LimitFunction = pLimit(1)): Promise<NotCarried[]> {
  const kinds = await Promise.all([limit(() => olderFileVersions(ctx, signal)), protectedPages(ctx, signal, limit), limit(() => deletedRevisions(ctx, signal))]);
  return kinds.flat();
}

async function olderFileVersions(ctx: MwContext, signal: AbortSignal): Promise<NotCarried[]> {
  const tally = new Tally();
  const row = z.object({ title: z.string(), imageinfo: z.array(z.unknown()).default([]) });
  const params = { generator: 'allimages', gailimit: 'max', prop: 'imageinfo', iiprop: 'timestamp', iilimit: 'max' };
  const versions = new Map<string, number>();
  for await (const batch of ctx.api.query(params, signal)) {
    for (const file of z.array(row).parse(batch.query.pages ?? [])) versions.set(file.title, (versions.get(file.title) ?? 0) + file.imageinfo.length);
  }
  for (const [title, count] of versions) for (let i = 1; i < count; i++) tally.add(title);
  return tally.result(
    'file-old-version',
    'Older file versions',
    'action=upload writes a new current version with today\'s date; MediaWiki has no API to import a file\'s earlier versions. Only the current version is carried; download older ones from the file page\'s history if you need them.',
  );
}

async function protectedPages(ctx: MwContext, signal: AbortSignal, limit: LimitFunction): Promise<NotCarried[]> {
  const tally = new Tally();
  // Listed side by side (within `limit`), tallied in namespace order as before.
  const perNamespace = await Promise.all(
    pageNamespaces(await ctx.site(signal)).map((ns) =>
      limit(async () => {
        const titles: string[] = [];
        for await (const batch of ctx.api.query({ list: 'allpages', apnamespace: ns.id, apprtype: ['edit', 'move', 'upload'], aplimit: 'max' }, signal)) {
          for (const page of z.array(z.object({ title: z.string() })).parse(batch.query.allpages ?? [])) titles.push(page.title);
        }
        return titles;
      }),
    ),
  );
  for (const title of perNamespace.flat()) tally.add(title);
  return tally.result(
    'page-protection',
    'Page protections',
    'Protection is a log action, not part of a page\'s history: action=import does not carry it. Protect these pages again on the target (action=protect, or the page\'s Protect tab).',
  );
}

async function deletedRevisions(ctx: MwContext, signal: AbortSignal): Promise<NotCarried[]> {
  const tally = new Tally();
  try {
    for await (const batch of ctx.api.query({ list: 'alldeletedrevisions', adrprop: 'ids', adrlimit: 'max' }, signal)) {
      const pages = z.array(z.object({ title: z.string(), revisions: z.array(z.unknown()).default([]) })).parse(batch.query.alldeletedrevisions ?? []);
      for (const page of pages) for (const _ of page.revisions) tally.add(page.title);
    }
  } catch (error) {
    // Without "deletedhistory" (no bot password grant of the default set carries it) the API refuses: not countable.
    if (error instanceof ConnectorError && (error.kind === 'auth' || error.kind === 'data' || error.kind === 'config')) return [];
    throw error;
  }
  return tally.result(
    'deleted-revision',
    'Deleted revisions and pages',
    'Deleted (archived) revisions can only be read with the "deletedhistory" right, and action=import cannot write them as deleted. Undelete them on the source before the run if they should move.',
  );
}
