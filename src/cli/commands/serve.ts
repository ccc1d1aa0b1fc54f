import { Command } from 'commander';
import { UserError } from '../../app/errors.js';
import { Ferry } from '../../app/ferry.js';
import { isPostgresUrl, redactStoreUrl } from '../../store/store-url.js';
import { ferryOptions } from '../context.js';
import { parseCount } from '../validate.js';

/** `ferry serve`: the REST API on the CLI's data folder, until Ctrl-C. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('serve the dashboard and the REST API (reference at /api/docs) on the same data folder as the CLI')
    .option('--port <port>', 'TCP port', '4190')
    .option('--host <host>', 'address to listen on; anything but 127.0.0.1 exposes Ferry to the network (put HTTPS in front)', '127.0.0.1')
    .option('--trust-proxy', 'behind a reverse proxy: believe its X-Forwarded-Proto (HTTPS there marks the session cookie Secure)')
    .option('--workers', 'runs and re-runs started from the dashboard or the API hand their batches to `ferry worker` processes on the same PostgreSQL store (--store), as `ferry run --workers` does (also: FERRY_WORKERS=1)')
    .addHelpText('after', `
With --workers (or FERRY_WORKERS=1) the store must be on PostgreSQL; start any number of
\`ferry worker --store URL\` processes, here or on other machines (docs/operations.md, Workers).
A run that has batches waiting and no worker alive says so on its page. A request may still
choose per run: \`"workers": false\` in POST /api/migrations/{name}/runs runs it in the server.

Examples:
  ferry serve
  ferry serve --store postgres://ferry:***@db:5432/ferry --workers`)
    .action(async (options: { port: string; host: string; trustProxy?: boolean; workers?: boolean }, command: Command) => {
      const port = parseCount('--port', options.port, { min: 0, max: 65535 });
      const workers = options.workers === true || /^(1|true|yes)$/i.test(process.env.FERRY_WORKERS?.trim() ?? '');
      const { store } = ferryOptions(command);
      // Refused before anything is opened: the workers and their queue live in the PostgreSQL store.
      if (workers && !(store && isPostgresUrl(store))) {
        throw new UserError(`\`ferry serve --workers\` needs the store on PostgreSQL${store ? `; ${redactStoreUrl(store)} is not a PostgreSQL URL` : ''}`, {
          hint: 'give --store postgres://USER:PASSWORD@HOST:PORT/DATABASE (or FERRY_STORE), the same store as every `ferry worker`; or serve without --workers (and without FERRY_WORKERS) to run in this process',
        });
      }
      const ferry = await Ferry.open(ferryOptions(command));
      try {
        await serveUntilStopped(ferry, { port, host: options.host, ...(options.trustProxy ? { trustProxy: true } : {}), ...(workers ? { workers: true } : {}) });
      } finally {
        await ferry.close();
      }
    });
}

/**
 * Serves the dashboard and API on `ferry` until Ctrl-C or SIGTERM, printing
 * the address and, on a data folder without users, the one-time setup token.
 * Shared by `ferry serve` and `ferry demo --serve`.
 */
export async function serveUntilStopped(ferry: Ferry, options: { port: number; host: string; trustProxy?: boolean; workers?: boolean }): Promise<void> {
  // The HTTP stack (Fastify, its schemas, the dashboard's files) loads when a server starts, not with every command.
  const { buildServer } = await import('../../server/server.js');
  const server = await buildServer({ ferry, ...(options.trustProxy ? { trustProxy: true } : {}), ...(options.workers ? { workers: true } : {}) });
  try {
    await server.app.listen({ port: options.port, host: options.host });
  } catch (error) {
    await server.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UserError(`Port ${options.port} on ${options.host} is in use`, { hint: 'choose another with --port' });
    throw error;
  }
  const address = server.app.server.address();
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${typeof address === 'object' && address ? address.port : options.port}`;
  process.stdout.write(`Ferry dashboard on ${url}/ (REST API reference: ${url}/api/docs), data folder ${ferry.dataDir}\n`);
  if (options.workers && ferry.storeUrl) process.stdout.write(`Runs started here hand their batches to the workers on ${redactStoreUrl(ferry.storeUrl)}: start them with \`ferry worker --store URL\`.\n`);
  if (server.setupToken) {
    process.stdout.write(
      `\nNo user exists yet. Open ${url}/ and create the first admin with this one-time setup token:\n\n  ${server.setupToken}\n\n` +
        `or from a script:\n  curl -X POST ${url}/api/setup -H 'content-type: application/json' \\\n    -d '{"token":"${server.setupToken}","name":"admin","password":"<at least 12 characters>"}'\n\n`,
    );
  } else {
    process.stdout.write(`Sign in at ${url}/ with a user of this data folder.\n`);
  }
  process.stdout.write('Press Ctrl-C to stop; runs started here are asked to stop first.\n');
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void ferry.store.requestStopOfProcess(process.pid).finally(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stdout.write('Stopping: waiting for runs in progress to stop after their items in flight...\n');
  await server.close();
}
