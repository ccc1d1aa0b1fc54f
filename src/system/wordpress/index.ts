/**
 * The WordPress system adapter (issue 9): copies a whole WordPress
 * installation — MariaDB database, uploads, plugins, themes, settings, and
 * optionally its keys and salts — from one host to another, resumable and
 * with a snapshot of the target as the way back.
 */
import { ConnectorError } from '../../sdk/errors.js';
import type { Host } from '../host.js';
import type { InstallationInfo, OperationContext, SystemAdapter } from '../types.js';
import { query } from './db.js';
import { compareVersions, discoverWordPress, folderBytes } from './discover.js';
import { wordpressOperations } from './operations.js';

type Finding = { level: 'error' | 'warning'; message: string };

const MB = 1024 * 1024;
const mb = (bytes: number): string => `${Math.ceil(bytes / MB)} MB`;

async function reachable(host: Host, info: InstallationInfo, side: string, findings: Finding[]): Promise<void> {
  try {
    await query(host, info.database, 'SELECT 1;');
  } catch (error) {
    const hint = error instanceof ConnectorError && error.hint ? ` (${error.hint})` : '';
    findings.push({ level: 'error', message: `the ${side} database cannot be reached with the ${side}'s credentials: ${(error as Error).message}${hint}` });
  }
}

async function precheck(source: InstallationInfo, target: InstallationInfo, ctx: Pick<OperationContext, 'source' | 'target' | 'options' | 'workDir'>): Promise<Finding[]> {
  const findings: Finding[] = [];
  if (source.platform !== 'wordpress' || target.platform !== 'wordpress') {
    findings.push({ level: 'error', message: `both installations must be WordPress (source: ${source.platform}, target: ${target.platform})` });
    return findings;
  }
  const order = compareVersions(target.version, source.version);
  if (order < 0) {
    findings.push({ level: 'error', message: `the target runs WordPress ${target.version}, older than the source's ${source.version}: a database written by a newer WordPress may not work with older code. Upgrade WordPress on the target to ${source.version} or later first.` });
  } else if (order > 0) {
    findings.push({ level: 'warning', message: `the target runs WordPress ${target.version}, newer than the source's ${source.version}: the copied database is upgraded with wp_upgrade() after the copy` });
  }
  const sameDatabase = ctx.source.host.label === ctx.target.host.label && source.database.location === target.database.location && source.database.name === target.database.name;
  if (sameDatabase) {
    findings.push({ level: 'error', message: `source and target use the same database (${target.database.name} at ${target.database.location} on ${ctx.target.host.label}): the copy would overwrite the source. Give the target its own database in its config.` });
  }
  const sourcePrefix = source.database.tablePrefix ?? 'wp_';
  const targetPrefix = target.database.tablePrefix ?? 'wp_';
  if (sourcePrefix !== targetPrefix) {
    findings.push({ level: 'error', message: `the source's tables start with ${sourcePrefix} and the target's with ${targetPrefix}; Ferry copies tables with the same prefix only (WordPress also names options and user meta after it). Set $table_prefix = '${sourcePrefix}'; in the target's config, then run again.` });
  }
  if (ctx.options.newUrl !== undefined) {
    try {
      const url = new URL(ctx.options.newUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    } catch {
      findings.push({ level: 'error', message: `the new URL ${ctx.options.newUrl} is not an http(s) URL (e.g. https://blog.example.org)` });
    }
  }
  // The checks below do not depend on each other: both sides at once (each is a command or a listing on its host).
  const reach: Finding[][] = [[], []];
  const sum = (sizes: number[]): number => sizes.reduce((a, b) => a + b, 0);
  const [, , extraSource, extraTarget] = await Promise.all([
    reachable(ctx.source.host, source, 'source', reach[0]!),
    reachable(ctx.target.host, target, 'target', reach[1]!),
    Promise.all(source.extraDirs.map((dir) => folderBytes(ctx.source.host, dir))).then(sum),
    Promise.all(target.extraDirs.map((dir) => folderBytes(ctx.target.host, dir))).then(sum),
  ]);
  findings.push(...reach[0]!, ...reach[1]!);

  // Target disk: the copied database and files, and the snapshot of the target as it is (dump + files).
  const copyBytes = source.database.sizeBytes + source.uploadsBytes + extraSource;
  const snapshotBytes = target.database.sizeBytes + target.uploadsBytes + extraTarget;
  const need = Math.ceil((copyBytes + snapshotBytes) * 1.1) + 16 * MB;
  try {
    const [freeContent, freeWork] = await Promise.all([ctx.target.host.freeBytes(target.uploadsDir), ctx.target.host.freeBytes(ctx.workDir)]);
    const free = Math.min(freeContent, freeWork);
    if (free < need) {
      findings.push({ level: 'error', message: `not enough disk space on the target (${ctx.target.host.label}): ${mb(need)} needed (database ${mb(source.database.sizeBytes)}, files ${mb(source.uploadsBytes + extraSource)}, snapshot of the target ${mb(snapshotBytes)}, 10% margin), ${mb(free)} free. Free some space or choose a work folder on a larger disk.` });
    }
  } catch (error) {
    findings.push({ level: 'error', message: `the free space on the target cannot be read: ${(error as Error).message}` });
  }
  if (source.serverRole === 'replicated') {
    findings.push({ level: 'warning', message: `the source database is replicated (a replica, or a primary with replicas). Before going on, change the DNS so that ${source.domain} points at the target (${target.addresses[0] ?? 'its address'}) and no longer at ${source.addresses[0] ?? 'the source'}, take the source out of any load-balancing name, and allow for DNS propagation.` });
  }
  if (source.inMaintenance) {
    findings.push({ level: 'warning', message: 'the source is already in maintenance or read-only mode' });
  }
  return findings;
}

export const wordpressSystemAdapter: SystemAdapter = {
  platform: 'wordpress',
  discover: discoverWordPress,
  precheck,
  operations: wordpressOperations,
};

export { HOST_OPTIONS, LICENCE_OPTIONS, fileCopyHooks } from './operations.js';
export { FAKE_VERSION_ENV } from './discover.js';
