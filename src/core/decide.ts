import type { ItemHeader, TargetRef, WriteMode } from '../sdk/connector.js';
import type { ConflictPolicy, Plan, UserChoice } from './plan.js';
import type { MappingRecord } from './ports.js';

/**
 * What the engine does with one selected item, decided from the ID map and
 * what the target already holds. Pure: the runner and the dry run share it.
 */
export type Decision =
  | { action: 'unchanged'; targetId: string; reason: string }
  | { action: 'adopt'; target: TargetRef; reason: string }
  | { action: 'write'; mode: WriteMode; existing?: TargetRef; origin: 'created' | 'adopted'; reason: string }
  | { action: 'fail'; reason: string };

export interface DecideInput {
  item: ItemHeader;
  mapping: MappingRecord | undefined;
  /** What a natural-key lookup found on the target (only asked when needed). */
  found: TargetRef | undefined;
  conflict: ConflictPolicy;
  /** People are matched by name: an existing account is adopted, never renamed. */
  principal?: boolean;
}

/** Whether the decision needs a target lookup by natural key. */
export function needsLookup(mapping: MappingRecord | undefined): boolean {
  return !mapping || mapping.state === 'pending' || !mapping.targetId;
}

export function decide({ item, mapping, found, conflict, principal = false }: DecideInput): Decision {
  if (mapping && mapping.state === 'done' && mapping.targetId) {
    const existing: TargetRef = { targetId: mapping.targetId, ...(mapping.version ? { version: mapping.version } : {}) };
    if (mapping.origin === 'adopted' && conflict === 'skip') {
      return { action: 'unchanged', targetId: mapping.targetId, reason: 'adopted from the target earlier; conflict policy is skip' };
    }
    if (mapping.hash === item.hash) {
      return { action: 'unchanged', targetId: mapping.targetId, reason: `unchanged since run ${mapping.runId}` };
    }
    return { action: 'write', mode: 'update', existing, origin: mapping.origin, reason: 'changed on the source since the last run' };
  }
  if (mapping && mapping.state === 'pending') {
    // An earlier attempt did not finish. A rename wrote under a new key, so
    // repeat it (connectors make the renamed key deterministic); otherwise
    // what sits under the natural key now is ours.
    const failed = mapping.lastError ? `a write that failed (${mapping.lastError})` : undefined;
    if (mapping.pendingMode === 'rename') return { action: 'write', mode: 'rename', origin: 'created', reason: failed ? `retrying ${failed} under a new name` : 'retrying an interrupted renamed write' };
    if (found) return { action: 'write', mode: 'update', existing: found, origin: mapping.origin, reason: failed ? `retrying ${failed}; the target holds part of it` : 'finishing an interrupted write' };
    return { action: 'write', mode: 'create', origin: mapping.origin, reason: failed ? `retrying ${failed}` : 'retrying an interrupted write' };
  }
  if (!found) return { action: 'write', mode: 'create', origin: 'created', reason: 'not on the target yet' };
  if (principal && conflict === 'rename') return { action: 'adopt', target: found, reason: 'an account with this name is already on the target: adopted (people are never renamed)' };
  switch (conflict) {
    case 'skip':
      return { action: 'adopt', target: found, reason: 'already on the target (conflict policy: skip)' };
    case 'update':
      return { action: 'write', mode: 'update', existing: found, origin: 'adopted', reason: 'already on the target (conflict policy: update)' };
    case 'rename':
      return { action: 'write', mode: 'rename', origin: 'created', reason: 'already on the target (conflict policy: rename)' };
    default: {
      const never: never = conflict;
      throw new Error(`unknown conflict policy ${String(never)}`);
    }
  }
}

/** The plan's choice for one source user. */
export function userChoice(plan: Plan, name: string): UserChoice {
  return plan.users.map[name] ?? plan.users.default;
}
