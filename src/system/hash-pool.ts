/**
 * SHA-256 of local files on worker threads (OpenSSL, with the CPU's SHA
 * instructions where it has them: about 2 GB/s a thread here), so hashing a
 * file runs beside the kernel copies and the event loop instead of on it.
 * A pool of up to two workers (the machines Ferry runs on have 2 or more
 * cores), started on first use; an idle worker does not keep the process alive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** CommonJS source of a worker: hashes the file it is sent, reading 4 MiB at a time. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
parentPort.on('message', ({ id, path }) => {
  let fd;
  try {
    const hash = createHash('sha256');
    fd = openSync(path, 'r');
    let n;
    while ((n = readSync(fd, buffer, 0, buffer.length, null)) > 0) hash.update(buffer.subarray(0, n));
    parentPort.postMessage({ id, hex: hash.digest('hex') });
  } catch (error) {
    parentPort.postMessage({ id, error: { code: error && error.code, message: String(error && error.message) } });
  } finally {
    if (fd !== undefined) try { closeSync(fd); } catch {}
  }
});
`;

interface Job {
  id: number;
  path: string;
  resolve(hex: string): void;
  reject(error: Error): void;
}

interface PoolWorker {
  worker: Worker;
  job: Job | undefined;
}

const SIZE = Math.max(1, Math.min(2, availableParallelism()));
const workers: PoolWorker[] = [];
const queue: Job[] = [];
let nextId = 1;

function fail(slot: PoolWorker, error: Error): void {
  const index = workers.indexOf(slot);
  if (index >= 0) workers.splice(index, 1);
  slot.job?.reject(error);
  slot.job = undefined;
  pump();
}

function start(): PoolWorker {
  const slot: PoolWorker = { worker: new Worker(WORKER_SOURCE, { eval: true }), job: undefined };
  slot.worker.on('message', (message: { id: number; hex?: string; error?: { code?: string; message: string } }) => {
    const job = slot.job;
    slot.job = undefined;
    if (job && job.id === message.id) {
      if (message.hex) job.resolve(message.hex);
      else job.reject(Object.assign(new Error(message.error?.message ?? 'hash failed'), { code: message.error?.code }));
    }
    pump();
  });
  slot.worker.on('error', (error) => fail(slot, error));
  slot.worker.on('exit', (code) => fail(slot, new Error(`the hashing thread exited with ${code}`)));
  workers.push(slot);
  return slot;
}

function pump(): void {
  while (queue.length > 0) {
    const slot = workers.find((w) => !w.job) ?? (workers.length < SIZE ? start() : undefined);
    if (!slot) break;
    const job = queue.shift() as Job;
    slot.job = job;
    slot.worker.ref();
    slot.worker.postMessage({ id: job.id, path: job.path });
  }
  // Idle workers let the process exit.
  for (const w of workers) if (!w.job) w.worker.unref();
}

/** SHA-256 hex of a local file, computed on a worker thread. Rejects with the fs error (its `code` kept). */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    queue.push({ id: nextId++, path, resolve, reject });
    pump();
  });
}
