import { PlanError } from '../core/plan.js';
import { UserError } from '../app/errors.js';
import { ConnectorError, isUserError } from '../sdk/errors.js';

/** Prints an error the way a person can act on it: message, details, hint; a stack only for our own bugs. */
export function reportError(error: unknown, debug: boolean): number {
  const out = process.stderr;
  if (error instanceof PlanError) {
    out.write(`error: ${error.message}\n`);
    out.write('hint: fix the plan and check it with `ferry plan validate <file>`\n');
    return 2;
  }
  if (error instanceof UserError) {
    out.write(`error: ${error.message}\n`);
    for (const line of error.details) out.write(`  - ${line}\n`);
    if (error.hint) out.write(`hint: ${error.hint}\n`);
    return 1;
  }
  if (error instanceof ConnectorError && isUserError(error.kind)) {
    out.write(`error: ${error.message}\n`);
    if (error.hint) out.write(`hint: ${error.hint}\n`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  out.write(`internal error: ${message}\n`);
  if (debug && error instanceof Error && error.stack) out.write(`${error.stack}\n`);
  else out.write('This is a bug in Ferry. Run again with FERRY_DEBUG=1 for details and report it.\n');
  return 3;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function table(rows: Array<Record<string, string | number | null | undefined>>, columns: string[]): string {
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => String(r[c] ?? ''))))].join('\n');
}
