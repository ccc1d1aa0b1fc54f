import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { seg } from '../api.js';
import { useCan } from '../session.js';
import { ErrorNote, useApi } from '../ui.js';
import type { Connection, Platform } from '../components/connection-api.js';
import { Field, PlanProblems } from '../components/plan-field.js';
import { FilterList, ItemList } from '../components/plan-lists.js';
import { emptyDraft, yamlToDraft, type PlanDraft } from '../components/plan-model.js';
import { previewPlan, savePlan, validatePlan } from '../components/plan-api.js';
import { PreviewTable, type PreviewAnswer } from '../components/plan-preview.js';
import { ConflictSection, ConnectionSelect, OptionsSection, TypesSection, UsersSection } from '../components/plan-sections.js';
import { PlanYaml } from '../components/plan-yaml.js';

/**
 * Writes a plan in a form: source, target, types, filters, single items,
 * users, conflict policy and options. Checks it and previews it through the
 * API (errors beside their fields), then saves it as a migration.
 */
export function PlanEditorPage() {
  const { name: editing } = useParams();
  const navigate = useNavigate();
  const canSave = useCan('operator');
  const connections = useApi<Connection[]>('/api/connections');
  const platforms = useApi<Platform[]>('/api/platforms');
  const saved = useApi<{ planYaml: string }>(editing ? `/api/migrations/${seg(editing)}` : null);
  const [draft, setDraft] = useState<PlanDraft>(emptyDraft);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<string>();
  const [preview, setPreview] = useState<PreviewAnswer>();
  const [busy, setBusy] = useState<string>();

  useEffect(() => {
    if (saved.data) setDraft(yamlToDraft(saved.data.planYaml));
  }, [saved.data]);

  const set = (patch: Partial<PlanDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setPreview(undefined);
  };
  const sourcePlatform = connections.data?.find((c) => c.name === draft.source)?.platform;
  const types = platforms.data?.find((p) => p.platform === sourcePlatform)?.objectTypes ?? [];
  const labels = Object.fromEntries(types.map((t) => [t.name, t.label]));

  const act = async (what: 'check' | 'preview' | 'save') => {
    setBusy(what);
    setStatus(undefined);
    try {
      if (what === 'check') {
        const r = await validatePlan(draft);
        setErrors(r.ok ? {} : r.errors);
        if (r.ok) setStatus(`The plan is valid.${r.value.warnings.length ? ` Warnings: ${r.value.warnings.join(' ')}` : ''}`);
      } else if (what === 'preview') {
        const r = await previewPlan(draft);
        setErrors(r.ok ? {} : r.errors);
        if (r.ok) setPreview(r.value);
      } else {
        const r = await savePlan(draft);
        setErrors(r.ok ? {} : r.errors);
        if (r.ok) navigate(`/migrations/${seg(r.value.name)}`);
      }
    } finally {
      setBusy(undefined);
    }
  };

  const readOnlyTitle = canSave ? undefined : 'Previewing and saving plans needs the operator role';
  return (
    <section>
      <h1>{editing ? `Edit the plan of ${editing}` : 'New plan'}</h1>
      <p>A plan says what to move from which connection to which, and how. Nothing is written to an instance here: a run starts from the migration page.</p>
      <ErrorNote error={connections.error ?? platforms.error ?? saved.error} />
      {connections.data && connections.data.length < 2 && <p className="warning">A plan needs two connections, a source and a target: add them on the Connections page first.</p>}
      <form className="form plan-form" onSubmit={(e) => { e.preventDefault(); void act('save'); }} noValidate>
        <PlanProblems errors={errors} />
        <fieldset>
          <legend>Plan</legend>
          <Field path="name" label="Name" help="Names the saved migration: letters, digits, space, dot, dash, underscore. Saving a plan with the name of a saved one replaces its plan." errors={errors}>
            {(props) => <input {...props} value={draft.name} onChange={(e) => set({ name: e.target.value })} />}
          </Field>
          <Field path="description" label="Description (optional)" errors={errors}>
            {(props) => <input {...props} value={draft.description} onChange={(e) => set({ description: e.target.value })} />}
          </Field>
          <ConnectionSelect path="source" label="Source (where the content is now)" value={draft.source} connections={connections.data ?? []} errors={errors} onChange={(source) => set({ source })} />
          <ConnectionSelect path="target" label="Target (where it should go)" value={draft.target} connections={connections.data ?? []} errors={errors} onChange={(target) => set({ target })} />
        </fieldset>
        <TypesSection draft={draft} errors={errors} set={set} types={types} />
        <FilterList kind="include" rows={draft.include} types={types} errors={errors} onChange={(include) => set({ include })} />
        <FilterList kind="exclude" rows={draft.exclude} types={types} errors={errors} onChange={(exclude) => set({ exclude })} />
        <ItemList rows={draft.items} types={types} errors={errors} onChange={(items) => set({ items })} />
        <UsersSection draft={draft} errors={errors} set={set} />
        <fieldset>
          <legend>Conflicts</legend>
          <ConflictSection draft={draft} errors={errors} set={set} />
        </fieldset>
        <OptionsSection draft={draft} errors={errors} set={set} />
        <PlanYaml draft={draft} />
        {status && (
          <p role="status" className="notice">
            {status}
          </p>
        )}
        <div className="toolbar sticky">
          <button type="button" disabled={busy !== undefined} onClick={() => void act('check')}>
            {busy === 'check' ? 'Checking…' : 'Check the plan'}
          </button>
          <button type="button" disabled={busy !== undefined || !canSave} title={readOnlyTitle} onClick={() => void act('preview')}>
            {busy === 'preview' ? 'Reading both instances…' : 'Preview (dry run)'}
          </button>
          <button type="submit" className="primary" disabled={busy !== undefined || !canSave} title={readOnlyTitle}>
            {busy === 'save' ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
      {preview && (
        <section aria-labelledby="preview-title">
          <h2 id="preview-title">Preview: what a run would do</h2>
          <PreviewTable preview={preview} labels={labels} />
        </section>
      )}
    </section>
  );
}
