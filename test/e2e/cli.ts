import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the real `ferry` command as its own process (no TTY: plain progress lines on stderr). */
export function spawnFerry(dataDir: string, args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<CliResult>; onStderr(listener: (text: string) => void): void } {
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, ...args], { env: { ...process.env, ...env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const listeners: Array<(text: string) => void> = [];
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const l of listeners) l(stderr);
  });
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done, onStderr: (listener) => listeners.push(listener) };
}

export async function ferry(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return spawnFerry(dataDir, args, env).done;
}

/** Parses the JSON a `--json` command printed, with the output in the error when it is not JSON. */
export function json<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`expected JSON (exit ${result.code}).\nstdout: ${result.stdout.slice(0, 2000)}\nstderr: ${result.stderr.slice(0, 4000)}`);
  }
}

/** The highest `type: done/total` progress line printed so far for a step. */
export function progressOf(stderr: string, step: string): number {
  let best = -1;
  for (const match of stderr.matchAll(new RegExp(`^  ${step}: (\\d+)/(\\d+)$`, 'gm'))) best = Math.max(best, Number(match[1]));
  return best;
}

/** Starts `ferry run <plan>` and kills it with SIGKILL once `when` holds for what it printed. */
export async function killWhen(dataDir: string, plan: string, when: (stderr: string) => boolean): Promise<void> {
  const run = spawnFerry(dataDir, ['run', plan]);
  run.onStderr((stderr) => {
    if (when(stderr) && run.child.exitCode === null) run.child.kill('SIGKILL');
  });
  const result = await run.done;
  expect(result.signal, `the run ended before the kill point:\n${result.stdout}\n${result.stderr}`).toBe('SIGKILL');
}

/**
 * Waits until `ferry workers --json` lists every one of `workers` (or
 * `timeoutMs` passes) and returns the last listing. A worker that exits
 * before joining fails the wait at once, with its exit code and output.
 */
export async function waitForWorkers<W extends { pid: number }>(
  dataDir: string,
  env: Record<string, string>,
  workers: Array<{ child: ChildProcess; done: Promise<CliResult> }>,
  timeoutMs = 180_000,
): Promise<W[]> {
  const exited: string[] = [];
  for (const w of workers) void w.done.then((r) => exited.push(`worker ${w.child.pid} exited (${r.code ?? r.signal}): ${r.stderr.slice(-2000)}`));
  let joined: W[] = [];
  let lastError = '';
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited.length > 0) throw new Error(exited.join('\n'));
    const listed = await ferry(dataDir, ['workers', '--json'], env);
    if (listed.code === 0) joined = json<W[]>(listed);
    else lastError = `ferry workers exited ${listed.code}: ${listed.stderr.slice(-1000)}`;
    if (workers.every((w) => joined.some((j) => j.pid === w.child.pid))) return joined;
    await new Promise((r) => setTimeout(r, 500));
  }
  if (exited.length > 0) throw new Error(exited.join('\n'));
  throw new Error(`not every worker joined within ${timeoutMs / 1000} s: listed ${joined.map((j) => j.pid).join(', ') || 'none'} of ${workers.map((w) => w.child.pid).join(', ')}${lastError ? `; ${lastError}` : ''}`);
}
