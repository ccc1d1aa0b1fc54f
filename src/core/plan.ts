import { z } from 'zod';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

/**
 * Plans as code: the YAML a person writes, validated so that every error
 * names the field and the line it is on.
 */

const isoDate = z
  .union([z.string(), z.date()])
  .transform((value, ctx) => {
    const date = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'expected a date such as 2024-01-31 or 2024-01-31T12:00:00Z' });
      return z.NEVER;
    }
    return date.toISOString();
  });

const namespaces = z.array(z.union([z.string(), z.number()]).transform(String)).min(1);

export const filterSchema = z.strictObject({
  /** Object type the filter applies to; all types when absent. */
  type: z.string().optional(),
  /** Glob on the item's label: `*` any characters, `?` one. */
  pattern: z.string().optional(),
  namespace: namespaces.optional(),
  modifiedSince: isoDate.optional(),
});
export type Filter = z.infer<typeof filterSchema>;

const itemChoiceSchema = z.strictObject({
  type: z.string(),
  /** Natural key or label of the item. */
  key: z.string(),
  migrate: z.boolean(),
});

const userChoice = z.union([
  z.literal('create'),
  z.literal('placeholder'),
  z.strictObject({ map: z.string().min(1) }),
]);
export type UserChoice = z.infer<typeof userChoice>;

const usersSchema = z.strictObject({
  /** What happens to source users that `map` does not name. */
  default: z.enum(['create', 'placeholder']).default('create'),
  map: z.record(z.string(), userChoice).default({}),
  /** Target account that receives unmatched and placeholder authors. */
  placeholder: z.string().min(1).default('Ferry placeholder'),
});

const jobSchema = z.strictObject({
  name: z.string().min(1),
  steps: z.array(z.string()).min(1),
  scope: z.array(filterSchema).optional(),
});
export type JobSpec = z.infer<typeof jobSchema>;

// Upper bounds keep every derived time valid: a timer over 2^31 ms fires at once in Node,
// and a window of millions of days makes a date that does not exist.
const optionsSchema = z.strictObject({
  itemTimeoutSeconds: z.number().positive().max(86_400, 'at most 86400 (one day)').default(600),
  concurrency: z.number().int().min(1).max(16).default(2),
  batchSize: z.number().int().min(1).max(500).optional(),
  inventoryMaxAgeHours: z.number().positive().max(87_600, 'at most 87600 (ten years)').default(24),
  rerunWindowDays: z.number().positive().max(3_650, 'at most 3650 (ten years)').default(12),
  reset: z.boolean().default(false),
  maxAttempts: z.number().int().min(1).max(10).default(4),
  /** Compare source and target afresh after the last step (core/verify.ts). */
  verify: z.boolean().default(true),
});

export const planSchema = z.strictObject({
  name: z.string().min(1).regex(/^[\p{L}\p{N} _.-]+$/u, 'use letters, digits, space, dot, dash or underscore'),
  description: z.string().optional(),
  source: z.string().min(1),
  target: z.string().min(1),
  /** Object types on (true) or off (false); types not named are on. */
  types: z.record(z.string(), z.boolean()).default({}),
  include: z.array(filterSchema).default([]),
  exclude: z.array(filterSchema).default([]),
  items: z.array(itemChoiceSchema).default([]),
  users: usersSchema.default({ default: 'create', map: {}, placeholder: 'Ferry placeholder' }),
  conflict: z.enum(['skip', 'update', 'rename']).default('skip'),
  jobs: z.array(jobSchema).optional(),
  options: optionsSchema.default({
    itemTimeoutSeconds: 600,
    concurrency: 2,
    inventoryMaxAgeHours: 24,
    rerunWindowDays: 12,
    reset: false,
    maxAttempts: 4,
    verify: true,
  }),
});
export type Plan = z.infer<typeof planSchema>;
export type ConflictPolicy = Plan['conflict'];

export interface PlanProblem {
  path: string;
  line?: number;
  message: string;
}

export class PlanError extends Error {
  readonly problems: PlanProblem[];
  readonly file: string;

