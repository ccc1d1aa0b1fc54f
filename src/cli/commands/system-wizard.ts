import { confirm, input, select } from '@inquirer/prompts';
import { stringify } from 'yaml';
import { UserError } from '../../app/errors.js';
import type { Ferry } from '../../app/ferry.js';
import { checkAndSaveSystemPlan, discoverInstallation, publicInfo } from '../../app/system-inspect.js';
import type { HostConfig } from '../../system/host-config.js';
import { formatBytes } from '../../system/runner.js';
import { ProgressView } from '../progress.js';
import { printRunResult } from '../summary.js';
import { WIZARD_STEPS } from './wizard.js';

const heading = (n: number): string => `\nStep ${n} of ${WIZARD_STEPS.length}: ${WIZARD_STEPS[n - 1]}\n`;
const absolute = (v: string) => v.startsWith('/') || 'an absolute path on that host (it starts with /)';

/** This machine, or SSH: host, port, user, key path, host key fingerprint. */
async function askHost(side: 'source' | 'target'): Promise<HostConfig> {
  const kind = await select({ message: `Where is the ${side}?`, choices: [{ name: 'This machine (the one running Ferry)', value: 'local' }, { name: 'Another machine, over SSH', value: 'ssh' }] });
  if (kind === 'local') return 'local';
  const host = await input({ message: 'SSH host (name or IP address)', validate: (v) => v.trim().length > 0 || 'the host is needed' });
  const port = await input({ message: 'SSH port', default: '22', validate: (v) => (/^\d+$/.test(v) && Number(v) > 0 && Number(v) < 65536) || 'a port number, 1 to 65535' });
  const user = await input({ message: 'SSH user', validate: (v) => v.trim().length > 0 || 'the user is needed' });
  const key = await input({ message: 'Private key file (a path on this machine; empty: the SSH agent)' });
  const hostKey = await input({ message: 'Host key fingerprint (SHA256:..., as ssh-keygen -lf prints it; empty: ~/.ssh/known_hosts)', validate: (v) => v === '' || /^SHA256:[A-Za-z0-9+/]{43}=?$/.test(v) || 'SHA256: followed by 43 characters' });
  return { ssh: { host: host.trim(), port: Number(port), user: user.trim(), ...(key.trim() ? { key: key.trim() } : {}), ...(hostKey ? { hostKey } : {}), connectTimeoutMs: 10_000 } };
}

async function askSide(side: 'source' | 'target', platform: 'mediawiki' | 'wordpress'): Promise<Record<string, unknown>> {
  const host = await askHost(side);
  const file = platform === 'mediawiki' ? 'LocalSettings.php' : 'wp-config.php';
  const configFile = await input({ message: `The ${side}'s ${file} (absolute path)`, validate: absolute });
  const workDir = await input({ message: `A work folder on that host for Ferry's copy state${side === 'target' ? ' and the snapshot (the way back)' : ''}`, default: '/var/tmp/ferry-system', validate: absolute });
  const codeDir = await input({ message: 'Code folder, when it is not next to the config file (empty: next to it)', validate: (v) => v === '' || absolute(v) });
  const envText = await input({ message: 'Environment PHP needs to pick this installation (NAME=value, separated by spaces; empty: none)', validate: (v) => v.trim() === '' || v.trim().split(/\s+/).every((p) => /^[A-Za-z_][A-Za-z0-9_]*=\S*$/.test(p)) || 'NAME=value pairs separated by spaces' });
  const env = envText.trim() ? Object.fromEntries(envText.trim().split(/\s+/).map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)])) : undefined;
  return { host, configFile, workDir, ...(codeDir ? { codeDir } : {}), ...(env ? { env } : {}) };
}

/**
 * `ferry wizard --system` / `ferry system wizard`: the dashboard's system
 * wizard (web/src/pages/system-wizard.tsx) on the terminal, same steps and
 * words. Nothing is saved and nothing written before Confirmation's yes.
 */
export async function systemWizard(ferry: Ferry): Promise<void> {
  try {
    await steps(ferry);
  } catch (error) {
    // Ctrl-C or a closed input inside a question: before Confirmation nothing was saved or written.
    if (error instanceof Error && error.name === 'ExitPromptError') throw new UserError('The wizard was closed before it finished', { hint: 'nothing is saved or written before the Confirmation step; start it again with `ferry wizard --system`' });
    throw error;
  }
}

