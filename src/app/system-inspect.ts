/**
 * What `ferry system plan`, the terminal system wizard and the dashboard's
 * system routes share: discover an installation, show it without any secret
 * value, check a plan both ways and save it. One code path for the three.
 */
import { resolve } from 'node:path';
import { ConnectorError } from '../sdk/errors.js';
import { highAvailabilityWarning } from '../system/mediawiki/adapter.js';
import { openHost, type HostConfig } from '../system/host-config.js';
import { parseSystemPlan, type SystemPlan } from '../system/plan.js';
import { adapterFor } from '../system/registry.js';
import { openSystem, precheckSystem, systemRowSides } from '../system/runner.js';
import type { InstallationInfo } from '../system/types.js';
import { UserError } from './errors.js';
import type { Ferry } from './ferry.js';

export type SystemFinding = { level: 'error' | 'warning'; message: string };

/** An installation as Source info shows it: licence keys by name only, no password. */
export interface PublicInfo {
  platform: string;
  version: string;
  url: string;
  hostName: string;
  domain: string;
  addresses: string[];
  configFile: string;
  database: { engine: string; location: string; name: string; user?: string | undefined; tablePrefix?: string | undefined; sizeBytes: number; replicated: boolean };
  uploadsDir: string;
  uploadsBytes: number;
  licenceKeys: string[];
  serverRole: 'standalone' | 'replicated';
  inMaintenance: boolean;
  /** The seed's high-availability warning with the concrete DNS changes; absent when standalone. */
  highAvailability?: string;
}

export function publicInfo(info: InstallationInfo, other?: InstallationInfo): PublicInfo {
  const { password: _password, ...database } = info.database;
  return {
    platform: info.platform, version: info.version, url: info.url, hostName: info.hostName, domain: info.domain, addresses: info.addresses,
    configFile: info.location.configFile, database, uploadsDir: info.uploadsDir, uploadsBytes: info.uploadsBytes,
    licenceKeys: Object.keys(info.secrets), serverRole: info.serverRole, inMaintenance: info.inMaintenance,
    ...(info.serverRole === 'replicated' ? { highAvailability: highAvailabilityWarning(info, other) } : {}),
  };
}

/** Both installations of a plan discovered, and the pre-checks a run would make; nothing written. */
export async function inspectSystemPlan(plan: SystemPlan): Promise<{ source: InstallationInfo; target: InstallationInfo; findings: SystemFinding[] }> {
  const open = await openSystem(plan);
  try {
    const findings = await precheckSystem(open, { workDir: plan.target.workDir ?? '/var/tmp/ferry-system', sourceWorkDir: plan.source.workDir ?? '/var/tmp/ferry-system' });
    return { source: open.source.info, target: open.target.info, findings };
  } finally {
    await open.close();
  }
}

/**
 * Validates a system plan's text, discovers both sides, and saves it unless
 * `save` is false (`ferry system plan`, POST /api/system/migrations, the
 * terminal wizard's Confirmation). A plan that does not parse or whose sides
 * cannot be read is not saved.
 */
export async function checkAndSaveSystemPlan(ferry: Ferry, text: string, options: { file?: string; save: boolean }): Promise<{ plan: SystemPlan; source: InstallationInfo; target: InstallationInfo; findings: SystemFinding[] }> {
  const plan = parseSystemPlan(text, options.file ?? 'plan');
  const inspected = await inspectSystemPlan(plan);
  if (options.save) await ferry.store.migrations.save({ name: plan.name, planYaml: text, planFile: options.file ? resolve(options.file) : null, ...systemRowSides(plan), at: ferry.now() });
  return { plan, ...inspected };
}

/** One installation discovered on its host (the wizard's Source info), without a plan; nothing written. */
export async function discoverInstallation(spec: { platform: 'mediawiki' | 'wordpress'; host: HostConfig; configFile: string; codeDir?: string; env?: Record<string, string> }): Promise<InstallationInfo> {
  const adapter = (() => {
    try {
      return adapterFor(spec.platform);
    } catch (error) {
      throw asUserError(error, `System migration of ${spec.platform} is not available`);
    }
  })();
  let host;
  try {
    host = await openHost(spec.host);
  } catch (error) {
    throw asUserError(error, 'The host cannot be reached');
  }
  try {
    return await adapter.discover(host, { configFile: spec.configFile, ...(spec.codeDir ? { codeDir: spec.codeDir } : {}), ...(spec.env ? { env: spec.env } : {}) });
  } catch (error) {
    throw asUserError(error, `The installation (${spec.configFile} on ${host.label}) could not be read`);
  } finally {
    await host.close().catch(() => undefined);
  }
}

function asUserError(error: unknown, lead: string): UserError {
  if (error instanceof UserError) return error;
  if (error instanceof ConnectorError) return new UserError(`${lead}: ${error.message}`, error.hint ? { hint: error.hint } : {});
  return new UserError(`${lead}: ${error instanceof Error ? error.message : String(error)}`);
}
