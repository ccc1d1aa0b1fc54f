import { Command } from 'commander';
import { UserError } from '../../app/errors.js';
import { Ferry } from '../../app/ferry.js';
import { buildServer } from '../../server/server.js';
import { ferryOptions } from '../context.js';
import { parseCount } from '../validate.js';

/** `ferry serve`: the REST API on the CLI's data folder, until Ctrl-C. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('serve the dashboard and the REST API (reference at /api/docs) on the same data folder as the CLI')
    .option('--port <port>', 'TCP port', '4190')
    .option('--host <host>', 'address to listen on; anything but 127.0.0.1 exposes Ferry to the network (put HTTPS in front)', '127.0.0.1')
    .option('--trust-proxy', 'behind a reverse proxy: believe its X-Forwarded-Proto (HTTPS there marks the session cookie Secure)')
    .action(async (options: { port: string; host: string; trustProxy?: boolean }, command: Command) => {
      const port = parseCount('--port', options.port, { min: 0, max: 65535 });
      const ferry = await Ferry.open(ferryOptions(command));
      try {
        await serveUntilStopped(ferry, { port, host: options.host, ...(options.trustProxy ? { trustProxy: true } : {}) });
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
export async function serveUntilStopped(ferry: Ferry, options: { port: number; host: string; trustProxy?: boolean }): Promise<void> {
  const server = await buildServer({ ferry, ...(options.trustProxy ? { trustProxy: true } : {}) });
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
