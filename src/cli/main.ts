#!/usr/bin/env node
import { Command } from 'commander';
import { TOOL_VERSION } from '../app/connections.js';
import { connectionCommand } from './commands/connection.js';
import { demoCommand } from './commands/demo.js';
import { jobsCommands } from './commands/jobs.js';
import { planCommand } from './commands/plan.js';
import { reportCommands } from './commands/report.js';
import { runCommands } from './commands/run.js';
import { serveCommand } from './commands/serve.js';
import { systemCommand } from './commands/system.js';
import { wizardCommand } from './commands/wizard.js';
import { workerCommands } from './commands/worker.js';
import { reportError } from './output.js';

const program = new Command('ferry')
  .description('Ferry moves users, content and files from one platform instance to another: planned, previewed, resumable, undoable, verified.')
  .version(TOOL_VERSION)
  .option('--data-dir <dir>', 'data folder: store, logs, encryption key (env FERRY_HOME)', process.env.FERRY_HOME ?? '.ferry')
  // No default shown: FERRY_STORE may hold a password, and --help must not print it.
  .option('--store <url>', 'keep the store on PostgreSQL: postgres://USER:PASSWORD@HOST:PORT/DATABASE (env FERRY_STORE); default: ferry.sqlite in the data folder')
  .showSuggestionAfterError()
  .addHelpText(
    'after',
    `
A migration in four commands:
  ferry connection add old-wiki --platform mediawiki --url http://old.example --username Admin@ferry --password-env OLD_PW
  ferry connection add new-wiki --platform mediawiki --url http://new.example --username Admin@ferry --password-env NEW_PW
  ferry run plan.yaml --dry-run      # what would happen, item by item
  ferry run plan.yaml                # do it; run again later to carry only what changed

Or let the wizard ask: ferry wizard. Plans are YAML: see docs/plans.md.
The same over HTTP: ferry serve (REST API on 127.0.0.1:4190, see docs/api.md).`,
  );

program.addCommand(connectionCommand());
program.addCommand(planCommand());
runCommands(program);
jobsCommands(program);
reportCommands(program);
program.addCommand(wizardCommand());
program.addCommand(demoCommand());
program.addCommand(serveCommand());
program.addCommand(systemCommand());
workerCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.exitCode = reportError(error, process.env.FERRY_DEBUG === '1');
});