async function steps(ferry: Ferry): Promise<void> {
  const out = process.stdout;
  out.write(`${heading(1)}This wizard copies a whole installation — its settings, its database, its uploaded files and, if you choose, its secret keys
(the licence) and its logs — from the server it runs on now to another installation of the same platform.
The target's data is replaced by the source's: use a fresh installation as the target.
Unlike a plain copy, this is not irreversible: Ferry snapshots the target before writing to it, and undo restores it as it was and
takes the source out of maintenance. A run can be stopped; a new run continues from the operation that was running.
Nothing is saved and nothing is written to either installation before you confirm on the Confirmation step.\n`);

  out.write(heading(2));
  const platform = await select({ message: 'Platform', choices: [{ name: 'MediaWiki', value: 'mediawiki' as const }, { name: 'WordPress', value: 'wordpress' as const }] });
  const source = await askSide('source', platform);
  out.write('The target: the installation that receives the copy (its data is replaced).\n');
  const target = await askSide('target', platform);

  out.write(heading(3));
  const info = publicInfo(await discoverInstallation({ platform, host: source.host as HostConfig, configFile: source.configFile as string, ...(source.codeDir ? { codeDir: source.codeDir as string } : {}), ...(source.env ? { env: source.env as Record<string, string> } : {}) }));
  const rows: Array<[string, string]> = [
    ['Platform', `${info.platform === 'mediawiki' ? 'MediaWiki' : 'WordPress'} ${info.version}`],
    ['Host name', info.hostName],
    ['Domain', info.domain],
    ['IP address', info.addresses.join(', ') || '(none found)'],
    ['URL', info.url],
    ['Database', `${info.database.engine} "${info.database.name}", ${formatBytes(info.database.sizeBytes)}`],
    ['Uploads', `${info.uploadsDir}, ${formatBytes(info.uploadsBytes)}`],
    ['Licence keys', info.licenceKeys.length > 0 ? `${info.licenceKeys.join(', ')} present (values not shown)` : 'none set'],
    ['Server role', info.serverRole === 'replicated' ? 'Replicated database (high availability)' : 'Standalone'],
  ];
  for (const [k, v] of rows) out.write(`  ${k.padEnd(13)} ${v}\n`);
  out.write(info.serverRole === 'replicated' ? `\nThe system is in high availability.\n${info.highAvailability}\n` : '\nThe system is a standalone type.\n');
  if (!(await confirm({ message: 'Is this the installation you mean to copy?', default: true }))) {
    out.write('Stopped: nothing was saved or written.\n');
    return;
  }

  out.write(heading(4));
  const settings = await select({ message: 'Settings', choices: [{ name: 'Copy the basic settings only: the target keeps its own network, host names, mail and backup settings', value: 'basic' as const }, { name: 'Swap configuration: exchange the site settings between the two systems', value: 'swap' as const }] });
  const secretKeys = await confirm({ message: 'Migrate the licence: carry the secret keys to the target?', default: true });
  const logs = await confirm({ message: 'Copy user traffic logs (the web server\'s access logs and the platform\'s own logs)?', default: false });
  const newUrl = await input({ message: 'New public URL of the target (empty: the URL it answers at now)', validate: (v) => v === '' || /^https?:\/\/\S+$/.test(v) || 'a URL such as https://wiki.example.org' });
  const sourceAfter = await select({ message: 'What the source is left in after the copy', choices: [{ name: 'In maintenance (read-only, with a notice)', value: 'maintenance' as const }, { name: 'Read-only', value: 'read-only' as const }, { name: 'Online, as it was before', value: 'online' as const }] });
  const name = await input({ message: 'Name of this migration', default: 'system-move', validate: (v) => /^[\p{L}\p{N} _.-]+$/u.test(v) || 'letters, digits, space, dot, dash or underscore' });

  out.write(heading(5));
  const plan = { kind: 'system', name, platform, source, target, options: { settings, secretKeys, logs, sourceAfter, ...(newUrl ? { newUrl } : {}) } };
  const yaml = stringify(plan);
  const checked = await checkAndSaveSystemPlan(ferry, yaml, { save: false });
  out.write(`The migration "${name}" will copy ${checked.source.platform} ${checked.source.version} at ${checked.source.url} (${formatBytes(checked.source.database.sizeBytes)} of database, ${formatBytes(checked.source.uploadsBytes)} of files) onto ${checked.target.url}.\n`);
  if (checked.findings.length === 0) out.write('Pre-checks: all passed.\n');
  else for (const f of checked.findings) out.write(`  ${f.level === 'error' ? 'Error' : 'Warning'}: ${f.message}\n`);
  if (checked.findings.some((f) => f.level === 'error')) {
    out.write('Fix the errors above, then start the wizard again. Nothing was saved or written.\n');
    process.exitCode = 1;
    return;
  }
  out.write(`Executing replaces the data of the target at ${checked.target.url} with the source's. Ferry snapshots the target first: undo restores it.\n`);
  const typed = await input({ message: `Type the target's URL, ${checked.target.url}, to confirm (anything else: not now)` });
  if (typed.trim() !== checked.target.url) {
    out.write(`Not executed. Nothing was saved or written. The plan was:\n${yaml}`);
    return;
  }
  await checkAndSaveSystemPlan(ferry, yaml, { save: true });
  out.write(`Saved as "${name}".\n`);

  out.write(heading(6));
  const view = new ProgressView(true);
  const run = await ferry.run(await ferry.migrations.byName(name), { onProgress: view.handle });
  view.stop();

  out.write(heading(7));
  await printRunResult(ferry, run);
  out.write(run.status === 'FINISHED' ? 'Setup process was successful!\n' : `The run ended ${run.status}: run \`ferry run ${name}\` to continue where it stopped, or \`ferry undo ${run.id}\`.\n`);
  out.write(`Undo it with \`ferry undo ${run.id}\`: the target's snapshot is restored and the source leaves maintenance.\n`);
}
