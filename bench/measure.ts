import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';

/** What one measured child process did. */
export interface Measured {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall clock from spawn to exit. */
  seconds: number;
  /** Highest VmHWM (peak resident set) seen for the process itself, in bytes. */
  peakRssBytes: number;
  /** Highest VmHWM among its descendants, if it started any (0 when none was seen). */
  peakChildRssBytes: number;
  /** How many /proc samples were taken. */
  samples: number;
  /** User + system CPU seconds of the process (last sample before it exited; a lower bound). */
  cpuSeconds: number;
}

export interface MeasureOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Poll period for /proc/<pid>/status; default 100 ms. */
  pollMs?: number;
  /** Streams the child's stderr (progress, warnings) as it arrives. */
  onStderr?: (chunk: string) => void;
  /** Called once the child is started (the engine bench kills it from its progress lines). */
  onSpawn?: (pid: number) => void;
}

/** VmHWM of a process in bytes, or undefined when it is gone (or a zombie). */
export function vmHwmBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

// USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK).
const CLOCK_TICKS = 100;

/** utime + stime of a process in seconds, or undefined when it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** Every descendant pid of `pid` (through /proc/<pid>/task/<tid>/children). */
function descendants(pid: number): number[] {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift()!;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${current}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      let children = '';
      try {
        children = readFileSync(`/proc/${current}/task/${tid}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const child of children.split(/\s+/).filter(Boolean).map(Number)) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/**
 * Runs a command to completion, timing its wall clock and polling its peak
 * resident set (VmHWM, which the kernel keeps as a high-water mark, so a
 * sample only has to come late, not at the peak) every `pollMs`.
 */
export function measureProcess(command: string, args: readonly string[], options: MeasureOptions = {}): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid;
    if (pid === undefined) {
      reject(new Error(`could not start ${command}`));
      return;
    }
    options.onSpawn?.(pid);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      options.onStderr?.(chunk);
    });
    let peak = 0;
    let childPeak = 0;
    let samples = 0;
    let cpuSeconds = 0;
    const sample = (): void => {
      const own = vmHwmBytes(pid);
      if (own === undefined) return;
      samples++;
      cpuSeconds = cpuSecondsOf(pid) ?? cpuSeconds;
      peak = Math.max(peak, own);
      for (const descendant of descendants(pid)) childPeak = Math.max(childPeak, vmHwmBytes(descendant) ?? 0);
    };
    sample();
    const timer = setInterval(sample, options.pollMs ?? 100);
    child.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    let ended: bigint | undefined;
    child.on('exit', () => {
      ended = process.hrtime.bigint();
      clearInterval(timer);
    });
    child.on('close', (exitCode, signal) => {
      clearInterval(timer);
      const seconds = Number((ended ?? process.hrtime.bigint()) - started) / 1e9;
      resolve({ exitCode, signal, stdout, stderr, seconds, peakRssBytes: peak, peakChildRssBytes: childPeak, samples, cpuSeconds });
    });
  });
}

/** Times an async step. */
export async function timed<T>(body: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = process.hrtime.bigint();
  const value = await body();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** Samples the 1-minute load average while a phase runs: the bench shares the machine with whatever else runs. */
export class LoadSampler {
  private readonly values: number[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(periodMs = 2000) {
    this.values.push(loadavg()[0]!);
    this.timer = setInterval(() => this.values.push(loadavg()[0]!), periodMs);
    this.timer.unref();
  }

  stop(): { mean: number; max: number } {
    clearInterval(this.timer);
    this.values.push(loadavg()[0]!);
    return { mean: this.values.reduce((a, b) => a + b, 0) / this.values.length, max: Math.max(...this.values) };
  }
}

export function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function describeFailure(what: string, m: Measured): string {
  return `${what} exited with ${m.signal ?? m.exitCode}\n--- stderr (tail) ---\n${tail(m.stderr)}\n--- stdout (tail) ---\n${tail(m.stdout)}`;
}

/** The JSON `ferry ... --json` printed (the whole stdout, or its last top-level object). */
export function parseJsonOutput(stdout: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    const start = stdout.lastIndexOf('\n{');
    if (start < 0) return undefined;
    try {
      return JSON.parse(stdout.slice(start + 1)) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
}
