import { Command, Option } from 'commander';
import { connectors } from '../../app/registry.js';
import { withFerry } from '../context.js';
import { settingOptions, settingsFromOptions } from '../connection-fields.js';
import { printJson, table } from '../output.js';
import { checkConnectionName, printableUrl } from '../validate.js';

export function connectionCommand(): Command {
  const cmd = new Command('connection').alias('connections').description('add, check and inventory the instances Ferry moves between');

  const add = cmd
    .command('add <name>')
    .description('save a connection after checking that it works (its secrets are encrypted at rest)')
    .addOption(new Option('--platform <platform>', 'platform of the instance').choices([...connectors.keys()]).makeOptionMandatory());
  // The settings options come from the connectors' config schemas (labels, help, which fields are secret).
  for (const option of settingOptions()) add.addOption(option);
  add
    .addHelpText('after', '\nExample:\n  FERRY_PW=... ferry connection add old-wiki --platform mediawiki --url http://127.0.0.1:8080 --username Admin@ferry --password-env FERRY_PW\n\nA secret setting is read from an environment variable (--<field>-env), a file (--<field>-file) or standard input (--<field>-stdin), or asked for hidden on a terminal.\nThe connection is checked (reachable, credentials, rights) before it is saved; nothing is saved if the check fails.')
    .action(async (name: string, options: { platform: string } & Record<string, string | boolean | undefined>, command: Command) => {
      checkConnectionName(name);
      const config = await settingsFromOptions(options.platform, options);
      await withFerry(command, async (ferry) => {
        const identity = await ferry.connections.add(name, options.platform, config, ferry.now());
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
