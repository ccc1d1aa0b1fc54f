import { parseDocument } from 'yaml';
import type { Filter, JobSpec } from './plan.js';
import type { JobLayout } from './planner.js';

/**
 * Edits of a plan's `jobs:` list, as the CLI's `ferry job ...` commands and
 * the dashboard's jobs page make them. Each returns a new list; the planner
 * then validates it like any plan. A plan without jobs is edited from the
 * standard jobs it runs with.
 */

/** An edit that cannot apply (a job that does not exist, a name taken...). */
export class JobEditError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'JobEditError';
  }
}

/** The planner's extra job for types no job names: shown, never saved. */
export const NOT_IN_ANY_JOB = 'Not in any job';

/** The jobs to edit: the plan's own, or the standard ones laid out for it. */
export function editableJobs(layout: JobLayout, planJobs: JobSpec[] | undefined): JobSpec[] {
  if (planJobs) return planJobs.map((j) => ({ name: j.name, steps: [...j.steps], ...(j.scope ? { scope: j.scope.map((f) => ({ ...f })) } : {}) }));
  return layout.jobs.filter((j) => j.name !== NOT_IN_ANY_JOB).map((j) => ({ name: j.name, steps: j.steps.map((s) => s.type) }));
}

function indexOf(jobs: JobSpec[], name: string): number {
  const at = jobs.findIndex((j) => j.name === name);
  if (at < 0) throw new JobEditError(`No job named "${name}"`, `the jobs are: ${jobs.map((j) => `"${j.name}"`).join(', ') || 'none'}`);
  return at;
}

function freeName(jobs: JobSpec[], name: string): void {
  if (name.trim() === '') throw new JobEditError('A job needs a name');
  if (jobs.some((j) => j.name === name)) throw new JobEditError(`A job named "${name}" exists already`, 'choose another name');
}

/** Adds a job at `position` (1-based; the end when absent). */
export function addJob(jobs: JobSpec[], job: JobSpec, position?: number): JobSpec[] {
  freeName(jobs, job.name);
  const at = position === undefined ? jobs.length : Math.min(Math.max(position - 1, 0), jobs.length);
  return [...jobs.slice(0, at), job, ...jobs.slice(at)];
}

export function removeJob(jobs: JobSpec[], name: string): JobSpec[] {
  const at = indexOf(jobs, name);
  return jobs.filter((_, i) => i !== at);
}

export function renameJob(jobs: JobSpec[], name: string, newName: string): JobSpec[] {
  const at = indexOf(jobs, name);
  if (newName !== name) freeName(jobs, newName);
  return jobs.map((j, i) => (i === at ? { ...j, name: newName } : j));
}

/** Moves a job one place up or down, or to a 1-based position. */
export function moveJob(jobs: JobSpec[], name: string, to: 'up' | 'down' | number): JobSpec[] {
  const from = indexOf(jobs, name);
  const target = to === 'up' ? from - 1 : to === 'down' ? from + 1 : to - 1;
  if (target < 0 || target >= jobs.length) throw new JobEditError(`Job "${name}" cannot move ${typeof to === 'number' ? `to position ${to}` : to}: there are ${jobs.length} job(s) and it is number ${from + 1}`);
  const rest = jobs.filter((_, i) => i !== from);
  return [...rest.slice(0, target), jobs[from]!, ...rest.slice(target)];
}

export function setSteps(jobs: JobSpec[], name: string, steps: string[]): JobSpec[] {
  const at = indexOf(jobs, name);
  if (steps.length === 0) throw new JobEditError(`Job "${name}" needs at least one step`, 'remove the job instead');
  return jobs.map((j, i) => (i === at ? { ...j, steps } : j));
}

/** Sets (or with an empty list clears) a job's scope. */
export function setScope(jobs: JobSpec[], name: string, scope: Filter[]): JobSpec[] {
  const at = indexOf(jobs, name);
  return jobs.map((j, i) => {
    if (i !== at) return j;
    const { scope: _old, ...rest } = j;
    return scope.length > 0 ? { ...rest, scope } : rest;
  });
}

/**
 * The plan's YAML with its `jobs:` replaced, everything else (comments,
 * layout, other keys) kept. An empty list removes `jobs:`: the plan runs
 * with the standard jobs again.
 */
export function withJobs(yaml: string, jobs: JobSpec[]): string {
  const doc = parseDocument(yaml);
  if (jobs.length === 0) doc.delete('jobs');
  else doc.set('jobs', doc.createNode(jobs.map((j) => ({ name: j.name, steps: j.steps, ...(j.scope && j.scope.length > 0 ? { scope: j.scope } : {}) }))));
  return doc.toString();
}

/** The field a planner or plan error names, as `jobs.<n>...` (for a 400 that points at it). */
export function jobsField(message: string): string | undefined {
  return /^(jobs(?:\.[\w-]+)*)\s*:/.exec(message)?.[1];
}
