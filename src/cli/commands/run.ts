import { Command } from 'commander';
import type { Ferry, RunOptions } from '../../app/ferry.js';
import { connectorFor } from '../../app/connections.js';
import { UserError } from '../../app/errors.js';
import { RERUNNABLE } from '../../core/statuses.js';
import type { RunRecord } from '../../core/ports.js';
import { ferryOptions, migrationFrom, parseRunId, withFerry } from '../context.js';
import { distributedRun } from './worker.js';
import { printJson } from '../output.js';
import { ProgressView } from '../progress.js';
import { printRunResult } from '../summary.js';
import { printPreview } from './plan.js';
import { printSystemDryRun } from './system.js';
import { isSystemPlanText } from '../../system/plan.js';

/** Runs with live progress; Ctrl-C asks for a graceful stop, a second Ctrl-C aborts. */
async function withProgress(ferry: Ferry, json: boolean, body: (options: RunOptions) => Promise<RunRecord>): Promise<void> {
  const view = new ProgressView(!json);
  const abort = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) abort.abort();
    else process.stderr.write('\nStopping after the items in flight (Ctrl-C again to abort)...\n');
    void ferry.store.requestStopOfProcess(process.pid);
  };
  process.on('SIGINT', onSigint);
  try {
    const run = await body({
      onProgress: view.handle,
      onFindings: (findings) => {
        if (json) return;
        for (const f of findings.filter((x) => x.level === 'warning')) process.stderr.write(`warning: ${f.message}${f.hint ? ` (${f.hint})` : ''}\n`);
      },
      signal: abort.signal,
    });
    view.stop();
    if (json) printJson({ ...run, actions: await ferry.store.listActions(run.id) });
    else await printRunResult(ferry, run);
    if (run.status !== 'FINISHED') process.exitCode = run.status === 'STOPPED' ? 4 : 5;
  } finally {
    view.stop();
    process.off('SIGINT', onSigint);
  }
}

/** `rerun --item`: ids that are not re-runnable items of the run would make an empty run that says nothing. */
async function checkRerunItems(ferry: Ferry, runId: number, sourceIds: string[]): Promise<void> {
  await ferry.requireRun(runId);
  const rerunnable = new Set((await ferry.store.listItems(runId, { statuses: [...RERUNNABLE] })).map((i) => i.sourceId));
  const unknown = sourceIds.filter((id) => !rerunnable.has(id));
  if (unknown.length > 0) {
    throw new UserError(`Not a FAILED, INCOMPLETE or TIMED_OUT item of run ${runId}: ${unknown.join(', ')}`, { hint: `see the ids with \`ferry items ${runId} --status FAILED\`` });
  }
}

