import { Command } from 'commander';
import type { PreviewRow } from '../../core/preview.js';
import { migrationFrom, withFerry } from '../context.js';
import { printJson, table } from '../output.js';

export function planCommand(): Command {
  const cmd = new Command('plan').description('check a plan file and preview what it would do');

  cmd
    .command('validate <file>')
    .description('validate a plan file: YAML, fields, connections and object types (errors name the field and line)')
    .action(async (file: string, _options: unknown, command: Command) => {
      await withFerry(command, async (ferry) => {
        const plan = await ferry.readPlan(file);
        for (const warning of await ferry.planWarnings(plan)) process.stdout.write(`warning: ${warning}\n`);
        process.stdout.write(`${file} is a valid plan: "${plan.name}", ${plan.source} -> ${plan.target}, conflict policy ${plan.conflict}\n`);
      });
    });

  cmd
    .command('preview <plan>')
    .description('dry run: list per item whether a run would create, update, adopt or skip it, and why (writes nothing)')
    .option('--json', 'print JSON')
    .option('--all', 'list every item, not only the first 50 per action')
    .action(async (planArg: string, options: { json?: boolean; all?: boolean }, command: Command) => {
      await withFerry(command, async (ferry) => {
        const migration = await migrationFrom(ferry, planArg);
        const preview = await ferry.preview(migration);
        if (options.json) return printJson(preview);
        printPreview(preview.rows, preview.counts, preview.warnings, options.all === true);
      });
    });
  return cmd;
}

export function printPreview(rows: PreviewRow[], counts: Record<string, Record<string, number>>, warnings: string[], all: boolean): void {
  for (const w of warnings) process.stdout.write(`warning: ${w}\n`);
  const shown = all ? rows : rows.filter((r) => r.action !== 'unchanged' && r.action !== 'skip').slice(0, 50);
  if (shown.length > 0) process.stdout.write(`${table(shown.map((r) => ({ ...r })), ['type', 'action', 'label', 'reason'])}\n`);
  if (!all && shown.length < rows.length) process.stdout.write(`(${rows.length - shown.length} more rows; --all lists every item)\n`);
  process.stdout.write('\nWould do:\n');
  for (const [type, c] of Object.entries(counts)) {
    process.stdout.write(`  ${type.padEnd(8)} ${Object.entries(c).filter(([, n]) => n > 0).map(([a, n]) => `${n} ${a}`).join(', ')}\n`);
  }
}
