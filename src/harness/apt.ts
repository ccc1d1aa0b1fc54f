import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { runCommand } from './run-command.js';

const POLICY_RC_D = '/usr/sbin/policy-rc.d';
/** Test files run in parallel processes and may all find a package missing: one apt run at a time. */
const APT_LOCK = '/var/lock/ferry-apt.lock';

function streamTo(chunk: string, stream: 'stdout' | 'stderr'): void {
  (stream === 'stdout' ? process.stdout : process.stderr).write(chunk);
}

/**
 * Installs Debian packages (as root) for the harness: `apt-get update` then
 * `install -y --no-install-recommends`, one harness install at a time, and
 * waiting for dpkg's lock when other tools hold it. Packages whose
 * post-install would start a service (apache2, mariadb, ssh, postgresql) are
 * kept from starting one: service starts are refused during the install with
 * a temporary policy-rc.d, only when none exists (an existing one is the
 * machine owner's choice and stays as it is). Nothing here needs those
 * services: the harness starts its own servers on loopback ports.
 */
export async function aptInstall(packages: readonly string[]): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const ownPolicy = !existsSync(POLICY_RC_D);
  if (ownPolicy) writeFileSync(POLICY_RC_D, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    const locked = (args: string[]): string[] => ['-w', '1200', APT_LOCK, 'apt-get', '-o', 'DPkg::Lock::Timeout=600', ...args];
    await runCommand('flock', locked(['update']), { env, onOutput: streamTo });
    await runCommand('flock', locked(['install', '-y', '--no-install-recommends', ...packages]), { env, onOutput: streamTo });
  } finally {
    if (ownPolicy) rmSync(POLICY_RC_D, { force: true });
  }
}
