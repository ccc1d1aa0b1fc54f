import { Command, Option } from 'commander';
import { eventsToCsv } from '../../app/csv.js';
import { ITEM_STATUSES, type ItemStatus } from '../../core/statuses.js';
import { parseRunId, withFerry } from '../context.js';
import { printJson, table } from '../output.js';
import { parseCount } from '../validate.js';

/** The most rows `items` and `logs` print at once. */
const MAX_ROWS = 1_000_000;

export function reportCommands(program: Command): void {
  program
    .command('status [migration]')
    .description('without a name: every migration with the status of its last run; with one: its runs and steps')
    .option('--archived', 'show archived migrations')
    .option('--search <text>', 'only migrations whose name contains this')
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, options: { archived?: boolean; search?: string; json?: boolean }, command: Command) => {
      await withFerry(command, async (ferry) => {
        if (!name) {
          const list = await ferry.migrations.list({ ...(options.archived ? { archived: true } : {}), ...(options.search ? { search: options.search } : {}) });
          if (options.json) return printJson(list.map(({ plan_yaml: _p, ...rest }) => rest));
          if (list.length === 0) return void process.stdout.write('No migrations yet. Start one with `ferry run plan.yaml` or `ferry wizard`.\n');
          return void process.stdout.write(`${table(list.map((m) => ({ name: m.name, source: m.source, target: m.target, status: m.status, 'last run': m.lastRunId })), ['name', 'source', 'target', 'status', 'last run'])}\n`);
        }
        const migration = await ferry.migrations.byName(name);
        const runs = await ferry.store.listRuns(migration.id);
        const last = runs[0];
        const steps = last ? await ferry.store.listSteps(last.id) : [];
        if (options.json) return printJson({ migration: { name: migration.name, source: migration.source, target: migration.target }, runs, steps });
        process.stdout.write(`Migration "${migration.name}": ${migration.source} -> ${migration.target}, ${last ? `last run ${last.id} ${last.status}` : 'SAVED (never run)'}\n`);
        if (runs.length > 0) process.stdout.write(`\n${table(runs.slice(0, 10).map((r) => ({ run: r.id, kind: r.kind, status: r.status, started: r.startedAt.slice(0, 19), ended: r.endedAt?.slice(0, 19) ?? '', created: r.summary?.totals.created, updated: r.summary?.totals.updated, failed: r.summary?.totals.failed })), ['run', 'kind', 'status', 'started', 'ended', 'created', 'updated', 'failed'])}\n`);
        if (steps.length > 0) process.stdout.write(`\nSteps of run ${last!.id}:\n${table(steps.map((s) => ({ job: s.job, step: s.label, status: s.status, done: `${s.done}/${s.total}`, note: s.reason ?? '' })), ['job', 'step', 'status', 'done', 'note'])}\n`);
      });
    });

  program
    .command('items <run>')
    .description('the items of a run with their status and reason')
    .addOption(new Option('--status <status>', 'only items with this status').choices([...ITEM_STATUSES]))
    .option('--type <type>', 'only items of this type')
    .option('--limit <n>', 'at most this many rows (1 to 1000000)', '200')
    .option('--json', 'print JSON')
    .action(async (runArg: string, options: { status?: ItemStatus; type?: string; limit: string; json?: boolean }, command: Command) => {
      const limit = parseCount('--limit', options.limit, { min: 1, max: MAX_ROWS });
      const runId = parseRunId(runArg);
      await withFerry(command, async (ferry) => {
        const run = await ferry.requireRun(runId);
        const items = await ferry.store.listItems(run.id, { ...(options.type ? { type: options.type } : {}), ...(options.status ? { statuses: [options.status] } : {}), limit });
        if (options.json) return printJson(items);
        process.stdout.write(`${table(items.map((i) => ({ type: i.type, id: i.sourceId, label: i.label, status: i.status, outcome: i.outcome ?? '', reason: i.reason ?? '' })), ['type', 'id', 'label', 'status', 'outcome', 'reason'])}\n`);
      });
    });

  program
    .command('logs <migration>')
    .description('the events of a migration, newest first; --csv exports them (capped, with a retention period)')
    .option('--run <run>', 'only this run')
    .option('--csv', 'print CSV')
    .option('--limit <n>', 'at most this many events (1 to 1000000)', '4000')
    .option('--days <n>', 'retention in days (1 to 36500): this migration\'s events older than this are deleted first', '30')
    .option('--file', 'print the path of the last run\'s readable log file')
    .action(async (name: string, options: { run?: string; csv?: boolean; limit: string; days: string; file?: boolean }, command: Command) => {
      const limit = parseCount('--limit', options.limit, { min: 1, max: MAX_ROWS });
      const days = parseCount('--days', options.days, { min: 1, max: 36_500 });
      const runId = options.run !== undefined ? parseRunId(options.run) : undefined;
      await withFerry(command, async (ferry) => {
        const migration = await ferry.migrations.byName(name);
        if (options.file) {
          const last = await ferry.store.lastRun(migration.id);
          if (!last?.logFile) return void process.stdout.write('This migration has never run: no log file yet.\n');
          return void process.stdout.write(`${last.logFile}\n`);
        }
        const since = new Date(ferry.clock.now().getTime() - days * 86_400_000).toISOString();
        // Retention applies to this migration only: another migration's events are its own business.
        await ferry.store.purgeEvents(since, migration.id);
        const events = await ferry.store.listEvents({ migrationId: migration.id, limit, since, ...(runId !== undefined ? { runId } : {}) });
        if (options.csv) return void process.stdout.write(eventsToCsv(events));
        for (const e of events) process.stdout.write(`${e.at} ${e.level.toUpperCase().padEnd(5)} run ${e.runId ?? '-'} ${e.step ? `[${e.step}] ` : ''}${e.item ? `${e.item}: ` : ''}${e.message}\n`);
      });
    });

  program
    .command('actions <run>')
    .description('post-migration actions of a run: what a person must still do')
    .option('--json', 'print JSON')
    .action(async (runArg: string, options: { json?: boolean }, command: Command) => {
      const runId = parseRunId(runArg);
      await withFerry(command, async (ferry) => {
        const actions = await ferry.store.listActions((await ferry.requireRun(runId)).id);
        if (options.json) return printJson(actions);
        if (actions.length === 0) return void process.stdout.write('No post-migration actions.\n');
        for (const a of actions) process.stdout.write(`- [${a.code}] ${a.message}\n`);
      });
    });

  for (const [name, archived] of [['archive', true], ['unarchive', false]] as const) {
    program
      .command(`${name} <migration>`)
      .description(archived ? 'hide a migration from `ferry status` (see it again with --archived)' : 'bring an archived migration back')
      .action(async (migration: string, _options: unknown, command: Command) => {
        await withFerry(command, async (ferry) => {
          await ferry.migrations.setArchived(migration, archived);
          process.stdout.write(`${archived ? 'Archived' : 'Unarchived'} "${migration}".\n`);
        });
      });
  }
}