  constructor(file: string, problems: PlanProblem[]) {
    super(
      `${file} is not a valid plan:\n` +
        problems.map((p) => `  ${p.line ? `line ${p.line}: ` : ''}${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'),
    );
    this.name = 'PlanError';
    this.file = file;
    this.problems = problems;
  }
}

/** A plan is a few kilobytes; a larger file is a mistake (a 60 MB one took about 4 GB to parse). */
export const MAX_PLAN_BYTES = 1_000_000;
/** Aliases a plan may use (`*name`); the cap stops a "billion laughs" document from expanding. */
export const MAX_PLAN_ALIASES = 50;

/** Throws PlanError when a plan of `bytes` is over the limit: callers with a file check before reading it. */
export function checkPlanSize(bytes: number, file: string): void {
  if (bytes > MAX_PLAN_BYTES) {
    throw new PlanError(file, [{ path: '', message: `the file is ${bytes} bytes; a plan may be at most ${MAX_PLAN_BYTES} bytes (1 MB): is this the right file?` }]);
  }
}

/** Parses and validates plan YAML; throws PlanError with field names and lines. */
export function parsePlan(text: string, file = 'plan'): Plan {
  checkPlanSize(Buffer.byteLength(text, 'utf8'), file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PlanError(
      file,
      doc.errors.map((e) => ({
        path: '',
        line: e.linePos?.[0]?.line,
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
      })),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_PLAN_ALIASES });
  } catch (error) {
    // The yaml library throws a ReferenceError for alias bombs and for an alias without its anchor.
    const message = error instanceof Error ? error.message : String(error);
    const bomb = /excessive alias count/i.test(message);
    throw new PlanError(file, [{ path: '', message: bomb ? `YAML aliases (*name) expand too much: at most ${MAX_PLAN_ALIASES} alias uses are allowed; write the values out instead` : `YAML: ${message}` }]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new PlanError(file, [{ path: '', line: 1, message: 'a plan is a YAML mapping with at least name, source and target' }]);
  }
  if ((raw as { kind?: unknown }).kind === 'system') {
    // System migrations (src/system/plan.ts) have their own schema and runner.
    throw new PlanError(file, [{ path: 'kind', line: lineOf(doc.contents as Node | null, ['kind'], lineCounter, true), message: 'this is a system migration plan (kind: system): save it with `ferry system plan <file>` and run it with `ferry run <name>` (see docs/system-migration.md)' }]);
  }
  const parsed = planSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new PlanError(
    file,
    parsed.error.issues.map((issue) => {
      const path = issue.path.map(String);
      const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : [];
      const nodePath = unknownKeys.length > 0 ? [...path, unknownKeys[0] as string] : path;
      const line = lineOf(doc.contents as Node | null, nodePath, lineCounter, unknownKeys.length > 0);
      const message =
        unknownKeys.length > 0
          ? `unknown field${unknownKeys.length > 1 ? 's' : ''} ${unknownKeys.map((k) => `"${k}"`).join(', ')} (see docs/plans.md for the fields a plan has)`
          : issue.message;
      return { path: path.join('.'), line, message };
    }),
  );
}

/** Finds the line of the node at `path`, falling back to the closest parent. */
function lineOf(root: Node | null, path: string[], counter: LineCounter, keyLine: boolean): number | undefined {
  let node: Node | null = root;
  let line = node?.range ? counter.linePos(node.range[0]).line : undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String((p.key as { value?: unknown } | null)?.value ?? p.key) === segment);
      if (!pair) break;
      const keyNode = pair.key as Node | null;
      const valueNode = pair.value as Node | null;
      const anchor = keyLine ? keyNode : (valueNode ?? keyNode);
      if (anchor?.range) line = counter.linePos(anchor.range[0]).line;
      node = valueNode;
    } else if (isSeq(node)) {
      const child = node.items[Number(segment)] as Node | undefined;
      if (!child) break;
      if (child.range) line = counter.linePos(child.range[0]).line;
      node = child;
    } else {
      break;
    }
  }
  return line;
}
