import { existsSync } from 'node:fs';
import { runCommand } from './run-command.js';

/** Debian's Chromium: the browser the dashboard's tests drive (a browser downloaded by a test tool does not run here). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * The flags Chromium needs as root in a sandbox with a closed network:
 * without the background-networking ones it keeps trying to reach Google.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Installs Debian's chromium (and a font, so pages render text) when missing; waits for the package lock rather than failing. */
export async function ensureChromium(): Promise<void> {
  if (existsSync(CHROMIUM)) return;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`Chromium is not installed and installing it needs root: apt-get install -y chromium fonts-dejavu-core`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const lock = ['-o', 'DPkg::Lock::Timeout=900'];
  const echo = (chunk: string) => process.stdout.write(chunk);
  await runCommand('apt-get', [...lock, 'update'], { env, onOutput: echo });
  await runCommand('apt-get', [...lock, 'install', '-y', '--no-install-recommends', 'chromium', 'fonts-dejavu-core'], { env, onOutput: echo });
  if (!existsSync(CHROMIUM)) throw new Error('apt-get finished but /usr/bin/chromium is still missing');
}
