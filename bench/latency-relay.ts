/**
 * A TCP relay on 127.0.0.1 that holds every chunk crossing it for `delayMs` in each direction (a round trip
 * of twice that, no bandwidth limit): a stand-in for the network between two servers, in front of a private
 * sshd. It runs in a process of its own, so that the process measured (Ferry, or the native pipe) pays nothing
 * for it and a bench process busy with synchronous work does not hold the traffic up.
 *
 * Its sockets send at once (TCP_NODELAY): with Nagle's algorithm the small packets of a protocol with
 * replies (an SFTP request, a window adjustment) wait for the previous one's acknowledgement, which delayed
 * ACKs hold back up to 40 ms more; real routers add no such wait, and both SSH clients set TCP_NODELAY.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const RELAY_JS = `
import { connect, createServer } from 'node:net';
const [port, delay] = process.argv.slice(1).map(Number);
const relay = createServer((client) => {
  const server = connect(port, '127.0.0.1');
  client.setNoDelay(true);
  server.setNoDelay(true);
  const hold = (from, to) => from.on('data', (chunk) => setTimeout(() => to.write(chunk), delay));
  hold(client, server);
  hold(server, client);
  for (const [a, b] of [[client, server], [server, client]]) {
    a.on('close', () => b.destroy());
    a.on('error', () => b.destroy());
  }
});
relay.listen(0, '127.0.0.1', () => process.stdout.write(relay.address().port + '\\n'));
`;

export interface LatencyRelay {
  port: number;
  stop(): void;
}

/** Starts the relay in front of 127.0.0.1:`targetPort`; stop() ends its process. */
export async function startLatencyRelay(targetPort: number, delayMs: number): Promise<LatencyRelay> {
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', RELAY_JS, String(targetPort), String(delayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the latency relay exited with ${code} before listening`)));
    child.stdout!.once('data', (data: Buffer) => resolve(Number(data.toString().trim())));
  });
  child.removeAllListeners('exit');
  return { port, stop: () => void child.kill() };
}
