import { useState } from 'react';
import { api, seg } from '../api.js';
import { useCan } from '../session.js';
import { ErrorNote, useAction } from '../ui.js';
import { SystemExecution } from '../components/system-execution.js';
import { ServerRoleNotice, SystemInfoFacts } from '../components/system-info.js';
import { emptySystemDraft, formatBytes, locationOf, planOf, sideProblems, whereOf, type SystemCheck, type SystemDraft, type SystemInfo } from '../components/system-model.js';
import { SystemOptionsForm } from '../components/system-options.js';
import { SystemResult } from '../components/system-result.js';
import { SystemSideForm } from '../components/system-side.js';
import { StepHeading, StepIndicator, WizardButtons } from '../components/wizard-steps.js';

const CONFIG_HELP = {
  mediawiki: { source: 'The source wiki\'s LocalSettings.php, e.g. /var/www/wiki/LocalSettings.php', target: 'The new wiki\'s LocalSettings.php: a fresh installation whose data will be replaced' },
  wordpress: { source: 'The source site\'s wp-config.php (or the per-site file Debian\'s loads)', target: 'The new site\'s wp-config.php: a fresh installation whose data will be replaced' },
} as const;

/**
 * The system migration wizard (issue 9, seed 003): the seven steps of the
 * item wizard — Welcome, Source, Source info, Options, Confirmation,
 * Execution, Result — for a whole installation. Nothing is saved and
 * nothing written before Confirmation's "Execute".
 */
