import { readFileSync } from 'node:fs';
import { password as promptPassword } from '@inquirer/prompts';
import { Command, Option } from 'commander';
import { UserError } from '../../app/errors.js';
import { connectors } from '../../app/registry.js';
import { withFerry } from '../context.js';
import { printJson, table } from '../output.js';
import { checkConnectionName, checkConnectionUrl, printableUrl } from '../validate.js';

async function readSecret(options: { passwordEnv?: string; passwordFile?: string; passwordStdin?: boolean }): Promise<string> {
  if (options.passwordEnv) {
    const value = process.env[options.passwordEnv];
    if (!value) throw new UserError(`The environment variable ${options.passwordEnv} is empty or not set`);
    return value;
  }
  if (options.passwordFile) return readPasswordFile(options.passwordFile);
  if (options.passwordStdin) return readFileSync(0, 'utf8').trim();
  if (process.stdin.isTTY) return promptPassword({ message: 'Password (input hidden):', mask: '*' });
  throw new UserError('No password given', { hint: 'use --password-env VAR, --password-file FILE or --password-stdin' });
}

function readPasswordFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder, not a file' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code ?? 'error'})`;
    throw new UserError(`The password file ${file} ${why}`, { hint: 'give --password-file the path of a file that holds only the password, or use --password-env VAR' });
  }
  const password = text.trim();
  if (!password) throw new UserError(`The password file ${file} is empty`, { hint: 'write the password into it, or use --password-env VAR' });
  return password;
}

export function connectionCommand(): Command {
  const cmd = new Command('connection').alias('connections').description('add, check and inventory the instances Ferry moves between');

  cmd
    .command('add <name>')
    .description('save a connection after checking that it works (its secret is encrypted at rest)')
    .addOption(new Option('--platform <platform>', 'platform of the instance').choices([...connectors.keys()]).makeOptionMandatory())
    .requiredOption('--url <url>', 'base URL of the instance, e.g. http://127.0.0.1:8080')
    .requiredOption('--username <name>', 'account to use (MediaWiki: a bot password login such as Admin@ferry)')
    .option('--password-env <var>', 'read the password from this environment variable')
    .option('--password-file <file>', 'read the password from this file')
    .option('--password-stdin', 'read the password from standard input')
    .addHelpText('after', '\nExample:\n  FERRY_PW=... ferry connection add old-wiki --platform mediawiki --url http://127.0.0.1:8080 --username Admin@ferry --password-env FERRY_PW\n\nThe connection is checked (reachable, credentials, rights) before it is saved; nothing is saved if the check fails.')
    .action(async (name: string, options: { platform: string; url: string; username: string; passwordEnv?: string; passwordFile?: string; passwordStdin?: boolean }, command: Command) => {
      checkConnectionName(name);
      checkConnectionUrl(options.url);
      const password = await readSecret(options);
      await withFerry(command, async (ferry) => {
        const identity = await ferry.connections.add(name, options.platform, { url: options.url, username: options.username, password }, ferry.now());
        process.stdout.write(`Saved connection "${name}": ${identity.siteName} (${identity.platform} ${identity.version}) at ${identity.host}, as ${identity.account}\n`);
      });
    });

  cmd
    .command('list')
    .description('list saved connections with their last check and inventory')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withFerry(command, async (ferry) => {
        const list = (await ferry.connections.list()).map((c) => (typeof c.config.url === 'string' ? { ...c, config: { ...c.config, url: printableUrl(c.config.url) } } : c));
        if (options.json) return printJson(list);
        if (list.length === 0) return void process.stdout.write('No connections yet. Add one with `ferry connection add`.\n');
        process.stdout.write(`${table(list.map((c) => ({ name: c.name, platform: c.platform, url: String(c.config.url ?? ''), site: c.identity?.siteName, checked: c.checkedAt?.slice(0, 19), discovered: c.discoveredAt?.slice(0, 19) ?? 'never' })), ['name', 'platform', 'url', 'site', 'checked', 'discovered'])}\n`);
      });
    });

  cmd
    .command('check <name>')
    .description('check that a connection is reachable and its account has the rights it needs; shows the instance identity')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      await withFerry(command, async (ferry) => {
        const identity = await ferry.connections.check(name, ferry.now());
        if (options.json) return printJson(identity);
        process.stdout.write(
          [`Platform: ${identity.platform} ${identity.version}`, `Site:     ${identity.siteName}`, `Host:     ${identity.host}`, `Account:  ${identity.account}`, `Rights:   ${identity.rights.join(', ')}`, ...Object.entries(identity.details ?? {}).map(([k, v]) => `${k}: ${v}`)].join('\n') + '\n',
        );
      });
    });

  cmd
    .command('discover <name>')
    .description('take an inventory of the instance (the "metadata refresh"): object types, counts, last change')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      await withFerry(command, async (ferry) => {
        const inventory = await ferry.connections.discover(name, ferry.now());
        if (options.json) return printJson(inventory);
        process.stdout.write(`${table(inventory.types.map((t) => ({ type: t.type, count: t.count, 'last modified': t.lastModified ?? '' })), ['type', 'count', 'last modified'])}\n`);
      });
    });

  cmd
    .command('remove <name>')
    .description('forget a saved connection')
    .action(async (name: string, _options: unknown, command: Command) => {
      await withFerry(command, async (ferry) => {
        await ferry.connections.remove(name);
        process.stdout.write(`Removed connection "${name}"\n`);
      });
    });
  return cmd;
}
