import type { ObjectTypeInfo } from './connection-api.js';
import { errorsUnder } from './plan-field.js';
import { emptyFilter, type FilterRow, type ItemRow, type UserMapRow } from './plan-model.js';

function ListErrors({ errors, prefix }: { errors: Record<string, string>; prefix: string }) {
  const list = errorsUnder(errors, prefix);
  return list.length > 0 ? (
    <p className="field-error" role="alert">
      {list.join(' · ')}
    </p>
  ) : null;
}

function TypeSelect({ id, label, value, types, onChange, any = true }: { id: string; label: string; value: string; types: ObjectTypeInfo[]; onChange(v: string): void; any?: boolean }) {
  return (
    <select id={id} aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
      {any && <option value="">any type</option>}
      {types.map((t) => (
        <option key={t.name} value={t.name}>
          {t.label}
        </option>
      ))}
    </select>
  );
}

/** Include or exclude filters: type, pattern, namespaces, modified since. */
export function FilterList({ kind, rows, types, errors, onChange }: { kind: 'include' | 'exclude'; rows: FilterRow[]; types: ObjectTypeInfo[]; errors: Record<string, string>; onChange(rows: FilterRow[]): void }) {
  const set = (i: number, patch: Partial<FilterRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const title = kind === 'include' ? 'Include' : 'Exclude';
  return (
    <fieldset>
      <legend>{title} filters</legend>
      <p className="help">{kind === 'include' ? 'When a type has include filters, its items must match one of them.' : 'An item that matches any exclude filter is skipped.'} Patterns are globs on the title or key (* any characters, ? one).</p>
      {rows.map((r, i) => (
        <div className="row" key={i}>
          <TypeSelect id={`${kind}-${i}-type`} label={`${title} filter ${i + 1}: type`} value={r.type} types={types} onChange={(v) => set(i, { type: v })} />
          <input aria-label={`${title} filter ${i + 1}: pattern`} placeholder="pattern, e.g. Sandbox*" value={r.pattern} onChange={(e) => set(i, { pattern: e.target.value })} />
          <input aria-label={`${title} filter ${i + 1}: namespaces`} placeholder="namespaces, e.g. 0, 10" value={r.namespace} onChange={(e) => set(i, { namespace: e.target.value })} />
          <input aria-label={`${title} filter ${i + 1}: modified since`} type="date" value={r.modifiedSince} onChange={(e) => set(i, { modifiedSince: e.target.value })} />
          <button type="button" onClick={() => onChange(rows.filter((_, j) => j !== i))} aria-label={`Remove ${kind} filter ${i + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <ListErrors errors={errors} prefix={kind} />
      <button type="button" onClick={() => onChange([...rows, emptyFilter()])}>
        Add an {kind} filter
      </button>
    </fieldset>
  );
}

/** Migrate yes/no for single items, by title or natural key. */
export function ItemList({ rows, types, errors, onChange }: { rows: ItemRow[]; types: ObjectTypeInfo[]; errors: Record<string, string>; onChange(rows: ItemRow[]): void }) {
  const set = (i: number, patch: Partial<ItemRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset>
      <legend>Single items</legend>
      <p className="help">Migrate yes or no for one item, by its title or natural key; this wins over the filters.</p>
      {rows.map((r, i) => (
        <div className="row" key={i}>
          <TypeSelect id={`item-${i}-type`} label={`Item ${i + 1}: type`} value={r.type} types={types} any={false} onChange={(v) => set(i, { type: v })} />
          <input aria-label={`Item ${i + 1}: title or key`} value={r.key} onChange={(e) => set(i, { key: e.target.value })} />
          <select aria-label={`Item ${i + 1}: migrate`} value={r.migrate ? 'yes' : 'no'} onChange={(e) => set(i, { migrate: e.target.value === 'yes' })}>
            <option value="yes">Migrate: yes</option>
            <option value="no">Migrate: no</option>
          </select>
          <button type="button" onClick={() => onChange(rows.filter((_, j) => j !== i))} aria-label={`Remove item ${i + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <ListErrors errors={errors} prefix="items" />
      <button type="button" onClick={() => onChange([...rows, { type: types[0]?.name ?? '', key: '', migrate: false }])}>
        Add an item
      </button>
    </fieldset>
  );
}

/** Per source user: create, placeholder, or map to an existing target account. */
export function UserMapList({ rows, errors, onChange }: { rows: UserMapRow[]; errors: Record<string, string>; onChange(rows: UserMapRow[]): void }) {
  const set = (i: number, patch: Partial<UserMapRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div>
      {rows.map((r, i) => (
        <div className="row" key={i}>
          <input aria-label={`Mapped user ${i + 1}: source user name`} placeholder="source user" value={r.source} onChange={(e) => set(i, { source: e.target.value })} />
          <select aria-label={`Mapped user ${i + 1}: what to do`} value={r.choice} onChange={(e) => set(i, { choice: e.target.value as UserMapRow['choice'] })}>
            <option value="create">create on the target</option>
            <option value="placeholder">credit to the placeholder</option>
            <option value="map">is this target user:</option>
          </select>
          {r.choice === 'map' && <input aria-label={`Mapped user ${i + 1}: target user name`} placeholder="target user" value={r.target} onChange={(e) => set(i, { target: e.target.value })} />}
          <button type="button" onClick={() => onChange(rows.filter((_, j) => j !== i))} aria-label={`Remove mapped user ${i + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <ListErrors errors={errors} prefix="users.map" />
      <button type="button" onClick={() => onChange([...rows, { source: '', choice: 'map', target: '' }])}>
        Map a user
      </button>
    </div>
  );
}
