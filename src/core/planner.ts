import type { ObjectTypeSpec } from '../sdk/connector.js';
import type { Filter, Plan } from './plan.js';

/**
 * Turns a plan and a connector's object types into jobs of steps: the
 * "standard jobs" in dependency order, or the plan's own jobs checked
 * against the dependencies (a broken order is a warning, not a refusal).
 */

export interface PlannedStep {
  type: string;
  label: string;
  /** false: shown as Skipped, with the reason. */
  applies: boolean;
  reason?: string;
}

export interface PlannedJob {
  name: string;
  steps: PlannedStep[];
  scope?: Filter[];
}

export interface JobLayout {
  jobs: PlannedJob[];
  warnings: string[];
}

export class PlanMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanMismatch';
  }
}

/** Object types in an order where every type comes after the types it depends on. */
export function dependencyOrder(types: ObjectTypeSpec[]): ObjectTypeSpec[] {
  const byName = new Map(types.map((t) => [t.name, t]));
  const ordered: ObjectTypeSpec[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (type: ObjectTypeSpec, trail: string[]): void => {
    const seen = state.get(type.name);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new Error(`object types depend on each other in a cycle: ${[...trail, type.name].join(' -> ')}`);
    state.set(type.name, 'visiting');
    for (const dep of type.dependsOn) {
      const depType = byName.get(dep);
      if (depType) visit(depType, [...trail, type.name]);
    }
    state.set(type.name, 'done');
    ordered.push(type);
  };
  for (const type of types) visit(type, []);
  return ordered;
}

export function isTypeEnabled(plan: Plan, type: string): boolean {
  return plan.types[type] !== false;
}

export function layoutJobs(types: ObjectTypeSpec[], plan: Plan): JobLayout {
  const known = new Set(types.map((t) => t.name));
  for (const name of Object.keys(plan.types)) {
    if (!known.has(name)) {
      throw new PlanMismatch(`types.${name}: this platform has no object type "${name}" (it has: ${[...known].join(', ')})`);
    }
  }
  const step = (type: ObjectTypeSpec): PlannedStep =>
    isTypeEnabled(plan, type.name)
      ? { type: type.name, label: type.label, applies: true }
      : { type: type.name, label: type.label, applies: false, reason: `"${type.name}" is turned off in the plan` };

  if (!plan.jobs) return { jobs: standardJobs(types).map((job) => ({ name: job.name, steps: job.types.map(step) })), warnings: [] };

  const byName = new Map(types.map((t) => [t.name, t]));
  const placed = new Set<string>();
  const names = new Set<string>();
  const jobs: PlannedJob[] = plan.jobs.map((job, j) => {
    // Jobs are run and undone by name: two with one name could not be told apart.
    if (names.has(job.name)) throw new PlanMismatch(`jobs.${j}.name: another job is already named "${job.name}" (give each job its own name)`);
    names.add(job.name);
    const inJob = new Set<string>();
    return {
      name: job.name,
      ...(job.scope ? { scope: job.scope } : {}),
      steps: job.steps.map((name, s) => {
        const type = byName.get(name);
        if (!type) throw new PlanMismatch(`jobs.${j}.steps.${s}: unknown step "${name}" (steps are object types: ${[...known].join(', ')})`);
        // Several jobs may take one type (each with its own scope); twice in one job would list the same items twice.
        if (inJob.has(name)) throw new PlanMismatch(`jobs.${j}.steps.${s}: step "${name}" is already in job "${job.name}" (use another job with its own scope)`);
        inJob.add(name);
        placed.add(name);
        return step(type);
      }),
    };
  });
  const left = dependencyOrder(types).filter((t) => !placed.has(t.name));
  if (left.length > 0) {
    jobs.push({ name: 'Not in any job', steps: left.map((t) => ({ type: t.name, label: t.label, applies: false, reason: `"${t.name}" is in none of the plan's jobs` })) });
  }
  return { jobs, warnings: orderWarnings(jobs, byName) };
}

/** Users and groups first, then everything else, each in dependency order. */
function standardJobs(types: ObjectTypeSpec[]): Array<{ name: string; types: ObjectTypeSpec[] }> {
  const ordered = dependencyOrder(types);
  const people = ordered.filter((t) => t.principal);
  const content = ordered.filter((t) => !t.principal);
  return [
    ...(people.length > 0 ? [{ name: 'Users and groups', types: people }] : []),
    ...(content.length > 0 ? [{ name: 'Content', types: content }] : []),
  ];
}

function orderWarnings(jobs: PlannedJob[], byName: Map<string, ObjectTypeSpec>): string[] {
  const warnings: string[] = [];
  const position = new Map<string, number>();
  let index = 0;
  for (const job of jobs) for (const s of job.steps) if (!position.has(s.type)) position.set(s.type, index++);
  index = 0;
  for (const job of jobs) {
    for (const s of job.steps) {
      const here = index++;
      if (!s.applies) continue;
      for (const dep of byName.get(s.type)?.dependsOn ?? []) {
        const depAt = position.get(dep);
        if (depAt === undefined || depAt > here) {
          warnings.push(
            `Step "${s.type}" (job "${job.name}") runs before "${dep}", which it depends on: references to ${dep} items not migrated yet will not resolve. Recommended order: ${dep} first.`,
          );
        }
      }
    }
  }
  return warnings;
}

/** Why a run cannot take these jobs (a name the layout lacks), or undefined when it can. */
export function unknownJobs(layout: JobLayout, names: string[]): string | undefined {
  const known = layout.jobs.map((j) => j.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length === 0) return undefined;
  return `no job named ${unknown.map((n) => `"${n}"`).join(', ')}: the jobs are ${known.map((n) => `"${n}"`).join(', ')}`;
}
