import { Command } from 'commander';
import { UserError } from '../../app/errors.js';
import { editJobs, jobsOf, type JobsView } from '../../app/migration-jobs.js';
import { addJob, moveJob, removeJob, renameJob, setScope, setSteps } from '../../core/job-edit.js';
import type { Filter } from '../../core/plan.js';
import { withFerry } from '../context.js';
import { printJson, table } from '../output.js';

/** How a scope reads in a table: its filters, "or" between them. */
function describeScope(scope: Filter[]): string {
  if (scope.length === 0) return 'all selected items';
  return scope
    .map((f) => [f.type && `type ${f.type}`, f.pattern && `pattern "${f.pattern}"`, f.namespace && `namespace ${f.namespace.join('/')}`, f.modifiedSince && `modified since ${f.modifiedSince.slice(0, 10)}`].filter(Boolean).join(', '))
    .join(' or ');
}

function printJobs(view: JobsView): void {
  const out = process.stdout;
  out.write(`Jobs of "${view.migration}"${view.standard ? ' (standard jobs: the plan names none; editing one saves them into the plan)' : ''}:\n`);
  const rows = view.jobs.flatMap((j, n) =>
    j.steps.map((s, i) => ({ '#': i === 0 ? String(n + 1) : '', job: i === 0 ? j.name : '', step: s.type, label: s.label, scope: i === 0 ? describeScope(j.scope) : '', note: s.applies ? '' : (s.reason ?? '') })),
  );
  out.write(`${table(rows, ['#', 'job', 'step', 'label', 'scope', 'note'])}\n`);
  for (const w of view.warnings) out.write(`warning: ${w}\n`);
}

/** Scope options shared by `job add` and `job set-scope`: one filter from them, or none. */
function scopeFrom(options: { pattern?: string; namespace?: string[]; modifiedSince?: string; type?: string }): Filter[] {
  const filter: Filter = {
    ...(options.type ? { type: options.type } : {}),
    ...(options.pattern ? { pattern: options.pattern } : {}),
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(options.modifiedSince ? { modifiedSince: options.modifiedSince } : {}),
  };
  return Object.keys(filter).length > 0 ? [filter] : [];
}

function withScopeOptions(command: Command): Command {
  return command
    .option('--pattern <glob>', 'scope: items whose label or key matches (`*` any characters, `?` one)')
    .option('--namespace <ns...>', 'scope: items in these namespaces or categories')
    .option('--modified-since <date>', 'scope: items changed since this date (2024-01-31)')
    .option('--type <type>', 'scope: only items of this object type');
}

function position(value: string): 'up' | 'down' | number {
  if (value === 'up' || value === 'down') return value;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`"${value}" is not a position`, { hint: 'use up, down or a job number (1 is the first job, see `ferry jobs <migration>`)' });
  return n;
}

/** Runs one edit of a saved migration's jobs and prints the jobs as they are now. */
async function edit(command: Command, name: string, what: string, change: Parameters<typeof editJobs>[2]): Promise<void> {
  await withFerry(command, async (ferry) => {
    const row = await ferry.migrations.byName(name);
    const saved = await editJobs(ferry, row, change);
    process.stdout.write(`${what}.\n`);
    if (saved.plan_file) process.stdout.write(`Note: the saved migration changed, not its plan file ${saved.plan_file}; \`ferry run ${saved.plan_file}\` would bring the file's jobs back.\n`);
    printJobs(await jobsOf(ferry, saved));
  });
}

export function jobsCommands(program: Command): void {
  program
    .command('jobs <migration>')
    .description("list a saved migration's jobs in order, with their steps, scopes and order warnings")
    .option('--json', 'print them as JSON')
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      await withFerry(command, async (ferry) => {
        const view = await jobsOf(ferry, await ferry.migrations.byName(name));
        if (options.json) return printJson(view);
        printJobs(view);
      });
    });

  const job = new Command('job').description("edit a saved migration's jobs (its plan's `jobs:`; the standard jobs when it has none)").addHelpText('after', `
Examples:
  ferry job add wiki-move "Help pages" --steps page --namespace 12
  ferry job add wiki-move "Articles" --steps page --namespace 0 --at 2
  ferry job rename wiki-move Content "Everything else"
  ferry job move wiki-move "Help pages" up
  ferry job set-steps wiki-move Content page file
  ferry job set-scope wiki-move Articles --pattern "A*"
  ferry job remove wiki-move "Help pages"
  ferry run wiki-move --job "Help pages"`);

  withScopeOptions(job.command('add <migration> <name>').description('add a job (at the end, or at --at)'))
    .requiredOption('--steps <type...>', 'its steps: object types, in order')
    .option('--at <position>', 'its position, 1 being the first job')
    .action(async (migration: string, name: string, options: { steps: string[]; at?: string; pattern?: string; namespace?: string[]; modifiedSince?: string; type?: string }, command: Command) => {
      const at = options.at === undefined ? undefined : position(options.at);
      if (typeof at === 'string') throw new UserError('--at takes a job number', { hint: '1 is the first job' });
      const scope = scopeFrom(options);
      await edit(command, migration, `Added job "${name}"`, (jobs) => addJob(jobs, { name, steps: options.steps, ...(scope.length > 0 ? { scope } : {}) }, at));
    });

  job
    .command('remove <migration> <name>')
    .description('remove a job')
    .action(async (migration: string, name: string, _options: unknown, command: Command) => edit(command, migration, `Removed job "${name}"`, (jobs) => removeJob(jobs, name)));

  job
    .command('rename <migration> <name> <new-name>')
    .description('rename a job')
    .action(async (migration: string, name: string, newName: string, _options: unknown, command: Command) => edit(command, migration, `Renamed job "${name}" to "${newName}"`, (jobs) => renameJob(jobs, name, newName)));

  job
    .command('move <migration> <name> <to>')
    .description('move a job: up, down, or to a position (1 is the first job)')
    .action(async (migration: string, name: string, to: string, _options: unknown, command: Command) => {
      const where = position(to);
      await edit(command, migration, `Moved job "${name}" ${typeof where === 'number' ? `to position ${where}` : where}`, (jobs) => moveJob(jobs, name, where));
    });

  job
    .command('set-steps <migration> <name> <type...>')
    .description("set a job's steps (object types, in order)")
    .action(async (migration: string, name: string, types: string[], _options: unknown, command: Command) => edit(command, migration, `Job "${name}" now has the steps ${types.join(', ')}`, (jobs) => setSteps(jobs, name, types)));

  withScopeOptions(job.command('set-scope <migration> <name>').description("set a job's scope (one filter from the options; none clears it)"))
    .action(async (migration: string, name: string, options: { pattern?: string; namespace?: string[]; modifiedSince?: string; type?: string }, command: Command) => {
      const scope = scopeFrom(options);
      await edit(command, migration, scope.length > 0 ? `Job "${name}" now takes ${describeScope(scope)}` : `Job "${name}" now takes every selected item`, (jobs) => setScope(jobs, name, scope));
    });

  program.addCommand(job);
}
