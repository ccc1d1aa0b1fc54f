import type { Finding, PrecheckContext } from '../../sdk/connector.js';
import type { MwContext } from './context.js';
import { accountInfo, inventoryDetailsSchema } from './inventory.js';
import { namespaceHint } from './titles.js';

/**
 * Pre-migration checks this wiki can answer: as a target, does it have the
 * source's namespaces, the rights each selected type needs, room for the
 * largest file, and the source's groups. Errors block the run.
 */

interface NeededRight {
  right: string;
  forType: string;
  why: string;
  grant: string;
}

const NEEDED: NeededRight[] = [
  { right: 'createaccount', forType: 'user', why: 'create users', grant: 'Create accounts (createaccount)' },
  { right: 'import', forType: 'page', why: 'import page histories', grant: 'Import revisions (import)' },
  { right: 'importupload', forType: 'page', why: 'import page histories from a file', grant: 'Import revisions (import)' },
  { right: 'upload', forType: 'file', why: 'upload files', grant: 'Upload new files (uploadfile)' },
  { right: 'reupload', forType: 'file', why: 'upload new versions of files', grant: 'Upload, replace, and move files (uploadeditmovefile)' },
  { right: 'delete', forType: 'page', why: 'undo (delete what Ferry created)', grant: 'Delete pages, revisions, and log entries (delete)' },
];

export async function precheckWiki(ctx: MwContext, context: PrecheckContext, signal: AbortSignal): Promise<Finding[]> {
  if (context.role === 'source') return precheckSource(ctx, signal);
  const site = await ctx.site(signal);
  const account = await accountInfo(ctx, signal);
  const selected = new Set(context.selectedTypes);
  const source = context.otherInventory ? inventoryDetailsSchema.safeParse(context.otherInventory.details) : undefined;
  const details = source?.success ? source.data : undefined;
  const findings: Finding[] = [];
  const rights = new Set(account.rights);

  for (const need of NEEDED.filter((n) => selected.has(n.forType) && !rights.has(n.right))) {
    findings.push({
      level: 'error',
      code: 'rights-missing',
      message: `The account "${account.name}" lacks the right "${need.right}" on the target, needed to ${need.why}.`,
      hint: `Add the account to a group with "${need.right}" (sysop), and give its bot password the grant "${need.grant}" on Special:BotPasswords.`,
    });
  }
  if (selected.has('page') && details) {
    const used = details.namespaces.filter((n) => n.id >= 0 && (n.pages ?? 1) > 0 && (context.namespaceSelected?.('page', String(n.id)) ?? true));
    for (const ns of used.filter((n) => !site.namespaces.has(n.id))) {
      findings.push({
        level: 'error',
        code: 'namespace-missing',
        message: `Namespace ${ns.id} ("${ns.name}") holds ${ns.pages ?? 'some'} page(s) on the source but does not exist on the target.`,
        hint: namespaceHint(ns.id),
      });
    }
    const interfacePages = used.find((n) => n.id === 8)?.pages ?? 0;
    if (interfacePages > 0 && !rights.has('editinterface')) {
      findings.push({
        level: 'error',
        code: 'rights-missing',
        message: `The source has ${interfacePages} page(s) in the MediaWiki: namespace; the account "${account.name}" lacks "editinterface" on the target.`,
        hint: 'Give the bot password the grant "Edit the MediaWiki namespace and sitewide/user JSON" (editinterface), or leave namespace 8 out of the plan.',
      });
    }
  }
  if (selected.has('user') && details) findings.push(...groupFindings(details, site.groups, account));
  if (selected.has('file')) {
    const known = context.largestItem.file;
    const largest = known ?? (details?.largestFile ? { label: `File:${details.largestFile.name}`, sizeBytes: details.largestFile.size } : undefined);
    if (largest?.sizeBytes !== undefined && site.maxUploadSize > 0 && largest.sizeBytes > site.maxUploadSize) {
      findings.push({
        level: 'warning',
        code: 'file-too-large',
        message: `"${largest.label}" is ${largest.sizeBytes} bytes, over the target's upload limit of ${site.maxUploadSize} bytes; it (and any other file over the limit) will fail.`,
        hint: 'Raise $wgMaxUploadSize in the target\'s LocalSettings.php and upload_max_filesize / post_max_size in its php.ini.',
      });
    }
  }
  return findings;
}

function groupFindings(details: { groups: string[]; groupMembers: Record<string, number> }, targetGroups: string[], account: { name: string; rights: string[]; canAdd: string[] }): Finding[] {
  const findings: Finding[] = [];
  const defined = new Set(targetGroups);
  const used = Object.entries(details.groupMembers).filter(([, members]) => members > 0).map(([group]) => group);
  const missing = used.filter((g) => !defined.has(g));
  if (missing.length > 0) {
    findings.push({
      level: 'warning',
      code: 'group-missing',
      message: `Groups used on the source do not exist on the target: ${missing.join(', ')}. Their members will be migrated without them.`,
      hint: 'Define the groups on the target ($wgGroupPermissions in LocalSettings.php) before the run.',
    });
  }
  // `changeablegroups` follows the account's groups, not the bot password's grants: without the
  // "userrights" right the write may still be refused, so count on nothing then.
  const canAdd = new Set(account.rights.includes('userrights') ? account.canAdd : []);
  const blocked = used.filter((g) => defined.has(g) && !canAdd.has(g));
  if (blocked.length > 0) {
    // Not an error: no bot password grant of MediaWiki 1.39 carries "userrights", and every real wiki
    // has a sysop. The users go across; each membership left out becomes a post-migration action.
    findings.push({
      level: 'warning',
      code: 'group-not-assignable',
      message: `The account "${account.name}" may not add users to these groups on the target: ${blocked.join(', ')} (right "userrights"). Their members will be migrated without them, and each one is listed as a post-migration action.`,
      hint:
        'To carry memberships too, log in with the main account (user name without "@"), or add $wgGrantPermissions[\'userrights\'][\'userrights\'] = true; to the target\'s LocalSettings.php and give the bot password that grant.',
    });
  }
  return findings;
}

async function precheckSource(ctx: MwContext, signal: AbortSignal): Promise<Finding[]> {
  const account = await accountInfo(ctx, signal);
  if (account.rights.includes('read')) return [];
  return [{ level: 'error', code: 'rights-missing', message: `The account "${account.name}" may not read the source wiki.`, hint: 'Give the bot password the "basic" grant.' }];
}
