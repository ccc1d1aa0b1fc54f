/**
 * How a system plan names a host: `local` (this machine) or `ssh:` with what
 * an SSH client needs. Secrets are never in the plan: a password or key
 * passphrase is read from the environment variable the plan names.
 *
 * @example
 * host: local
 * host:
 *   ssh:
 *     host: old-wiki.example.org
 *     user: ferry
 *     key: ~/.ssh/id_ed25519
 *     hostKey: SHA256:Xq...   # or knownHosts: ~/.ssh/known_hosts (the default)
 *
 * docs/ssh-hosts.md says how to set one up and what Ferry runs on the host.
 */
import { z } from 'zod';
import type { Host } from './host.js';
import { LocalHost } from './local.js';

export const sshHostSchema = z.strictObject({
  host: z.string().min(1).describe('host name or IP address of the machine'),
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().min(1).describe('the account Ferry signs in as'),
  key: z.string().min(1).optional().describe('path of a private key file (on the machine running Ferry)'),
  passphraseEnv: z.string().min(1).optional().describe('environment variable holding the key\'s passphrase'),
  passwordEnv: z.string().min(1).optional().describe('environment variable holding the password (when no key is used)'),
  hostKey: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/).optional().describe('the server\'s host key fingerprint as `ssh-keygen -lf` prints it'),
  knownHosts: z.string().min(1).optional().describe('known_hosts file to check the host key against (default ~/.ssh/known_hosts)'),
  connectTimeoutMs: z.number().int().positive().default(10_000),
});

export const hostConfigSchema = z.union([z.literal('local'), z.strictObject({ ssh: sshHostSchema })]);

export type SshHostConfig = z.infer<typeof sshHostSchema>;
export type HostConfig = z.infer<typeof hostConfigSchema>;

/** Opens the host a plan names; for SSH this connects and checks the host key (ssh.ts). */
export async function openHost(config: HostConfig): Promise<Host> {
  if (config === 'local') return new LocalHost();
  // ssh2 (and its native crypto) loads when a plan names an SSH host, not with every command.
  const { connectSsh } = await import('./ssh.js');
  return connectSsh(config.ssh);
}
