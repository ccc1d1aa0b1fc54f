import { parse } from 'yaml';
import type { MigrationDetails } from './runs-types.js';

interface PlanView {
  kind?: string;
  platform?: string;
  description?: string;
  types?: Record<string, boolean>;
  include?: unknown[];
  exclude?: unknown[];
  items?: unknown[];
  users?: { default?: string; placeholder?: string; map?: Record<string, unknown> };
  conflict?: string;
  options?: Record<string, unknown>;
  jobs?: Array<{ name: string; steps: string[] }>;
}

/** The plan's text as the overview reads it; a plan that does not parse shows as text only. */
export function readPlan(yaml: string): PlanView | undefined {
  try {
    const value: unknown = parse(yaml);
    return typeof value === 'object' && value !== null ? (value as PlanView) : undefined;
  } catch {
    return undefined;
  }
}

/** Defaults as docs/plans.md states them: the overview shows what a run will use. */
const OPTION_DEFAULTS: Record<string, unknown> = { concurrency: 2, itemTimeoutSeconds: 600, maxAttempts: 4, inventoryMaxAgeHours: 24, rerunWindowDays: 12, reset: false, verify: true };

/** The configuration overview: source, target, types, filters, users, conflict policy, options, jobs. */
export function ConfigOverview({ migration }: { migration: MigrationDetails }) {
  const plan = readPlan(migration.planYaml);
  if (plan?.kind === 'system') return <SystemOverview migration={migration} plan={plan} />;
  const types = plan?.types ? Object.entries(plan.types) : [];
  const options = { ...OPTION_DEFAULTS, ...(plan?.options ?? {}) };
  const filters = (plan?.include?.length ?? 0) + (plan?.exclude?.length ?? 0) + (plan?.items?.length ?? 0);
  return (
    <section aria-labelledby="overview-title" className="card">
      <h2 id="overview-title">Configuration</h2>
      {plan?.description && <p>{plan.description}</p>}
      <dl className="facts">
        <dt>Source</dt>
        <dd>{migration.source}</dd>
        <dt>Target</dt>
        <dd>{migration.target}</dd>
        <dt>Object types</dt>
        <dd>
          {types.length === 0
            ? 'every type the platform carries'
            : types.map(([t, on]) => `${t}: ${on ? 'migrate' : 'off'}`).join(', ') + (types.every(([, on]) => on) ? '' : ' (types not named are migrated)')}
        </dd>
        <dt>Filters</dt>
        <dd>{filters === 0 ? 'none: every item of the types above' : `${plan?.include?.length ?? 0} include, ${plan?.exclude?.length ?? 0} exclude, ${plan?.items?.length ?? 0} single-item rules`}</dd>
        <dt>Users</dt>
        <dd>
          {plan?.users?.default ?? 'create'} by default
          {plan?.users?.map ? `, ${Object.keys(plan.users.map).length} mapped by name` : ''}
          {plan?.users?.placeholder ? `, placeholder "${plan.users.placeholder}"` : ''}
        </dd>
        <dt>When the target has it already</dt>
        <dd>{plan?.conflict ?? 'skip'}</dd>
        <dt>Options</dt>
        <dd>
          {Object.entries(options)
            .map(([k, v]) => `${k}: ${String(v)}`)
            .join(' · ')}
        </dd>
        <dt>Jobs</dt>
        <dd>{plan?.jobs ? plan.jobs.map((j) => `${j.name} (${j.steps.join(', ')})`).join('; ') : 'the standard jobs (users first, then content)'}</dd>
        <dt>Plan</dt>
        <dd>{migration.planFile ?? 'saved in Ferry'}</dd>
      </dl>
      <details>
        <summary>Plan text (YAML)</summary>
        <pre className="log">{migration.planYaml}</pre>
      </details>
    </section>
  );
}

/** Whether a migration's plan is a system migration's (`kind: system`): a whole installation, no items. */
export function isSystemPlan(yaml: string | undefined): boolean {
  return readPlan(yaml ?? '')?.kind === 'system';
}

/** A system migration's configuration: platform, both installations, its options. */
function SystemOverview({ migration, plan }: { migration: MigrationDetails; plan: PlanView }) {
  const o = plan.options ?? {};
  const rows: Array<[string, string]> = [
    ['Kind', 'System migration: the whole installation (database, files, settings)'],
    ['Platform', String(plan.platform ?? '')],
    ['Source', migration.source],
    ['Target', migration.target],
    ['Settings', o.settings === 'swap' ? 'swap configuration' : 'basic settings only'],
    ['Secret keys (licence)', o.secretKeys === true ? 'carried' : 'not carried'],
    ['Logs', o.logs === true ? 'copied' : 'not copied'],
    ['New public URL', typeof o.newUrl === 'string' ? o.newUrl : 'the target keeps its URL'],
    ['Source after the copy', String(o.sourceAfter ?? 'maintenance')],
    ['Plan', migration.planFile ?? 'saved in Ferry'],
  ];
  return (
    <section aria-labelledby="overview-title" className="card">
      <h2 id="overview-title">Configuration</h2>
      {plan.description && <p>{plan.description}</p>}
      <dl className="facts">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <details>
        <summary>Plan text (YAML)</summary>
        <pre className="log">{migration.planYaml}</pre>
      </details>
    </section>
  );
}
