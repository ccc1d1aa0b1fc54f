import type { Connection, ObjectTypeInfo } from './connection-api.js';
import { Field } from './plan-field.js';
import { FilterList } from './plan-lists.js';
import type { PlanDraft } from './plan-model.js';
import { ConflictSection, ConnectionSelect, TypesSection, UsersSection } from './plan-sections.js';

/** Step 4: the target, what to migrate, users, the conflict policy and the migration's name. */
export function WizardOptions({ draft, errors, set, connections, types }: { draft: PlanDraft; errors: Record<string, string>; set(patch: Partial<PlanDraft>): void; connections: Connection[]; types: ObjectTypeInfo[] }) {
  const targets = connections.filter((c) => c.name !== draft.source);
  return (
    <div className="form">
      <ConnectionSelect path="target" label="Target: where should it go?" value={draft.target} connections={targets} errors={errors} onChange={(target) => set({ target, ...(draft.name === '' || draft.name.startsWith(`${draft.source}-to-`) ? { name: `${draft.source}-to-${target}` } : {}) })} />
      <TypesSection draft={draft} errors={errors} set={set} types={types} />
      <FilterList kind="include" rows={draft.include} types={types} errors={errors} onChange={(include) => set({ include })} />
      <UsersSection draft={draft} errors={errors} set={set} />
      <ConflictSection draft={draft} errors={errors} set={set} />
      <Field path="name" label="Name of this migration" help="Letters, digits, space, dot, dash or underscore. A saved plan of the same name is replaced." errors={errors}>
        {(props) => <input {...props} value={draft.name} onChange={(e) => set({ name: e.target.value })} />}
      </Field>
    </div>
  );
}
