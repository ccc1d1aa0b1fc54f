/**
 * Every failure a connector reports carries a kind; the engine's one retry
 * policy (`isRetriable`) reads the kind, never the message.
 */
export type ErrorKind =
  | 'config' // the configuration is wrong: fix it, retrying will not help
  | 'auth' // credentials rejected or rights missing
  | 'not_found' // the object or endpoint does not exist
  | 'conflict' // the target holds something that clashes with the item
  | 'rate_limited' // slow down; retryAfterMs says how long
  | 'transient' // network blip, 5xx: try again
  | 'too_large' // the item exceeds a limit of the target (upload size...)
  | 'data' // the item itself cannot be carried as it is
  | 'timeout' // the item took longer than the per-item limit
  | 'bug'; // our own fault: report it

export interface ConnectorErrorOptions {
  kind: ErrorKind;
  /** What the user can do about it, shown after the message. */
  hint?: string;
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * The error type connectors throw. Messages must never contain secrets.
 *
 * @example
 * throw new ConnectorError('Wrong bot password for "Admin@ferry"', {
 *   kind: 'auth',
 *   hint: 'Create a new bot password on Special:BotPasswords and run `ferry connection add` again.',
 * });
 */
export class ConnectorError extends Error {
  readonly kind: ErrorKind;
  readonly hint: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: ConnectorErrorOptions) {
    super(message, { cause: options.cause });
    this.name = 'ConnectorError';
    this.kind = options.kind;
    this.hint = options.hint;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The single engine-wide policy: which kinds are worth another attempt. */
export function isRetriable(kind: ErrorKind): boolean {
  switch (kind) {
    case 'rate_limited':
    case 'transient':
      return true;
    case 'config':
    case 'auth':
    case 'not_found':
    case 'conflict':
    case 'too_large':
    case 'data':
    case 'timeout':
    case 'bug':
      return false;
    default: {
      const never: never = kind;
      throw new Error(`unknown error kind ${String(never)}`);
    }
  }
}

/** Kinds that are the user's to fix: shown as one message, no stack trace. */
export function isUserError(kind: ErrorKind): boolean {
  return kind === 'config' || kind === 'auth' || kind === 'not_found' || kind === 'conflict';
}

/** Turns anything thrown into a ConnectorError ('bug' when we cannot tell). */
export function toConnectorError(error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
    return new ConnectorError('The operation was aborted', { kind: 'timeout', cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ConnectorError(message, { kind: 'bug', cause: error });
}
