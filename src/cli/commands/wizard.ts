import { writeFileSync } from 'node:fs';
import { confirm, input, select, checkbox } from '@inquirer/prompts';
import { Command } from 'commander';
import { stringify } from 'yaml';
import type { Ferry } from '../../app/ferry.js';
import { connectorFor } from '../../app/connections.js';
import { connectors } from '../../app/registry.js';
import { withFerry } from '../context.js';
import { ProgressView } from '../progress.js';
import { printRunResult } from '../summary.js';
import { promptSettings } from '../connection-fields.js';
import { printPreview } from './plan.js';
import { systemWizard } from './system-wizard.js';

/** Picks a saved connection or adds a new one (checked before it is saved). */
async function chooseConnection(ferry: Ferry, role: 'source' | 'target'): Promise<string> {
  const saved = await ferry.connections.list();
  const choice = await select({
    message: `${role === 'source' ? 'Source: where is the content now?' : 'Target: where should it go?'}`,
    choices: [...saved.map((c) => ({ name: `${c.name} (${c.platform}, ${String(c.config.url ?? '')})`, value: c.name })), { name: 'Add a new connection...', value: '' }],
  });
  if (choice) return choice;
  const platform = await select({ message: 'Platform', choices: [...connectors.values()].map((c) => ({ name: c.title, value: c.platform })) });
  const name = await input({ message: 'Name for this connection', validate: (v) => /^[\w.-]+$/.test(v) || 'letters, digits, dot, dash or underscore' });
  // The fields, their help and which are secret come from the connector's config schema.
  const config = await promptSettings(platform);
  process.stdout.write('Checking the connection...\n');
  await ferry.connections.add(name, platform, config, ferry.now());
  return name;
}

/** The steps, in the words of the dashboard's wizard (web/src/components/wizard-steps.tsx). */
export const WIZARD_STEPS = ['Welcome', 'Source', 'Source info', 'Options', 'Confirmation', 'Execution', 'Result'] as const;

const heading = (n: number): string => `\nStep ${n} of ${WIZARD_STEPS.length}: ${WIZARD_STEPS[n - 1]}\n`;

/**
 * The guided path of the seeds: welcome, source, source info, options,
 * confirmation, execution with a progress bar per step, result. Nothing is
 * saved or written before the Confirmation step's yes.
 */
export function wizardCommand(): Command {
  return new Command('wizard')
    .description('a guided migration: choose source and target, review them, pick options, confirm, watch it run; --system copies a whole installation')
    .option('--system', 'the system migration wizard: a whole installation (database, files, settings) onto another server (same as `ferry system wizard`)')
    .action(async (options: { system?: boolean }, command: Command) => {
      await withFerry(command, async (ferry) => {
        if (options.system) return systemWizard(ferry);
        process.stdout.write(`${heading(1)}This wizard moves the content of one instance to another of the same platform: it asks for the source, shows what it holds,\nlets you choose the target and what to move, and shows what the run will do.\nNothing is written to any instance before you confirm on the Confirmation step. Everything Ferry creates can be undone later.\n`);
        process.stdout.write(heading(2));
        const source = await chooseConnection(ferry, 'source');
        process.stdout.write(heading(3));
        const identity = await ferry.connections.check(source, ferry.now());
        const inventory = await ferry.connections.discover(source, ferry.now());
        process.stdout.write(`  Site:     ${identity.siteName}\n  Platform: ${identity.platform} ${identity.version}\n  Host:     ${identity.host}\n  Account:  ${identity.account}\n`);
        for (const t of inventory.types) process.stdout.write(`  ${t.type.padEnd(9)} ${t.count}\n`);
        for (const n of inventory.notCarried ?? []) process.stdout.write(`  Not carried: ${n.label}: ${n.count}. ${n.reason}\n`);
        if (!(await confirm({ message: 'Is this the source you mean?', default: true }))) return;
        process.stdout.write(heading(4));
        const target = await chooseConnection(ferry, 'target');
        const platform = (await ferry.connections.get(source)).platform;
        const types = connectorFor(platform).objectTypes;
        const chosen = await checkbox({ message: 'What to migrate', choices: types.map((t) => ({ name: t.label, value: t.name, checked: true })) });
        const usersDefault = await select({
          message: 'Source users',
          choices: [
            { name: 'create them on the target', value: 'create' },
            { name: 'create none; credit their work to the placeholder', value: 'placeholder' },
          ],
        });
        const conflict = await select({
          message: 'When something with the same name already exists on the target',
          choices: [
            { name: 'skip it (keep the target version)', value: 'skip' },
            { name: 'update it from the source', value: 'update' },
            { name: 'create a renamed copy', value: 'rename' },
          ],
        });
        // The name becomes a file name in the current folder: only what a plan name allows (no slash, no "..").
        const name = await input({ message: 'Name of this migration', default: `${source}-to-${target}`, validate: (v) => (/^[\p{L}\p{N}_-][\p{L}\p{N} _.-]*$/u.test(v) && !v.includes('..')) || 'letters, digits, space, dot, dash or underscore' });
        const plan = { name, source, target, types: Object.fromEntries(types.map((t) => [t.name, chosen.includes(t.name)])), ...(usersDefault === 'placeholder' ? { users: { default: 'placeholder' } } : {}), conflict };
        const file = `${name}.yaml`;
        writeFileSync(file, `# Written by \`ferry wizard\`; run it again with \`ferry run ${file}\`.\n${stringify(plan)}`);
        process.stdout.write(`${heading(5)}The plan is in ${file}. What the run would do:\n`);
        const migration = await ferry.draftMigration(file);
        const preview = await ferry.preview(migration);
        printPreview(preview.rows, preview.counts, preview.warnings, false);
        if (!(await confirm({ message: `Start the migration to "${target}" now?`, default: false }))) {
          process.stdout.write(`Not started. Start it later with: ferry run ${file}\n`);
          return;
        }
        process.stdout.write(heading(6));
        const view = new ProgressView(true);
        const run = await ferry.run(migration, { onProgress: view.handle });
        view.stop();
        process.stdout.write(heading(7));
        await printRunResult(ferry, run);
      });
    });
}
