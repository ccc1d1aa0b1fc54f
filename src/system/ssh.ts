import { ConnectorError } from '../sdk/errors.js';
import type { Host } from './host.js';
import type { SshHostConfig } from './host-config.js';

/** Connects over SSH and checks the host key. Not built yet: the SSH path of issue 9 replaces this. */
export async function connectSsh(config: SshHostConfig): Promise<Host> {
  throw new ConnectorError(`SSH hosts are not supported yet (${config.user}@${config.host}:${config.port})`, { kind: 'config', hint: 'use host: local' });
}
