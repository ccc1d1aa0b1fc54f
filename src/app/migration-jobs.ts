import { editableJobs, JobEditError, jobsField, NOT_IN_ANY_JOB, withJobs } from '../core/job-edit.js';
import { parsePlan, PlanError, type Filter, type JobSpec, type Plan } from '../core/plan.js';
import { layoutJobs, PlanMismatch, type PlannedStep } from '../core/planner.js';
import type { ObjectTypeSpec } from '../sdk/connector.js';
import { connectorFor } from './connections.js';
import { UserError } from './errors.js';
import type { Ferry } from './ferry.js';
import type { MigrationRow } from './migrations.js';

/**
 * A saved migration's jobs, read and edited through the planner: the CLI's
 * `ferry jobs` / `ferry job ...`, and the API's /api/migrations/:name/jobs.
 */

export interface JobsView {
  migration: string;
  /** true: the plan names no jobs, these are the standard jobs laid out for it. */
  standard: boolean;
  jobs: Array<{ name: string; scope: Filter[]; steps: PlannedStep[] }>;
  /** Steps out of dependency order (a warning, never a refusal). */
  warnings: string[];
  /** The object types a step can take, in dependency order of the platform. */
  types: Array<{ name: string; label: string; dependsOn: string[] }>;
}

/** Edited jobs the planner refuses; `field` names the bad one as `jobs.<n>...`. */
export class JobsInvalid extends UserError {
  constructor(message: string, readonly field: string, options: { hint?: string; details?: string[] } = {}) {
    super(message, options);
    this.name = 'JobsInvalid';
  }
}

async function typesOf(ferry: Ferry, plan: Plan): Promise<ObjectTypeSpec[]> {
  return connectorFor((await ferry.connections.get(plan.source)).platform).objectTypes;
}

export async function jobsOf(ferry: Ferry, row: MigrationRow): Promise<JobsView> {
  const plan = parsePlan(row.plan_yaml, row.name);
  const types = await typesOf(ferry, plan);
  const layout = layoutJobs(types, plan);
  return {
    migration: row.name,
    standard: !plan.jobs,
    jobs: layout.jobs.map((j) => ({ name: j.name, scope: j.scope ?? [], steps: j.steps })),
    warnings: layout.warnings,
    types: types.map((t) => ({ name: t.name, label: t.label, dependsOn: t.dependsOn })),
  };
}

/** Replaces the plan's `jobs:` (the rest of its YAML kept), validated by the planner, and saves it. */
export async function saveJobs(ferry: Ferry, row: MigrationRow, jobs: JobSpec[]): Promise<MigrationRow> {
  const yaml = withJobs(row.plan_yaml, jobs);
  let plan: Plan;
  try {
    plan = parsePlan(yaml, row.name);
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    const first = error.problems.find((p) => p.path?.startsWith('jobs')) ?? error.problems[0];
    throw new JobsInvalid(`${first?.path ? `${first.path}: ` : ''}${first?.message ?? 'the jobs are not valid'}`, first?.path ?? 'jobs', { details: error.problems.map((p) => `${p.path ? `${p.path}: ` : ''}${p.message}`) });
  }
  try {
    layoutJobs(await typesOf(ferry, plan), plan);
  } catch (error) {
    if (!(error instanceof PlanMismatch)) throw error;
    throw new JobsInvalid(error.message, jobsField(error.message) ?? 'jobs');
  }
  if (jobs.some((j) => j.name === NOT_IN_ANY_JOB)) throw new JobsInvalid(`"${NOT_IN_ANY_JOB}" is the name Ferry shows for types no job takes: choose another`, `jobs.${jobs.findIndex((j) => j.name === NOT_IN_ANY_JOB)}.name`);
  return ferry.migrations.save(plan, yaml, row.plan_file, ferry.now());
}

/** One edit (add, remove, rename, move, steps, scope) applied to the saved migration's jobs. */
export async function editJobs(ferry: Ferry, row: MigrationRow, edit: (jobs: JobSpec[]) => JobSpec[]): Promise<MigrationRow> {
  const plan = parsePlan(row.plan_yaml, row.name);
  const current = editableJobs(layoutJobs(await typesOf(ferry, plan), plan), plan.jobs);
  let next: JobSpec[];
  try {
    next = edit(current);
  } catch (error) {
    if (error instanceof JobEditError) throw new UserError(error.message, error.hint ? { hint: error.hint } : {});
    throw error;
  }
  if (next.length === 0) throw new UserError('A migration needs at least one job', { hint: 'add another job before removing this one' });
  return saveJobs(ferry, row, next);
}

/**
 * Replaces a saved migration's plan (the dashboard's Edit). A plan with
 * another `name:` renames the migration, unless that name is taken.
 */
export async function replacePlan(ferry: Ferry, row: MigrationRow, yaml: string): Promise<MigrationRow> {
  const plan = parsePlan(yaml, row.name);
  await ferry.validatePlan(plan);
  if (plan.name !== row.name && (await ferry.store.migrations.byName(plan.name))) {
    throw new JobsInvalid(`A migration named "${plan.name}" exists already: the plan cannot be renamed to it`, 'name', { hint: `keep "name: ${row.name}" or choose a free name` });
  }
  return ferry.store.migrations.update(row.id, { name: plan.name, planYaml: yaml, planFile: row.plan_file, source: plan.source, target: plan.target, at: ferry.now() });
}