export function SystemWizardPage() {
  const isAdmin = useCan('admin');
  const [step, setStep] = useState(0);
  const [draft, setDraft] = useState<SystemDraft>(emptySystemDraft);
  const [sourceInfo, setSourceInfo] = useState<SystemInfo>();
  const [check, setCheck] = useState<SystemCheck>();
  const [confirm, setConfirm] = useState('');
  const [runId, setRunId] = useState<number>();
  const [ended, setEnded] = useState<string>();
  const [stopping, setStopping] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);
  const action = useAction();
  const set = (patch: Partial<SystemDraft>) => {
    setProblems([]);
    setDraft((d) => ({ ...d, ...patch }));
  };
  const back = () => {
    action.clear();
    setStep((s) => s - 1);
  };

  const toSourceInfo = async () => {
    const p = [...sideProblems(draft.source, 'source'), ...sideProblems(draft.target, 'target')];
    setProblems(p);
    if (p.length > 0) return;
    await action.run(async () => {
      const info = await api.post<SystemInfo>('/api/system/discover', { platform: draft.platform, ...locationOf(draft.source) });
      setSourceInfo(info);
      setStep(2);
    });
  };
  const toConfirmation = async () => {
    setCheck(undefined);
    setConfirm('');
    await action.run(async () => {
      const r = await api.post<SystemCheck>('/api/system/migrations', { plan: planOf(draft), save: false });
      setCheck(r);
      setStep(4);
    });
  };
  const execute = async () => {
    await action.run(async () => {
      const saved = await api.post<SystemCheck>('/api/system/migrations', { plan: planOf(draft), save: true });
      setCheck(saved);
      if (saved.findings.some((f) => f.level === 'error')) return;
      const run = await api.post<{ id: number }>(`/api/migrations/${seg(saved.name)}/runs`, {});
      setRunId(run.id);
      setStep(5);
    });
  };
  const stop = async () => {
    setStopping(true);
    await action.run(() => api.post(`/api/migrations/${seg(draft.name.trim())}/stop`, {}));
  };

  const errors = check?.findings.filter((f) => f.level === 'error') ?? [];
  const confirmWord = check?.target.url ?? '';
  return (
    <section className="wizard">
      <h1>System migration</h1>
      <StepIndicator step={step} />
      <div className="card">
        <StepHeading step={step} />
        <ErrorNote error={action.error} />
        {problems.length > 0 && step === 1 && (
          <div role="alert" className="error">
            <ul>
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </div>
        )}
        {step === 0 && (
          <>
            <p>
              This wizard copies a whole installation — its settings, its database, its uploaded files and, if you choose, its secret keys (the licence) and its logs — from the server it runs on now to another installation of the same platform, for a move to a new server or an upgrade.
            </p>
            <p className="warning">
              <strong>The target's data is replaced</strong> by the source's: its pages or posts, users, files and settings. Use a fresh installation as the target.
            </p>
            <p>
              Unlike a plain copy, this is not irreversible: <strong>Ferry snapshots the target before writing to it</strong>, and Undo restores it as it was and takes the source out of maintenance. A run can be stopped, and a new run continues from the operation that was running. The source is put in maintenance during the copy so that nothing changes under it.
            </p>
            <p>Nothing is saved and nothing is written to either installation before you press "Execute" on the Confirmation step.</p>
            {!isAdmin && <p className="warning">A system migration needs the admin role: you can look through the steps, not start one.</p>}
            <WizardButtons onNext={() => setStep(1)} next="Start" nextDisabled={!isAdmin} nextTitle={isAdmin ? undefined : 'The system wizard needs the admin role'} />
          </>
        )}
        {step === 1 && (
          <>
            <p>Which installation should be copied, and onto which? Both are reached from the machine running Ferry: this machine, or over SSH (key checked against its host key).</p>
            <div className="field">
              <label htmlFor="system-platform">Platform</label>
              <select id="system-platform" value={draft.platform} onChange={(e) => set({ platform: e.target.value as SystemDraft['platform'] })}>
                <option value="mediawiki">MediaWiki</option>
                <option value="wordpress">WordPress</option>
              </select>
            </div>
            <SystemSideForm side="source" legend="Source: the installation to copy" value={draft.source} onChange={(source) => set({ source })} configHelp={CONFIG_HELP[draft.platform].source} />
            <SystemSideForm side="target" legend="Target: the installation that receives the copy (its data is replaced)" value={draft.target} onChange={(target) => set({ target })} configHelp={CONFIG_HELP[draft.platform].target} />
            <WizardButtons onBack={back} onNext={() => void toSourceInfo()} next={action.busy ? 'Reading the source…' : 'Next'} nextDisabled={action.busy} />
          </>
        )}
        {step === 2 && sourceInfo && (
          <>
            <p>This is the source as Ferry found it at {whereOf(draft.source)}. Check that it is the installation you mean to copy.</p>
            <SystemInfoFacts info={sourceInfo} label="Source info" />
            <ServerRoleNotice info={sourceInfo} />
            <WizardButtons onBack={back} onNext={() => setStep(3)} />
          </>
        )}
        {step === 3 && (
          <>
            <SystemOptionsForm draft={draft} set={set} sourceUrl={sourceInfo?.url} />
            <WizardButtons onBack={back} onNext={() => void toConfirmation()} next={action.busy ? 'Checking both installations…' : 'Next'} nextDisabled={action.busy || !draft.name.trim()} />
          </>
        )}
        {step === 4 && check && (
          <>
            <p>
              The migration <strong>{check.name}</strong> will copy {check.source.platform} {check.source.version} at <strong>{check.source.url}</strong> ({formatBytes(check.source.database.sizeBytes)} of database, {formatBytes(check.source.uploadsBytes)} of files) onto <strong>{check.target.url}</strong> ({check.target.platform} {check.target.version}, {whereOf(draft.target)}).
            </p>
            <h3>Pre-checks</h3>
            {check.findings.length === 0 ? (
              <p className="notice">All pre-checks passed: both installations are reachable, the versions are compatible and the target has room.</p>
            ) : (
              <ul aria-label="Pre-check findings">
                {check.findings.map((f) => (
                  <li key={f.message} className={f.level === 'error' ? 'error' : 'warning'}>
                    {f.level === 'error' ? 'Error' : 'Warning'}: {f.message}
                  </li>
                ))}
              </ul>
            )}
            {errors.length > 0 ? (
              <p className="error">Fix the errors above (go back to change the source, the target or the options) before executing.</p>
            ) : (
              <>
                <p className="warning">
                  Executing replaces the data of the target at {check.target.url} with the source's, and puts the source in maintenance during the copy. Ferry snapshots the target first: Undo restores it.
                </p>
                <div className="field">
                  <label htmlFor="system-confirm">
                    Type the target's URL, <strong>{confirmWord}</strong>, to confirm
                  </label>
                  <input id="system-confirm" value={confirm} autoComplete="off" onChange={(e) => setConfirm(e.target.value)} />
                </div>
              </>
            )}
            <WizardButtons onBack={back} onNext={() => void execute()} next={action.busy ? 'Starting…' : 'Execute'} nextDisabled={action.busy || errors.length > 0 || confirm.trim() !== confirmWord} nextTitle={confirm.trim() === confirmWord ? undefined : 'Type the target\'s URL first'} />
          </>
        )}
        {step === 5 && runId !== undefined && (
          <>
            <SystemExecution runId={runId} onEnd={setEnded} onStop={() => void stop()} stopping={stopping} />
            {ended && <WizardButtons onNext={() => setStep(6)} next="See the result" />}
          </>
        )}
        {step === 6 && runId !== undefined && check && <SystemResult
            runId={runId}
            migration={check.name}
            check={check}
            newUrl={draft.newUrl.trim()}
            onContinued={(id) => {
              setEnded(undefined);
              setStopping(false);
              setRunId(id);
              setStep(5);
            }}
          />}
      </div>
    </section>
  );
}
