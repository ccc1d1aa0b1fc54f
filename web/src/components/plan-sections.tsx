import type { Connection, ObjectTypeInfo } from './connection-api.js';
import { Field } from './plan-field.js';
import { UserMapList } from './plan-lists.js';
import type { PlanDraft } from './plan-model.js';

/**
 * The parts of a plan as form sections, shared by the plan editor and the
 * wizard's Options step. Each takes the draft and a patch function; errors
 * are keyed by the plan's field paths (as POST /api/plans/validate names them).
 */
interface SectionProps {
  draft: PlanDraft;
  errors: Record<string, string>;
  set(patch: Partial<PlanDraft>): void;
}

export function ConnectionSelect({ path, label, help, value, connections, errors, onChange }: { path: string; label: string; help?: string; value: string; connections: Connection[]; errors: Record<string, string>; onChange(v: string): void }) {
  return (
    <Field path={path} label={label} errors={errors} {...(help ? { help } : {})}>
      {(props) => (
        <select {...props} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">Choose a connection…</option>
          {connections.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name} ({c.platform}{c.identity ? `, ${c.identity.siteName}` : ''})
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** Migrate yes/no per object type of the source's platform. */
export function TypesSection({ draft, errors, set, types }: SectionProps & { types: ObjectTypeInfo[] }) {
  return (
    <fieldset>
      <legend>What to migrate</legend>
      {types.length === 0 && <p className="help">Choose the source first: its platform says which object types there are.</p>}
      {types.map((t) => (
        <label key={t.name} className="inline">
          <input type="checkbox" checked={draft.types[t.name] !== false} onChange={(e) => set({ types: { ...draft.types, [t.name]: e.target.checked } })} /> {t.label} <span className="help">(recognised on the target by {t.naturalKey})</span>
        </label>
      ))}
      {errors.types && <span className="field-error">{errors.types}</span>}
    </fieldset>
  );
}

export function UsersSection({ draft, errors, set }: SectionProps) {
  return (
    <fieldset>
      <legend>Users</legend>
      <Field path="users.default" label="Source users not mapped below" errors={errors}>
        {(props) => (
          <select {...props} value={draft.usersDefault} onChange={(e) => set({ usersDefault: e.target.value as PlanDraft['usersDefault'] })}>
            <option value="create">create them on the target</option>
            <option value="placeholder">create none; credit their work to the placeholder</option>
          </select>
        )}
      </Field>
      <Field path="users.placeholder" label="Placeholder account" help="The target account that receives work of people not migrated (default: Ferry placeholder)." errors={errors}>
        {(props) => <input {...props} value={draft.placeholder} placeholder="Ferry placeholder" onChange={(e) => set({ placeholder: e.target.value })} />}
      </Field>
      <UserMapList rows={draft.userMap} errors={errors} onChange={(userMap) => set({ userMap })} />
    </fieldset>
  );
}

export const conflictChoices: Array<{ value: PlanDraft['conflict']; label: string }> = [
  { value: 'skip', label: 'skip it (keep the target version)' },
  { value: 'update', label: 'update it from the source' },
  { value: 'rename', label: 'create a renamed copy' },
];

export function ConflictSection({ draft, errors, set }: SectionProps) {
  return (
    <Field path="conflict" label="When something with the same name already exists on the target" errors={errors}>
      {(props) => (
        <select {...props} value={draft.conflict} onChange={(e) => set({ conflict: e.target.value as PlanDraft['conflict'] })}>
          {conflictChoices.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

const numberOptions: Array<{ key: 'concurrency' | 'itemTimeoutSeconds' | 'maxAttempts' | 'inventoryMaxAgeHours' | 'rerunWindowDays'; label: string; help: string }> = [
  { key: 'concurrency', label: 'Concurrency', help: 'Batches written at the same time, 1 to 16 (default 2).' },
  { key: 'itemTimeoutSeconds', label: 'Item timeout (seconds)', help: 'Limit for loading and writing one batch (default 600).' },
  { key: 'maxAttempts', label: 'Attempts per item', help: 'For network errors, 5xx and rate limits, 1 to 10 (default 4).' },
  { key: 'inventoryMaxAgeHours', label: 'Inventory age limit (hours)', help: 'The pre-checks warn when an inventory is older (default 24).' },
  { key: 'rerunWindowDays', label: 'Re-run window (days)', help: 'Re-runs are refused for runs started longer ago (default 12).' },
];

export function OptionsSection({ draft, errors, set }: SectionProps) {
  return (
    <fieldset>
      <legend>Options</legend>
      {numberOptions.map((o) => (
        <Field key={o.key} path={`options.${o.key}`} label={o.label} help={o.help} errors={errors}>
          {(props) => <input {...props} inputMode="numeric" value={draft.options[o.key]} placeholder="default" onChange={(e) => set({ options: { ...draft.options, [o.key]: e.target.value } })} />}
        </Field>
      ))}
      <label className="inline">
        <input type="checkbox" checked={draft.options.verify} onChange={(e) => set({ options: { ...draft.options, verify: e.target.checked } })} /> Verify at the end of every run (compare source and target item by item)
      </label>
    </fieldset>
  );
}
