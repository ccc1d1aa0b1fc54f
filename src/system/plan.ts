/**
 * The plan of a system migration (issue 9): `kind: system` marks it, so
 * item-migration plans stay exactly as they are.
 *
 * @example
 * kind: system
 * name: wiki-move
 * platform: mediawiki
 * source: { host: local, configFile: /srv/old-wiki/LocalSettings.php }
 * target: { host: local, configFile: /srv/new-wiki/LocalSettings.php }
 * options: { secretKeys: true, sourceAfter: read-only }
 */
import { isMap, parseDocument } from 'yaml';
import { z } from 'zod';
import { PlanError } from '../core/plan.js';
import { hostConfigSchema } from './host-config.js';
import type { SystemOptions } from './types.js';

const sideSchema = z.strictObject({
  host: hostConfigSchema.default('local'),
  configFile: z.string().min(1).regex(/^\//, 'an absolute path on that host'),
  codeDir: z.string().min(1).regex(/^\//, 'an absolute path on that host').optional(),
  env: z.record(z.string(), z.string()).optional(),
  /** A folder on that host for Ferry's copy state (and, on the target, the snapshot: the way back). */
  workDir: z.string().min(1).regex(/^\//, 'an absolute path on that host').optional(),
});

const optionsSchema = z.strictObject({
  settings: z.enum(['basic', 'swap']).default('basic'),
  secretKeys: z.boolean().default(false),
  logs: z.boolean().default(false),
  newUrl: z.string().url().optional(),
  sourceAfter: z.enum(['maintenance', 'read-only', 'online']).default('maintenance'),
  restartCommand: z.array(z.string().min(1)).min(1).optional(),
});

export const systemPlanSchema = z.strictObject({
  kind: z.literal('system'),
  name: z.string().min(1).regex(/^[\p{L}\p{N} _.-]+$/u, 'use letters, digits, space, dot, dash or underscore'),
  description: z.string().optional(),
  platform: z.enum(['mediawiki', 'wordpress']),
  source: sideSchema,
  target: sideSchema,
  options: optionsSchema.default({ settings: 'basic', secretKeys: false, logs: false, sourceAfter: 'maintenance' }),
  /** Connection names (ferry connection add) to compare source and target through the API afterwards. */
  verify: z.strictObject({ source: z.string().min(1), target: z.string().min(1) }).optional(),
});

export type SystemPlan = z.infer<typeof systemPlanSchema>;
export type SystemPlanSide = z.infer<typeof sideSchema>;

/** Whether a plan's text is a system migration's (`kind: system`), without validating it. */
export function isSystemPlanText(text: string): boolean {
  try {
    const doc = parseDocument(text);
    const raw: unknown = doc.toJS();
    return isMap(doc.contents) && (raw as { kind?: unknown }).kind === 'system';
  } catch {
    return false;
  }
}

/** Parses and validates a system plan; PlanError names each wrong field. */
export function parseSystemPlan(text: string, file = 'plan'): SystemPlan {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new PlanError(file, doc.errors.map((e) => ({ path: '', line: e.linePos?.[0]?.line, message: `YAML syntax: ${e.message.split('\n')[0]}` })));
  const parsed = systemPlanSchema.safeParse(doc.toJS({ maxAliasCount: 100 }));
  if (parsed.success) return parsed.data;
  throw new PlanError(file, parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')} (see docs/system-migration.md)` : issue.message,
  })));
}

export function systemOptions(plan: SystemPlan): SystemOptions {
  const o = plan.options;
  return { settings: o.settings, secretKeys: o.secretKeys, logs: o.logs, sourceAfter: o.sourceAfter, ...(o.newUrl ? { newUrl: o.newUrl } : {}), ...(o.restartCommand ? { restartCommand: o.restartCommand } : {}) };
}

/** How the migrations table names each side (its source/target columns). */
export function sideLabel(plan: SystemPlan, side: 'source' | 'target'): string {
  const s = plan[side];
  const where = s.host === 'local' ? 'local' : `${s.host.ssh.user}@${s.host.ssh.host}`;
  return `${plan.platform}@${where}:${s.configFile}`;
}
