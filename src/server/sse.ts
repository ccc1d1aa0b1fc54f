import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FerryStore } from '../store/ferry-store.js';

const POLL_MS = 300;

/**
 * Live progress of a run as server-sent events, read from the store: a run
 * started by the CLI in another process shows up the same as one the server
 * runs. Events: `run` (status and summary), `step` (a step whose status or
 * counts changed), `event` (a log line). The stream ends after the run does.
 */
export async function streamRun(store: FerryStore, runId: number, request: FastifyRequest, reply: FastifyReply, shutdown: AbortSignal): Promise<void> {
  reply.hijack();
  const out = reply.raw;
  out.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  let closed = false;
  request.raw.on('close', () => (closed = true));
  // The server's shutdown ends open streams: it would otherwise wait for every browser to leave.
  shutdown.addEventListener('abort', () => (closed = true));
  const send = (event: string, data: unknown) => out.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const lastEventHeader = request.headers['last-event-id'];
  let afterId = Number(Array.isArray(lastEventHeader) ? lastEventHeader[0] : lastEventHeader) || 0;
  const seenSteps = new Map<number, string>();
  let seenRun = '';
  try {
    while (!closed) {
      const run = await store.getRun(runId);
      if (!run) {
        send('error', { error: `No run ${runId}` });
        break;
      }
      for (const step of await store.listSteps(runId)) {
        const key = `${step.status}|${step.done}|${step.total}`;
        if (seenSteps.get(step.idx) !== key) {
          seenSteps.set(step.idx, key);
          send('step', step);
        }
      }
      for (;;) {
        const events = await store.listEventsAfter({ runId, afterId, limit: 200 });
        for (const e of events) {
          out.write(`id: ${e.id}\nevent: event\ndata: ${JSON.stringify(e)}\n\n`);
          afterId = e.id;
        }
        if (events.length < 200) break;
      }
      const runKey = `${run.status}|${run.endedAt ?? ''}`;
      if (runKey !== seenRun) {
        seenRun = runKey;
        send('run', run);
      }
      if (run.status !== 'RUNNING') {
        send('end', { status: run.status });
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    out.end();
  }
}

/**
 * The migrations list, live: a `migration` event whenever one's last run
 * starts or changes status (whoever started it: this server, another, the
 * CLI), with a `ready` event once the current state has been sent. It runs
 * until the client goes.
 */
export async function streamMigrations(store: FerryStore, request: FastifyRequest, reply: FastifyReply, shutdown: AbortSignal): Promise<void> {
  reply.hijack();
  const out = reply.raw;
  out.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  let closed = false;
  request.raw.on('close', () => (closed = true));
  // The server's shutdown ends open streams: it would otherwise wait for every browser to leave.
  shutdown.addEventListener('abort', () => (closed = true));
  const seen = new Map<number, string>();
  let ready = false;
  try {
    while (!closed) {
      for (const archived of [false, true]) {
        for (const m of await store.migrations.list({ archived })) {
          const last = await store.lastRun(m.id);
          const key = `${archived}|${last?.id ?? 0}|${last?.status ?? 'SAVED'}`;
          if (seen.get(m.id) === key) continue;
          seen.set(m.id, key);
          out.write(`event: migration\ndata: ${JSON.stringify({ id: m.id, name: m.name, archived, lastRun: last ? { id: last.id, kind: last.kind, status: last.status, startedAt: last.startedAt, endedAt: last.endedAt } : null })}\n\n`);
        }
      }
      if (!ready) {
        ready = true;
        out.write('event: ready\ndata: {}\n\n');
      } else {
        out.write(': keep-alive\n\n');
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS * 2));
    }
  } finally {
    out.end();
  }
}
