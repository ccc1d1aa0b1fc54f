/**
 * Reading local files on worker threads: their SHA-256 (OpenSSL, with the
 * CPU's SHA instructions where it has them: about 0.7 s of CPU per GB here,
 * the read included) or a byte-for-byte comparison of two (about a third of
 * that), so checking a copy runs beside the kernel copies and the event loop
 * instead of on it.
 * A pool of up to two workers (the machines Ferry runs on have 2 or more
 * cores), started on first use; an idle worker does not keep the process alive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * CommonJS source of a worker: hashes the file it is sent, or compares two files byte for byte, reading 256 KiB
 * at a time: both buffers then stay in the core's cache between the read and the comparison (1 GB compared took
 * 0.57-0.59 s of CPU with 256 KiB against 0.63-0.66 s with 1 MiB, three rounds on tmpfs, 2026-12-01).
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const CHUNK = 256 * 1024;
const one = Buffer.allocUnsafe(CHUNK);
const two = Buffer.allocUnsafe(CHUNK);
function readFull(fd, buffer) {
  let got = 0;
  for (;;) {
    const n = readSync(fd, buffer, got, buffer.length - got, null);
    if (n === 0) return got;
    got += n;
    if (got === buffer.length) return got;
  }
}
function hash(path) {
  const fd = openSync(path, 'r');
  try {
    const hash = createHash('sha256');
    let n;
    while ((n = readSync(fd, one, 0, one.length, null)) > 0) hash.update(one.subarray(0, n));
    return hash.digest('hex');
  } finally {
    closeSync(fd);
  }
}
function same(a, b) {
  const fa = openSync(a, 'r');
  try {
    const fb = openSync(b, 'r');
    try {
      for (;;) {
        const na = readFull(fa, one);
        const nb = readFull(fb, two);
        if (na !== nb || !one.subarray(0, na).equals(two.subarray(0, nb))) return false;
        if (na === 0) return true;
      }
    } finally {
      closeSync(fb);
    }
  } finally {
    closeSync(fa);
  }
}
parentPort.on('message', ({ id, path, other }) => {
  try {
    parentPort.postMessage({ id, value: other === undefined ? hash(path) : same(path, other) });
  } catch (error) {
    parentPort.postMessage({ id, error: { code: error && error.code, path: error && error.path, message: String(error && error.message) } });
  }
});
`;

interface Job {
  id: number;
  path: string;
  other?: string;
  resolve(value: string | boolean): void;
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
  slot.worker.on('message', (message: { id: number; value?: string | boolean; error?: { code?: string; path?: string; message: string } }) => {
    const job = slot.job;
    slot.job = undefined;
    if (job && job.id === message.id) {
      if (message.value !== undefined) job.resolve(message.value);
      else job.reject(Object.assign(new Error(message.error?.message ?? 'reading the file failed'), { code: message.error?.code, path: message.error?.path }));
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
    slot.worker.postMessage({ id: job.id, path: job.path, other: job.other });
  }
  // Idle workers let the process exit.
  for (const w of workers) if (!w.job) w.worker.unref();
}

function submit(path: string, other?: string): Promise<string | boolean> {
  return new Promise((resolve, reject) => {
    queue.push({ id: nextId++, path, ...(other !== undefined ? { other } : {}), resolve, reject });
    pump();
  });
}

/** SHA-256 hex of a local file, computed on a worker thread. Rejects with the fs error (its `code` and `path` kept). */
export async function sha256File(path: string): Promise<string> {
  return (await submit(path)) as string;
}

/**
 * Whether two local files hold the same bytes, compared on a worker thread: the proof of a copy made on this
 * machine, a third of the CPU of hashing both (one read of each, no SHA-256 rounds). Rejects as sha256File.
 */
export async function sameBytes(a: string, b: string): Promise<boolean> {
  return (await submit(a, b)) as boolean;
}
