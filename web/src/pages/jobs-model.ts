/** The jobs page's data: the API's shapes and the edits it makes before Save. */

export interface Filter {
  type?: string;
  pattern?: string;
  namespace?: Array<string | number>;
  modifiedSince?: string;
}

export interface PlannedStep {
  type: string;
  label: string;
  applies: boolean;
  reason?: string;
}

export interface JobsView {
  migration: string;
  standard: boolean;
  jobs: Array<{ name: string; scope: Filter[]; steps: PlannedStep[] }>;
  warnings: string[];
  types: Array<{ name: string; label: string; dependsOn: string[] }>;
}

/** One job as edited: what PUT /api/migrations/:name/jobs takes, with a stable key for React. */
export interface EditedJob {
  key: string;
  name: string;
  steps: string[];
  scope: Filter[];
}

/** The planner's own job for types no job takes: shown, never edited or saved. */
export const NOT_IN_ANY_JOB = 'Not in any job';

let counter = 0;
export const newKey = (): string => `job-${++counter}`;

export function editable(view: JobsView): EditedJob[] {
  return view.jobs.filter((j) => j.name !== NOT_IN_ANY_JOB).map((j) => ({ key: newKey(), name: j.name, steps: j.steps.map((s) => s.type), scope: j.scope }));
}

/** The body of PUT .../jobs: empty filter fields dropped. */
export function toBody(jobs: EditedJob[]): { jobs: Array<{ name: string; steps: string[]; scope?: Filter[] }> } {
  return {
    jobs: jobs.map((j) => {
      const scope = j.scope.map(cleanFilter).filter((f) => Object.keys(f).length > 0);
      return { name: j.name, steps: j.steps, ...(scope.length > 0 ? { scope } : {}) };
    }),
  };
}

function cleanFilter(f: Filter): Filter {
  return {
    ...(f.type ? { type: f.type } : {}),
    ...(f.pattern ? { pattern: f.pattern } : {}),
    ...(f.namespace && f.namespace.length > 0 ? { namespace: f.namespace } : {}),
    ...(f.modifiedSince ? { modifiedSince: f.modifiedSince } : {}),
  };
}

/**
 * Steps that run before a type they depend on, as the planner words it:
 * shown while editing, before Save asks the server.
 */
export function orderWarnings(jobs: EditedJob[], types: JobsView['types']): string[] {
  const first = new Map<string, number>();
  let index = 0;
  for (const job of jobs) for (const s of job.steps) if (!first.has(s)) first.set(s, index++);
  const warnings: string[] = [];
  index = 0;
  for (const job of jobs) {
    for (const s of job.steps) {
      const here = index++;
      for (const dep of types.find((t) => t.name === s)?.dependsOn ?? []) {
        const at = first.get(dep);
        if (at === undefined || at > here) warnings.push(`Step "${s}" (job "${job.name}") runs before "${dep}", which it depends on: references to ${dep} items not migrated yet will not resolve. Recommended order: ${dep} first.`);
      }
    }
  }
  return warnings;
}

/** Which job an API error's field points at (`body.jobs.2.steps.0` is job 2), if any. */
export function jobOfField(field: string | undefined): number | undefined {
  const match = /^body\.jobs\.(\d+)/.exec(field ?? '');
  return match ? Number(match[1]) : undefined;
}

export function move<T>(list: T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length) return list;
  const rest = list.filter((_, i) => i !== from);
  return [...rest.slice(0, to), list[from]!, ...rest.slice(to)];
}
