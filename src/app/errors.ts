/** An error that is the user's to fix: printed as one message with its hint, no stack trace. */
export class UserError extends Error {
  readonly hint: string | undefined;
  readonly details: string[];

  constructor(message: string, options: { hint?: string; details?: string[] } = {}) {
    super(message);
    this.name = 'UserError';
    this.hint = options.hint;
    this.details = options.details ?? [];
  }
}
