import { useEffect, useState } from 'react';
import { api, seg } from '../api.js';
import { useCan } from '../session.js';
import { ErrorNote, useAction, useApi } from '../ui.js';
import type { Connection, Platform } from '../components/connection-api.js';
import { PlanProblems } from '../components/plan-field.js';
import { emptyDraft, type PlanDraft } from '../components/plan-model.js';
import { previewPlan, savePlan, validatePlan } from '../components/plan-api.js';
import type { PreviewAnswer } from '../components/plan-preview.js';
import { WizardConfirm } from '../components/wizard-confirm.js';
import { WizardExecution } from '../components/wizard-execution.js';
import { WizardOptions } from '../components/wizard-options.js';
import { WizardResult } from '../components/wizard-result.js';
import { WizardSource } from '../components/wizard-source.js';
import { WizardSourceInfo } from '../components/wizard-source-info.js';
import { StepHeading, StepIndicator, WizardButtons } from '../components/wizard-steps.js';

/**
 * The guided migration, the steps of `ferry wizard`: Welcome, Source, Source
 * info, Options, Confirmation, Execution, Result. Nothing is written to an
 * instance before Confirmation's "Start the migration".
 */
export function WizardPage() {
  const canRun = useCan('operator');
  const connections = useApi<Connection[]>('/api/connections');
  const platforms = useApi<Platform[]>('/api/platforms');
  const [step, setStep] = useState(0);
  const [draft, setDraft] = useState<PlanDraft>(emptyDraft);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [sourceReady, setSourceReady] = useState(false);
  const [preview, setPreview] = useState<PreviewAnswer>();
  const [runId, setRunId] = useState<number>();
  const [ended, setEnded] = useState<string>();
  const action = useAction();

  const set = (patch: Partial<PlanDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const platform = connections.data?.find((c) => c.name === draft.source)?.platform;
  const types = platforms.data?.find((p) => p.platform === platform)?.objectTypes ?? [];
  const labels = Object.fromEntries(types.map((t) => [t.name, t.label]));

  // Confirmation shows the preview: taken when the step opens.
  useEffect(() => {
    if (step !== 4) return;
    setPreview(undefined);
    void action.run(async () => {
      const r = await previewPlan(draft);
      if (r.ok) setPreview(r.value);
      else {
        setErrors(r.errors);
        setStep(3);
      }
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [step]);

  const toConfirmation = async () => {
    const r = await validatePlan(draft);
    setErrors(r.ok ? {} : r.errors);
    if (r.ok) setStep(4);
  };
  const start = async () => {
    await action.run(async () => {
      const saved = await savePlan(draft);
      if (!saved.ok) {
        setErrors(saved.errors);
        setStep(3);
        return;
      }
      const run = await api.post<{ id: number }>(`/api/migrations/${seg(saved.value.name)}/runs`, {});
      setRunId(run.id);
      setStep(5);
    });
  };

  const back = () => setStep((s) => s - 1);
  const next = () => setStep((s) => s + 1);
  return (
    <section className="wizard">
      <h1>Migration wizard</h1>
      <StepIndicator step={step} />
      <div className="card">
        <StepHeading step={step} />
        <ErrorNote error={connections.error ?? platforms.error ?? action.error} />
        {step === 3 && <PlanProblems errors={errors} />}
        {step === 0 && (
          <>
            <p>This wizard moves the content of one instance to another of the same platform: it asks for the source, shows what it holds, lets you choose the target and what to move, and shows what the run will do.</p>
            <p>
              <strong>Nothing is written to any instance before you confirm</strong> on the Confirmation step. Everything Ferry creates can be undone later.
            </p>
            {!canRun && <p className="warning">Starting a migration needs the operator role: you can look through the steps, not run them.</p>}
            <WizardButtons onNext={next} next="Start" nextDisabled={!canRun} nextTitle={canRun ? undefined : 'The wizard needs the operator role'} />
          </>
        )}
        {step === 1 && connections.data && (
          <>
            <WizardSource
              connections={connections.data}
              value={draft.source}
              onChange={(source) => set({ source })}
              onAdded={(source) => {
                set({ source });
                void connections.reload();
              }}
            />
            <WizardButtons onBack={back} onNext={next} nextDisabled={!draft.source} nextTitle={draft.source ? undefined : 'Choose a source first'} />
          </>
        )}
        {step === 2 && (
          <>
            <WizardSourceInfo source={draft.source} labels={labels} onReady={setSourceReady} />
            <WizardButtons onBack={back} onNext={next} nextDisabled={!sourceReady} />
          </>
        )}
        {step === 3 && connections.data && (
          <>
            <WizardOptions draft={draft} errors={errors} set={set} connections={connections.data} types={types} />
            <WizardButtons onBack={back} onNext={() => void toConfirmation()} nextDisabled={!draft.target || !draft.name} nextTitle={draft.target ? undefined : 'Choose a target first'} />
          </>
        )}
        {step === 4 && (
          <>
            <WizardConfirm draft={draft} preview={preview} labels={labels} />
            <WizardButtons onBack={back} onNext={() => void start()} next={action.busy ? 'Starting…' : 'Start the migration'} nextDisabled={!preview || action.busy} />
          </>
        )}
        {step === 5 && runId !== undefined && (
          <>
            <WizardExecution runId={runId} onEnd={setEnded} />
            {ended && <WizardButtons onNext={next} next="See the result" />}
          </>
        )}
        {step === 6 && runId !== undefined && <WizardResult runId={runId} migration={draft.name} />}
      </div>
    </section>
  );
}
