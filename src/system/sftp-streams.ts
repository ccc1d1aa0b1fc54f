/**
 * SFTP file streams that keep several requests in flight. ssh2's own
 * createReadStream/createWriteStream send one READ or WRITE and wait for its
 * answer before the next, so a copy pays a round trip per 256 KiB (the
 * largest packet OpenSSH takes) and Ferry's process sat idle most of a copy
 * (CPU profile of `npm run bench -- --only system-mediawiki-ssh`: 3.8 s idle
 * of a 4.3 s copy). Here up to DEPTH requests are outstanding, as OpenSSH's
 * own sftp client does (its -R option, 64 by default), and the answers are
 * delivered in file order.
 */
import { Readable, Writable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';

/** Requests in flight per file; each one is a READ or WRITE of up to CHUNK bytes. */
const DEPTH = 16;
/** Bytes per request: OpenSSH's limit for a packet's data (256 KiB less the header room ssh2 keeps). */
const CHUNK = 255 * 1024;

// SFTP open flags (draft-ietf-secsh-filexfer-02): write, create, no truncation, no O_APPEND, so every write
// lands at the offset it names whatever order the server takes them in.
const OPEN_WRITE = 0x2;
const OPEN_CREATE = 0x8;
const OPEN_TRUNCATE = 0x10;
const SFTP_EOF = 1;

type Fail = (error: unknown) => Error;

/**
 * Read buffers used again once their bytes are written. Every copied chunk used to be a new 255 KiB
 * Buffer; V8 counts each as external memory and starts a full collection for every 64 MiB of it, so a
 * gigabyte through Ferry meant about 130 full collections (`--trace-gc`). A reader takes its buffers
 * here; the writer gives one back after the server has answered its WRITE (ssh2 may still read from it
 * until then: a server with a smaller write limit gets the rest of a chunk in later WRITEs).
 */
const POOLED = Symbol('ferry.sftpPooled');
const POOL_MAX = 128;
/** A pool unused this long is emptied, so a long-lived process (ferry serve) does not keep 32 MiB after a copy. */
const POOL_IDLE_MS = 5000;
const pool: Buffer[] = [];
let lastTaken = 0;
let drain: NodeJS.Timeout | undefined;

function takeBuffer(): Buffer {
  lastTaken = Date.now();
  return pool.pop() ?? Buffer.allocUnsafe(CHUNK);
}

function drainWhenIdle(): void {
  if (drain) return;
  drain = setTimeout(() => {
    drain = undefined;
    if (Date.now() - lastTaken >= POOL_IDLE_MS) pool.length = 0;
    else drainWhenIdle();
  }, POOL_IDLE_MS);
  drain.unref();
}

/** The chunk a reader handed on, as a view that says which pooled buffer it came from. */
function pooledView(buffer: Buffer, length: number): Buffer {
  const view = buffer.subarray(0, length);
  (view as Buffer & { [POOLED]?: Buffer })[POOLED] = buffer;
  return view;
}

function giveBack(chunk: Buffer): void {
  const buffer = (chunk as Buffer & { [POOLED]?: Buffer })[POOLED];
  if (!buffer) return;
  delete (chunk as Buffer & { [POOLED]?: Buffer })[POOLED];
  if (pool.length < POOL_MAX) pool.push(buffer);
  drainWhenIdle();
}

function closeQuietly(sftp: SFTPWrapper | undefined, handle: Buffer | undefined, then: () => void): void {
  if (!sftp || !handle) return then();
  sftp.close(handle, () => then());
}

interface Pending {
  offset: number;
  length: number;
  data?: Buffer;
  done: boolean;
}

/** Reads `path` from byte `start` to its end. Errors go through `fail` (the host's message for the file). */
export function sftpReader(session: Promise<SFTPWrapper>, path: string, start: number, fail: Fail): Readable {
  let sftp: SFTPWrapper | undefined;
  let handle: Buffer | undefined;
  let next = start;
  let ended = false;
  // Answers come back in request order from OpenSSH; the queue keeps file order whatever happens.
  let queue: Pending[] = [];
  let generation = 0;

  const stream = new Readable({
    highWaterMark: DEPTH * CHUNK,
    construct(callback) {
      session.then((opened) => {
        sftp = opened;
        sftp.open(path, 'r', (error, file) => {
          if (error) return callback(fail(error));
          handle = file;
          callback();
        });
      }, (error: unknown) => callback(fail(error)));
    },
    read() {
      fill();
    },
    destroy(error, callback) {
      closeQuietly(sftp, handle, () => callback(error));
      handle = undefined;
    },
  });

  function fill(): void {
    while (!ended && sftp && handle && queue.length < DEPTH) {
      const request: Pending = { offset: next, length: CHUNK, done: false };
      next += CHUNK;
      queue.push(request);
      const mine = generation;
      const buffer = takeBuffer();
      sftp.read(handle, buffer, 0, CHUNK, request.offset, (error, bytes) => {
        if (mine !== generation || stream.destroyed) return;
        if (error && (error as { code?: unknown }).code !== SFTP_EOF) return void stream.destroy(fail(error));
        request.data = error ? Buffer.alloc(0) : pooledView(buffer, bytes);
        request.done = true;
        deliver();
      });
    }
  }

  function deliver(): void {
    let more = true;
    while (queue[0]?.done) {
      const first = queue.shift()!;
      const data = first.data!;
      if (data.length === 0) {
        // End of file: the requests after it can only answer EOF too.
        ended = true;
        generation++;
        queue = [];
        const opened = handle;
        handle = undefined;
        closeQuietly(sftp, opened, () => stream.push(null));
        return;
      }
      more = stream.push(data);
      if (data.length < first.length) {
        // A short answer (a file that grew or shrank under the copy, or a server that returns less):
        // forget the requests after it and ask again from where this one stopped.
        generation++;
        queue = [];
        next = first.offset + data.length;
        break;
      }
    }
    if (more) fill();
  }

  return stream;
}

/**
 * Writes `path`: truncated first ('w'), or appended to what it holds ('a': a resumed copy continues at the
 * file's current size). `mode` applies to a file it creates. 'finish' comes after the server closed the file.
 */
export function sftpWriter(session: Promise<SFTPWrapper>, path: string, flags: 'a' | 'w', mode: number, fail: Fail): Writable {
  let sftp: SFTPWrapper | undefined;
  let handle: Buffer | undefined;
  let position = 0;
  let inFlight = 0;
  let failed: Error | undefined;
  let waiting: (() => void) | undefined;

  const settle = (): void => {
    const resume = waiting;
    waiting = undefined;
    resume?.();
  };

  return new Writable({
    highWaterMark: CHUNK,
    construct(callback) {
      session.then((connected) => {
        const channel = (sftp = connected);
        channel.open(path, OPEN_WRITE | OPEN_CREATE | (flags === 'w' ? OPEN_TRUNCATE : 0), { mode }, (error, opened) => {
          if (error) return callback(fail(error));
          handle = opened;
          if (flags === 'w') return callback();
          channel.fstat(opened, (statError, stats) => {
            if (statError) return callback(fail(statError));
            position = stats.size;
            callback();
          });
        });
      }, (error: unknown) => callback(fail(error)));
    },
    write(chunk: Buffer, _encoding, callback) {
      if (failed) return callback(failed);
      let pieces = Math.ceil(chunk.length / CHUNK);
      for (let at = 0; at < chunk.length; at += CHUNK) {
        const piece = chunk.subarray(at, at + CHUNK);
        inFlight++;
        sftp!.write(handle!, piece, 0, piece.length, position, (error) => {
          inFlight--;
          if (--pieces === 0) giveBack(chunk);
          if (error && !failed) failed = fail(error);
          settle();
        });
        position += piece.length;
      }
      // Take the next chunk at once while fewer than DEPTH writes are in flight; else when one answers.
      const admit = (): void => {
        if (failed) return callback(failed);
        if (inFlight < DEPTH) return callback();
        waiting = admit;
      };
      admit();
    },
    final(callback) {
      const drained = (): void => {
        if (inFlight > 0 && !failed) {
          waiting = drained;
          return;
        }
        if (failed) return callback(failed);
        const opened = handle!;
        handle = undefined;
        sftp!.close(opened, (error) => callback(error ? fail(error) : undefined));
      };
      drained();
    },
    destroy(error, callback) {
      closeQuietly(sftp, handle, () => callback(error));
      handle = undefined;
    },
  });
}
