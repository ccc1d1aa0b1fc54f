import { spawn } from 'node:child_process';

export interface RunCommandOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed. */
  input?: string | Buffer;
  signal?: AbortSignal;
  /** Receives output as it arrives (for long installs); output is still collected. */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** Strings (passwords) replaced by *** in error messages. */
  secrets?: readonly string[];
}

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** A child process that exited non-zero or could not start; secrets already redacted. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

// Errors keep only the tail of long output: maintenance scripts print their
// progress first and the reason for a failure last.
const ERROR_OUTPUT_LIMIT = 4000;

export function redact(text: string, secrets: readonly string[] = []): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length > 0) result = result.split(secret).join('***');
  }
  return result;
}

function tail(text: string): string {
  return text.length > ERROR_OUTPUT_LIMIT ? `...${text.slice(-ERROR_OUTPUT_LIMIT)}` : text;
}

/** Runs a command to completion and returns its output; throws CommandError on failure. */
export async function runCommand(
  command: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  const secrets = options.secrets ?? [];
  const display = redact([command, ...args].join(' '), secrets);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      signal: options.signal,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      options.onOutput?.(chunk.toString('utf8'), 'stdout');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      options.onOutput?.(chunk.toString('utf8'), 'stderr');
    });
    child.once('error', (error) => {
      reject(new CommandError(`${display}: ${redact(error.message, secrets)}`, null, '', ''));
    });
    child.once('close', (code) => {
      const out = Buffer.concat(stdout).toString('utf8');
      const err = Buffer.concat(stderr).toString('utf8');
      if (code === 0) {
        resolve({ stdout: out, stderr: err });
        return;
      }
      const detail = redact(tail(err.trim() || out.trim()), secrets);
      reject(new CommandError(`${display} exited with ${code}: ${detail}`, code, out, err));
    });
    // A child that exits before reading its input raises EPIPE on stdin; the
    // exit code already tells the story, so the pipe error is not interesting.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input);
  });
}