/** `undo --step`: a type the run's platform does not have (or the --job lacks) would make an undo run that removes nothing. */
async function checkStep(ferry: Ferry, runId: number, type: string, job: string | undefined): Promise<void> {
  const run = await ferry.requireRun(runId);
  const migration = await ferry.migrations.byId(run.migrationId);
  const types = connectorFor((await ferry.connections.get(migration.source)).platform).objectTypes.map((t) => t.name);
  if (!types.includes(type)) throw new UserError(`--step "${type}" is not a step of this migration`, { hint: `use one of: ${types.join(', ')}` });
  if (!job) return;
  const inJob = (await ferry.store.listSteps(runId)).filter((s) => s.job === job).map((s) => s.type);
  if (inJob.length > 0 && !inJob.includes(type)) throw new UserError(`Job "${job}" of run ${runId} has no step "${type}"`, { hint: `its steps are: ${inJob.join(', ')}` });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function runCommands(program: Command): void {
  program
    .command('run <plan>')
    .description('run a migration (a plan file or a saved migration name); an interrupted run is resumed')
    .option('--dry-run', 'only show what would be created, updated or skipped, and why')
    .option('--json', 'print the result as JSON (no progress bars)')
    .option('--reset', 'DESTRUCTIVE: empty the target (except Ferry\'s own account) before migrating')
    .option('--confirm-reset <target>', 'confirm --reset by naming the target connection')
    .option('--forget-map', 'forget what Ferry knows of earlier runs between this source and target (after the target was rebuilt, or a connection re-pointed): every item is decided afresh')
    .option('--job <name>', "run only this job's steps (repeat for several); the other jobs' steps are Skipped. See `ferry jobs <migration>`", collect, [])
    .option('--workers', 'hand the batches to `ferry worker` processes on the same PostgreSQL store (--store) instead of writing them here')
    .addHelpText('after', `
Exit codes: 0 finished, 1 user error (nothing written), 2 invalid plan, 3 internal error, 4 stopped, 5 incomplete or failed.

Examples:
  ferry run plan.yaml --dry-run     preview without writing
  ferry run plan.yaml               run, with a progress bar per step
  ferry run wiki-move               run a saved migration again (unchanged items are skipped)
  ferry run plan.yaml --reset --confirm-reset new-wiki
  ferry run wiki-move --forget-map  the target was rebuilt at the same address: migrate everything again
  ferry run wiki-move --job "Help pages"   run one job alone`)
    .action(async (planArg: string, options: { dryRun?: boolean; json?: boolean; reset?: boolean; confirmReset?: string; forgetMap?: boolean; job: string[]; workers?: boolean }, command: Command) => {
      await withFerry(command, async (ferry) => {
        const migration = await migrationFrom(ferry, planArg);
        if (options.dryRun && isSystemPlanText(migration.plan_yaml)) return printSystemDryRun(migration.plan_yaml, migration.plan_file ?? migration.name);
        if (options.dryRun) {
          const preview = await ferry.preview(migration, undefined, { forgetMap: options.forgetMap === true });
          if (options.json) return printJson(preview);
          return printPreview(preview.rows, preview.counts, preview.warnings, false);
        }
        const distributed = options.workers ? await distributedRun(ferryOptions(command).store) : undefined;
        try {
          await withProgress(ferry, options.json === true, (o) =>
            ferry.run(migration, { ...o, ...(distributed?.options ?? {}), ...(options.job.length > 0 ? { jobs: options.job } : {}), ...(options.reset ? { reset: true } : {}), ...(options.forgetMap ? { forgetMap: true } : {}), ...(options.confirmReset ? { confirmReset: options.confirmReset } : {}) }),
          );
        } finally {
          await distributed?.close();
        }
      });
    });

  program
    .command('rerun <run>')
    .description('re-run only the FAILED, INCOMPLETE and TIMED_OUT items of a run (within the re-run window, 12 days by default)')
    .option('--item <sourceId...>', 'only these items (source ids from `ferry items`)')
    .option('--json', 'print the result as JSON')
    .action(async (runArg: string, options: { item?: string[]; json?: boolean }, command: Command) => {
      const runId = parseRunId(runArg);
      await withFerry(command, async (ferry) => {
        if (options.item) await checkRerunItems(ferry, runId, options.item);
        await withProgress(ferry, options.json === true, (o) => ferry.rerun(runId, { ...o, ...(options.item ? { sourceIds: options.item } : {}) }));
      });
    });

  program
    .command('undo <run>')
    .description('delete, in reverse dependency order, what a run created on the target, unless it changed since')
    .option('--job <name>', 'undo only what this job of the run wrote')
    .option('--step <type>', 'undo only this step (object type) of the run: in every job that has it, or in --job only')
    .option('--json', 'print the result as JSON')
    .action(async (runArg: string, options: { step?: string; job?: string; json?: boolean }, command: Command) => {
      const runId = parseRunId(runArg);
      await withFerry(command, async (ferry) => {
        if (options.step) await checkStep(ferry, runId, options.step, options.job);
        await withProgress(ferry, options.json === true, (o) => ferry.undo(runId, { ...o, ...(options.step ? { type: options.step } : {}), ...(options.job ? { job: options.job } : {}) }));
      });
    });

  program
    .command('verify <migration>')
    .description('read source and target afresh and compare every migrated item; names each difference (writes nothing to the target)')
    .option('--json', 'print the result as JSON (no progress bars)')
    .addHelpText('after', `
Every run already ends with this check; \`ferry verify\` runs it again on demand, for example after
someone edited the target. It compares, per object type, the counts and, per item, what the
connector carries (content, every revision with author and time, file checksums, references to the
right target objects, memberships...). Items it finds missing or different are forgotten by the ID
map, so the next \`ferry run\` writes them again.

Exit codes: 0 the target matches, 1 user error, 3 internal error, 5 differences found.

Examples:
  ferry verify wiki-move
  ferry verify wiki-move --json | jq '.summary.verify.discrepancies'`)
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      await withFerry(command, async (ferry) => withProgress(ferry, options.json === true, async (o) => ferry.verify(await migrationFrom(ferry, name), o)));
    });

  program
    .command('stop <migration>')
    .description('stop the running run of a migration: items in flight finish, the rest stay READY (status STOPPED)')
    .action(async (name: string, _options: unknown, command: Command) => {
      await withFerry(command, async (ferry) => {
        const run = await ferry.stop(await ferry.migrations.byName(name));
        process.stdout.write(`Stop requested for run ${run.id}; it ends after the items in flight.\n`);
      });
    });

  program
    .command('cancel <run>')
    .description('cancel READY items of a running run (every item of one type, or named items); the rest keep running')
    .option('--item <sourceId...>', 'source ids to cancel')
    .option('--type <type>', 'cancel every READY item of this type')
    .action(async (runArg: string, options: { item?: string[]; type?: string }, command: Command) => {
      if (!options.item && !options.type) throw new UserError('Say what to cancel', { hint: 'use --item <id...> or --type <type>' });
      await withFerry(command, async (ferry) => {
        const run = await ferry.requireRun(parseRunId(runArg));
        if (run.status !== 'RUNNING') throw new UserError(`Run ${run.id} is ${run.status}, not running: there is nothing to cancel`);
        const n = await ferry.store.cancelItems(run.id, { ...(options.type ? { type: options.type } : {}), ...(options.item ? { sourceIds: options.item } : {}) }, ferry.now());
        process.stdout.write(`Cancelled ${n} item(s) of run ${run.id}.\n`);
      });
    });
}
