/** The MediaWiki system adapter: discover, pre-checks, operations. */
import { dirname } from 'node:path';
import { freeBytes } from '../faults.js';
import type { InstallationInfo, SystemAdapter } from '../types.js';
import { detailsOf, discoverMediaWiki } from './discover.js';
import { compareVersions, mediawikiOperations } from './operations.js';

function bytes(n: number): string {
  return n < 1024 * 1024 ? `${Math.ceil(n / 1024)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function highAvailabilityWarning(info: InstallationInfo, target?: InstallationInfo): string {
  const ip = target?.addresses[0] ?? 'the new server\'s IP address';
  return `The system is in high availability (replicated database). Before continuing, and in order not to create disruptions, change the DNS configuration so that: ` +
    `the domain ${info.domain} points to ${ip} and no longer to ${info.addresses[0] ?? 'the old address'}; ` +
    `the old server's address is no longer defined for the load-balancing domain. Allow for the DNS propagation period before running.`;
}

export const mediawikiSystem: SystemAdapter = {
  platform: 'mediawiki',
  discover: discoverMediaWiki,
  async precheck(source, target, ctx) {
    const findings: Array<{ level: 'error' | 'warning'; message: string }> = [];
    if (source.database.engine !== 'sqlite' || target.database.engine !== 'sqlite') {
      findings.push({ level: 'error', message: `This build copies SQLite MediaWiki databases; the source uses ${source.database.engine} and the target ${target.database.engine}` });
    }
    const order = compareVersions(target.version, source.version);
    if (order < 0) findings.push({ level: 'error', message: `The target runs MediaWiki ${target.version}, older than the source's ${source.version}: a database cannot go back to an older MediaWiki. Upgrade the target to ${source.version} or newer first` });
    else if (order > 0) findings.push({ level: 'warning', message: `The target runs MediaWiki ${target.version}, newer than the source's ${source.version}: update.php will run on the target after the copy` });
    if (source.serverRole === 'replicated') findings.push({ level: 'warning', message: highAvailabilityWarning(source, target) });
    if (target.inMaintenance) findings.push({ level: 'warning', message: 'The target is read-only now ($wgReadOnly): it stays so after the copy until you change its settings' });
    const tgt = detailsOf(target);
    // The copied database and files land beside the target's; the snapshot keeps the target's own.
    const need = source.database.sizeBytes + source.uploadsBytes + target.database.sizeBytes + target.uploadsBytes;
    const where = tgt.dbFile ? dirname(tgt.dbFile) : target.uploadsDir;
    // Both hosts asked at once.
    const [free, sourceFree] = await Promise.all([freeBytes(ctx.target.host, where), freeBytes(ctx.source.host, ctx.sourceWorkDir)]);
    if (free < need) {
      findings.push({ level: 'error', message: `Not enough disk space on the target (${ctx.target.host.label}, ${where}): ${bytes(free)} free, ${bytes(need)} needed (source database ${bytes(source.database.sizeBytes)} + uploads ${bytes(source.uploadsBytes)}, and the target's snapshot ${bytes(target.database.sizeBytes + target.uploadsBytes)}). Free space there or choose another target` });
    }
    if (sourceFree < source.database.sizeBytes) {
      findings.push({ level: 'error', message: `Not enough disk space on the source (${ctx.source.host.label}, ${ctx.sourceWorkDir}) for the online copy of its database: ${bytes(sourceFree)} free, ${bytes(source.database.sizeBytes)} needed. Set source.workDir in the plan to a folder with room` });
    }
    return findings;
  },
  operations: () => mediawikiOperations(),
};
