import type { Finding, Inventory, ItemHeader } from '../sdk/connector.js';
import { toConnectorError } from '../sdk/errors.js';
import type { MigrationContext } from './context.js';
import type { Plan } from './plan.js';
import { isTypeEnabled } from './planner.js';

export interface PrecheckInput {
  ctx: MigrationContext;
  sourceInventory: Inventory;
  targetInventory: Inventory;
  /** When each side's inventory was taken (ISO), for the staleness warning. */
  discoveredAt: { source: string | null; target: string | null };
  now: Date;
  reset: { requested: boolean; confirmation: string | undefined; targetName: string };
}

/**
 * Pre-migration checks: errors block the run, warnings do not. Platform
 * checks come from the connectors; the engine adds its own.
 */
export async function runPrechecks(input: PrecheckInput): Promise<Finding[]> {
  const { ctx } = input;
  const findings: Finding[] = [];
  const maxAgeMs = ctx.plan.options.inventoryMaxAgeHours * 3_600_000;
  for (const side of ['source', 'target'] as const) {
    const at = input.discoveredAt[side];
    if (!at || input.now.getTime() - new Date(at).getTime() > maxAgeMs) {
      findings.push({
        level: 'warning',
        code: 'inventory-stale',
        message: `The ${side} inventory ${at ? `is from ${at}, older than ${ctx.plan.options.inventoryMaxAgeHours} h` : 'was never taken'}`,
        hint: `run \`ferry connection discover ${side === 'source' ? ctx.scope.source : ctx.scope.target}\``,
      });
    }
  }
  if (input.reset.requested && input.reset.confirmation !== input.reset.targetName) {
    findings.push({
      level: 'error',
      code: 'reset-unconfirmed',
      message: `Target reset deletes everything on "${input.reset.targetName}" except Ferry's own account, and needs a confirmation that names it`,
      hint: `add --confirm-reset "${input.reset.targetName}"`,
    });
  }
  const principal = ctx.types.find((t) => t.principal);
  if (principal) {
    const mapped = Object.entries(ctx.plan.users.map).flatMap(([, c]) => (typeof c === 'object' ? [c.map] : []));
    if (mapped.length > 0) {
      const found = await ctx.target.lookup(principal.name, mapped, { signal: ctx.signal });
      for (const name of mapped.filter((n) => !found.has(n))) {
        findings.push({ level: 'error', code: 'mapped-user-missing', message: `users.map sends someone to "${name}", who does not exist on the target`, hint: 'create that user on the target or change users.map' });
      }
    }
  }
  const selectedTypes = ctx.types.filter((t) => isTypeEnabled(ctx.plan, t.name)).map((t) => t.name);
  const largestItem: Record<string, ItemHeader | undefined> = {};
  for (const [role, session, other] of [
    ['source', ctx.source, input.targetInventory],
    ['target', ctx.target, input.sourceInventory],
  ] as const) {
    if (!session.precheck) continue;
    try {
      const namespaceSelected = (type: string, namespace: string) => isNamespaceSelected(ctx.plan, type, namespace);
      findings.push(...(await session.precheck({ role, otherInventory: other, selectedTypes, largestItem, namespaceSelected }, { signal: ctx.signal })));
    } catch (error) {
      const e = toConnectorError(error);
      findings.push({ level: 'error', code: 'precheck-failed', message: `The ${role} pre-checks could not run: ${e.message}`, ...(e.hint ? { hint: e.hint } : {}) });
    }
  }
  return findings;
}

/**
 * Whether the plan may select items of `type` in `namespace`: false only
 * when a filter certainly leaves the whole namespace out.
 */
export function isNamespaceSelected(plan: Plan, type: string, namespace: string): boolean {
  const applies = (f: { type?: string | undefined }) => !f.type || f.type === type;
  const excluded = plan.exclude.some((f) => applies(f) && f.namespace?.includes(namespace) && !f.pattern && !f.modifiedSince);
  if (excluded) return false;
  const includes = plan.include.filter(applies);
  if (includes.length > 0 && includes.every((f) => f.namespace && !f.namespace.includes(namespace))) return false;
  return true;
}
