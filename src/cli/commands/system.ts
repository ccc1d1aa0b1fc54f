import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { UserError } from '../../app/errors.js';
import { checkAndSaveSystemPlan, inspectSystemPlan, publicInfo } from '../../app/system-inspect.js';
import { highAvailabilityWarning } from '../../system/mediawiki/adapter.js';
import { parseSystemPlan, systemOptions, type SystemPlan } from '../../system/plan.js';
import { adapterFor } from '../../system/registry.js';
import { formatBytes } from '../../system/runner.js';
import type { InstallationInfo } from '../../system/types.js';
import { withFerry } from '../context.js';
import { systemWizard } from './system-wizard.js';
import { printJson } from '../output.js';

const HELP = `
A system migration copies a whole installation — database, uploaded files, settings, and (if you
choose) its secret keys — from one server to another, as one run of operations: snapshot the target,
put the source in maintenance, copy settings, database and files (checksummed, resumable), rewrite
the URL, update.php when the target is newer, final checks over HTTP. Plans are YAML with
\`kind: system\` (docs/system-migration.md):

  kind: system
  name: wiki-move
  platform: mediawiki
  source: { host: local, configFile: /srv/old/LocalSettings.php }
  target: { host: local, configFile: /etc/mediawiki/LocalSettings.php, workDir: /var/tmp/ferry }
  options: { secretKeys: true, sourceAfter: read-only, newUrl: https://wiki.example.org }

Then it is a migration like the others:
  ferry system plan move.yaml     check it, show the source (version, host, database, keys present), save it
  ferry run wiki-move             run; run again after a kill or \`ferry stop\` to continue where it stopped
  ferry status wiki-move          its runs and operations
  ferry undo <run>                restore the target's snapshot, take the source out of maintenance
  ferry verify wiki-move          compare both sides through the API connections the plan's verify: names`;

export function systemCommand(): Command {
  const command = new Command('system').description('copy a whole installation (database, files, settings) to another server: `ferry system --help`').addHelpText('after', HELP);

  command
    .command('plan <file>')
    .description('validate a system plan (kind: system), discover both installations, show the source info and the pre-checks, and save it')
    .option('--json', 'print the source info and findings as JSON')
    .option('--no-save', 'only check and show; do not save the migration')
    .action(async (file: string, options: { json?: boolean; save: boolean }, cmd: Command) => {
      const text = readText(file);
      await withFerry(cmd, async (ferry) => {
        const { plan, source, target, findings } = await checkAndSaveSystemPlan(ferry, text, { file, save: options.save });
        if (options.json) return printJson({ name: plan.name, saved: options.save, source: publicInfo(source), target: publicInfo(target), findings });
        printInfo(plan, source, target, findings);
        process.stdout.write(options.save ? `\nSaved as "${plan.name}": run it with \`ferry run ${plan.name}\`.\n` : '\nNot saved (--no-save).\n');
        if (findings.some((f) => f.level === 'error')) process.exitCode = 1;
      });
    });

  command
    .command('info <migration>')
    .description('discover both installations of a saved system migration again and show them, with the pre-checks')
    .option('--json', 'print as JSON')
    .action(async (name: string, options: { json?: boolean }, cmd: Command) => {
      await withFerry(cmd, async (ferry) => {
        const row = await ferry.migrations.byName(name);
        const plan = parseSystemPlan(row.plan_yaml, name);
        const { source, target, findings } = await inspectSystemPlan(plan);
        if (options.json) return printJson({ name, source: publicInfo(source), target: publicInfo(target), findings });
        printInfo(plan, source, target, findings);
      });
    });
  command
    .command('wizard')
    .description('the system migration wizard on the terminal (the dashboard\'s steps): nothing is saved or written before Confirmation')
    .action(async (_options: unknown, cmd: Command) => {
      await withFerry(cmd, (ferry) => systemWizard(ferry));
    });
  return command;
}

/** `ferry run <system plan> --dry-run`: the source info, the pre-checks and the operations a run would do; nothing written. */
export async function printSystemDryRun(planYaml: string, name: string): Promise<void> {
  const plan = parseSystemPlan(planYaml, name);
  const { source, target, findings } = await inspectSystemPlan(plan);
  printInfo(plan, source, target, findings);
  process.stdout.write('\nA run would do, in order (each a step with its bytes):\n');
  for (const op of adapterFor(plan.platform).operations(systemOptions(plan))) process.stdout.write(`  ${op.name.padEnd(20)} ${op.label}\n`);
  process.stdout.write('\nDry run: nothing was written.\n');
  if (findings.some((f) => f.level === 'error')) process.exitCode = 1;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`Cannot read the plan file ${file}`, { hint: 'check the path: it must be a readable file' });
  }
}

export function printInfo(plan: SystemPlan, source: InstallationInfo, target: InstallationInfo, findings: Array<{ level: 'error' | 'warning'; message: string }>): void {
  const out = process.stdout;
  out.write(`Source info (${plan.name})\n`);
  const rows: Array<[string, string]> = [
    ['Platform', `${source.platform} ${source.version}`],
    ['Host name', source.hostName],
    ['Domain', source.domain],
    ['IP address', source.addresses.join(', ') || '(none)'],
    ['URL', source.url],
    ['Database', `${source.database.engine} "${source.database.name}", ${formatBytes(source.database.sizeBytes)}`],
    ['Uploads', `${source.uploadsDir}, ${formatBytes(source.uploadsBytes)}`],
    ['Licence keys', Object.keys(source.secrets).length > 0 ? `${Object.keys(source.secrets).join(', ')} present (values not shown)` : 'none set'],
    ['Server role', source.serverRole === 'replicated' ? 'replicated database (high availability)' : 'standalone'],
    ['Maintenance', source.inMaintenance ? 'read-only now' : 'online'],
  ];
  for (const [k, v] of rows) out.write(`  ${k.padEnd(13)} ${v}\n`);
  out.write(source.serverRole === 'replicated' ? `\n${highAvailabilityWarning(source, target)}\n` : '\nThe system is a standalone type.\n');
  out.write(`\nTarget: ${target.platform} ${target.version} at ${target.url} (${target.location.configFile}), database ${formatBytes(target.database.sizeBytes)}, uploads ${formatBytes(target.uploadsBytes)}\n`);
  out.write(`Options: settings ${plan.options.settings}, secret keys ${plan.options.secretKeys ? 'carried' : 'not carried'}, logs ${plan.options.logs ? 'copied' : 'not copied'}, source after: ${plan.options.sourceAfter}${plan.options.newUrl ? `, new URL ${plan.options.newUrl}` : ''}\n`);
  if (findings.length === 0) out.write('\nPre-checks: all passed.\n');
  else {
    out.write('\nPre-checks:\n');
    for (const f of findings) out.write(`  ${f.level}: ${f.message}\n`);
  }
}
