/**
 * The system runner (issue 9): a system migration is a migration row whose
 * plan has `kind: system`; a run of it is a run row, each operation of the
 * platform's adapter a step (type = operation name, total/done = bytes), its
 * checkpoint a cursor keyed by the operation name, its lines the run's log
 * file and events through the RunReporter.
 *
 * Resume: a killed run (RUNNING, its process gone) continues in the same run
 * row from the operation that was running; a STOPPED one continues in a new
 * run (the store never reopens an ended run) that takes over its finished
 * steps, checkpoints and snapshot folder. Undo runs the operations' undo in
 * reverse order as an 'undo' run.
 */
import { join } from 'node:path';
import { UserError } from '../app/errors.js';
import { RunLogFile, runLogName } from '../app/run-log-file.js';
import { keepHeartbeat, ownedHere, runOwnerAlive, thisHost } from '../app/run-owner.js';
import type { Clock, RunRecord, RunSummary, StepRecord } from '../core/ports.js';
import { RunReporter, type ProgressEvent } from '../core/reporter.js';
import { transitionRun, transitionStep, type RunStatus } from '../core/statuses.js';
import { emptyCounts } from '../core/summary.js';
import { ConnectorError, toConnectorError } from '../sdk/errors.js';
import type { FerryStore } from '../store/ferry-store.js';
import type { MigrationRow } from '../store/records.js';
import { versionOverride } from './faults.js';
import type { Host } from './host.js';
import { openHost } from './host-config.js';
import { LocalHost } from './local.js';
import { parseSystemPlan, sideLabel, systemOptions, type SystemPlan } from './plan.js';
import { adapterFor } from './registry.js';
import { verifyOperation, type VerifyConnections } from './verify-api.js';
import type { InstallationInfo, OperationContext, SystemAdapter, SystemOperation, SystemOptions } from './types.js';

export const SYSTEM_JOB = 'system';
/** Cursor keys the runner keeps beside the operations' checkpoints. */
const WORKDIR_KEY = '_workdir';
const SOURCE_WORKDIR_KEY = '_source_workdir';
const DEFAULT_WORKDIR = '/var/tmp/ferry-system';
const STEP_WRITE_MS = 1000;
const STOP_POLL_MS = 500;

export interface SystemDeps {
  store: FerryStore;
  clock: Clock;
  dataDir: string;
  onProgress?: (event: ProgressEvent) => void;
  onFindings?: (findings: Array<{ level: 'error' | 'warning'; message: string }>) => void;
  signal?: AbortSignal;
  /** The platform's adapter; default: the registry's (a test passes a fake for fault injection). */
  adapter?: SystemAdapter;
  /** Opens the API connections a plan's `verify:` names (the app's Connections). */
  connections?: VerifyConnections;
}

export class SystemPrecheckFailed extends UserError {
  constructor(readonly findings: Array<{ level: 'error' | 'warning'; message: string }>) {
    const errors = findings.filter((f) => f.level === 'error');
    super(`Pre-migration checks found ${errors.length} error(s); nothing was written`, { details: errors.map((f) => f.message) });
  }
}

export interface OpenSystem {
  plan: SystemPlan;
  adapter: SystemAdapter;
  options: SystemOptions;
  source: OpenSide;
  target: OpenSide;
  close(): Promise<void>;
}

export interface OpenSide {
  host: Host;
  info: InstallationInfo;
  /** Seconds to reach the host (an SSH sign-in; nothing on this machine) and to read the installation. */
  timing?: { reachSeconds: number; discoverSeconds: number };
}

/** Opens both hosts and discovers both installations; any failure is a UserError saying nothing was written. */
export async function openSystem(plan: SystemPlan, adapter: SystemAdapter = adapterFor(plan.platform)): Promise<OpenSystem> {
  const hosts: Host[] = [];
  // Both at once: closing a host waits for its long-lived PHP process to end (MediaWiki's shutdown, 40-80 ms).
  const close = async () => {
    await Promise.all(hosts.map((h) => h.close().catch(() => undefined)));
  };
  // Both sides at once: each is a connection (SSH) and a PHP run with the platform loaded; they do not depend on each other.
  const openSide = async (side: 'source' | 'target'): Promise<OpenSide> => {
    const spec = plan[side];
    const started = performance.now();
    let host: Host;
    try {
      host = await openHost(spec.host);
    } catch (error) {
      throw asUserError(error, `The ${side} host cannot be reached; nothing was written`);
    }
    hosts.push(host);
    const reached = performance.now();
    let info: InstallationInfo;
    try {
      info = await adapter.discover(host, { configFile: spec.configFile, ...(spec.codeDir ? { codeDir: spec.codeDir } : {}), ...(spec.env ? { env: spec.env } : {}) });
    } catch (error) {
      throw asUserError(error, `The ${side} installation (${spec.configFile} on ${host.label}) could not be read; nothing was written`);
    }
    const version = versionOverride(side);
    if (version) info = { ...info, version };
    return { host, info, timing: { reachSeconds: (reached - started) / 1000, discoverSeconds: (performance.now() - reached) / 1000 } };
  };
  try {
    const [source, target] = await Promise.allSettled([openSide('source'), openSide('target')]);
    // The source's failure first, as when the sides were opened one after the other.
    if (source.status === 'rejected') throw source.reason;
    if (target.status === 'rejected') throw target.reason;
    const sides = { source: source.value, target: target.value };
    return { plan, adapter, options: systemOptions(plan), source: sides.source, target: sides.target, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * One installation under two names: same host and same config file read with
 * the same environment (a host may pick several sites' settings from one
 * generic config through a variable, as Debian's WordPress does), or the same
 * database at the same URL.
 */
function sameInstallation(a: { host: { label: string }; info: InstallationInfo }, b: { host: { label: string }; info: InstallationInfo }): boolean {
  if (a.host.label !== b.host.label) return false;
  const env = (info: InstallationInfo) => JSON.stringify(Object.entries(info.location.env ?? {}).sort());
  if (a.info.location.configFile === b.info.location.configFile && env(a.info) === env(b.info)) return true;
  const db = (info: InstallationInfo) => `${info.database.engine}:${info.database.location}/${info.database.name}`;
  return a.info.url === b.info.url && db(a.info) === db(b.info);
}

/** The pre-checks a run makes before writing anything. */
export async function precheckSystem(open: OpenSystem, workDirs: { workDir: string; sourceWorkDir: string }): Promise<Array<{ level: 'error' | 'warning'; message: string }>> {
  const findings = await open.adapter.precheck(open.source.info, open.target.info, { source: open.source, target: open.target, options: open.options, ...workDirs });
  if (sameInstallation(open.source, open.target)) {
    findings.unshift({ level: 'error', message: 'The source and the target are the same installation (same config file, or same database, on the same host): choose another target' });
  }
  return findings;
}

/** What a run would check and do now, writing nothing (the dashboard shows it before Run). */
export async function precheckSystemMigration(migration: MigrationRow): Promise<{ findings: Array<{ level: 'error' | 'warning'; code: string; message: string }>; jobs: Array<{ name: string; steps: Array<{ type: string; label: string; applies: boolean }> }> }> {
  const plan = parseSystemPlan(migration.plan_yaml, migration.plan_file ?? migration.name);
  const open = await openSystem(plan);
  try {
    const findings = await precheckSystem(open, { workDir: plan.target.workDir ?? DEFAULT_WORKDIR, sourceWorkDir: plan.source.workDir ?? DEFAULT_WORKDIR });
    const steps = open.adapter.operations(open.options).map((op) => ({ type: op.name, label: op.label, applies: true }));
    return { findings: findings.map((f) => ({ ...f, code: 'system' })), jobs: [{ name: SYSTEM_JOB, steps }] };
  } finally {
    await open.close();
  }
}

/** Source and target of the migrations table for a system plan. */
export function systemRowSides(plan: SystemPlan): { source: string; target: string } {
  return { source: sideLabel(plan, 'source'), target: sideLabel(plan, 'target') };
}

/**
 * Runs a system migration, or resumes its interrupted (killed or stopped) run.
 * Pre-check errors stop it before anything is written (and before the
 * migration is saved when it is new).
 */
export async function runSystem(deps: SystemDeps, migration: MigrationRow): Promise<RunRecord> {
  const plan = parseSystemPlan(migration.plan_yaml, migration.plan_file ?? migration.name);
  const last = migration.id === 0 ? undefined : await deps.store.lastRun(migration.id, ['run', 'undo']);
  if (last?.status === 'RUNNING' && !ownedHere(last) && runOwnerAlive(last, deps.clock.now())) {
    throw new UserError(`Run ${last.id} of "${migration.name}" is still running (process ${last.pid})`, { hint: `stop it with \`ferry stop ${migration.name}\`` });
  }
  if (last?.kind === 'undo' && last.status === 'RUNNING') {
    throw new UserError(`Undo run ${last.id} of "${migration.name}" was interrupted`, { hint: `finish it first: \`ferry undo ${last.parentRunId ?? '<run>'}\`` });
  }
  const resume = last?.kind === 'run' && last.status === 'RUNNING' ? last : undefined;
  const continued = last?.kind === 'run' && last.status === 'STOPPED' ? last : undefined;
  const open = await openSystem(plan, deps.adapter);
  try {
    const fresh = !resume && !continued;
    let workDirs: { workDir: string; sourceWorkDir: string } | undefined;
    if (!fresh) workDirs = await storedWorkDirs(deps.store, (resume ?? continued)!.id);
    const checking = performance.now();
    const findings = await precheckSystem(open, workDirs ?? { workDir: plan.target.workDir ?? DEFAULT_WORKDIR, sourceWorkDir: plan.source.workDir ?? DEFAULT_WORKDIR });
    const checkSeconds = (performance.now() - checking) / 1000;
    deps.onFindings?.(findings);
    // A resumed run has written already: its checks are shown, but only a fresh run stops on them.
    if (fresh && findings.some((f) => f.level === 'error')) throw new SystemPrecheckFailed(findings);
    if (migration.id === 0 || migration.plan_yaml !== (await deps.store.migrations.byId(migration.id))?.plan_yaml) {
      migration = await deps.store.migrations.save({ name: plan.name, planYaml: migration.plan_yaml, planFile: migration.plan_file, ...systemRowSides(plan), at: deps.clock.now().toISOString() });
    }
    const now = deps.clock.now();
    let run: RunRecord;
    let log: RunLogFile;
    if (resume) {
      await deps.store.updateRun(resume.id, { pid: process.pid, host: thisHost(), heartbeatAt: now.toISOString() });
      log = new RunLogFile(resume.logFile ?? runLogName(deps.dataDir, now));
      run = { ...resume, pid: process.pid, host: thisHost(), logFile: log.path };
    } else {
      run = await deps.store.createRun({ migrationId: migration.id, kind: 'run', ...(continued ? { parentRunId: continued.id } : {}), startedAt: now.toISOString(), pid: process.pid, host: thisHost() });
      log = new RunLogFile(runLogName(deps.dataDir, now));
      await deps.store.updateRun(run.id, { logFile: log.path });
      run = { ...run, logFile: log.path };
    }
    const reporter = new RunReporter({ store: deps.store, clock: deps.clock, log, runId: run.id, migrationId: migration.id, ...(deps.onProgress ? { onProgress: deps.onProgress } : {}) });
    try {
      reporter.info(`System migration "${migration.name}" (${plan.platform}), run ${run.id}${resume ? ' (resumed after an interruption)' : continued ? ` (continues stopped run ${continued.id})` : ''}`);
      reporter.info(`Source: ${describe(open.source)}; target: ${describe(open.target)}`);
      reporter.info(`Both sides read at once: source ${timingOf(open.source)}, target ${timingOf(open.target)}; pre-checks ${checkSeconds.toFixed(2)} s`);
      for (const f of findings) (f.level === 'error' ? reporter.error : reporter.warn).call(reporter, `Pre-check ${f.level}: ${f.message}`, { step: 'pre-checks' });
      const operations = open.adapter.operations(open.options);
      if (plan.verify && deps.connections) {
        if (open.options.sourceAfter !== 'online') {
          if (!resume) reporter.info(`Verify through the API is left out of this run: the source stays ${open.options.sourceAfter}, where the platform's API may refuse a login. \`ferry verify ${plan.name}\` runs it once the source is writable`);
        } else if (await verifyConnectionsSaved(deps.connections, plan.verify)) operations.push(verifyOperation(plan.verify, deps.connections));
        // The target's accounts are the source's once copied: its API connection is often added afterwards.
        else if (!resume) reporter.warn(`Verify through the API is left out of this run: the connections "${plan.verify.source}" and "${plan.verify.target}" are not both saved. Add them, then \`ferry verify ${plan.name}\``);
      }
      let steps: StepRecord[];
      if (resume) {
        steps = await deps.store.listSteps(run.id);
        for (const step of steps.filter((s) => s.status === 'Running')) {
          step.status = transitionStep(step.status, 'Pending');
          await deps.store.updateStep(run.id, step.idx, { status: step.status });
        }
      } else if (continued) {
        steps = await continueSteps(deps.store, continued, run, operations);
        workDirs = await storedWorkDirs(deps.store, continued.id);
        await saveWorkDirs(deps.store, run.id, workDirs);
      } else {
        const base = (dir: string) => join(dir, `${slug(migration.name)}-run${run.id}`);
        workDirs = { workDir: base(plan.target.workDir ?? DEFAULT_WORKDIR), sourceWorkDir: base(plan.source.workDir ?? DEFAULT_WORKDIR) };
        await saveWorkDirs(deps.store, run.id, workDirs);
        await deps.store.createSteps(run.id, operations.map((op, idx) => ({ idx, job: SYSTEM_JOB, type: op.name, label: op.label, status: 'Pending', reason: null })));
        steps = await deps.store.listSteps(run.id);
      }
      const runId = run.id;
      const stopBeating = keepHeartbeat(() => deps.store.updateRun(runId, { heartbeatAt: deps.clock.now().toISOString() }));
      try {
        const state = await executeSteps(deps, run, reporter, open, operations, steps, workDirs!, 'run');
        return await finish(deps, run, reporter, state);
      } finally {
        stopBeating();
      }
    } finally {
      await log.close();
    }
  } finally {
    await open.close();
  }
}

/** Undo of a system run: each started operation's undo, in reverse order, as an 'undo' run. */
export async function undoSystem(deps: SystemDeps, migration: MigrationRow, of: RunRecord): Promise<RunRecord> {
  const plan = parseSystemPlan(migration.plan_yaml, migration.name);
  if (of.status === 'RUNNING') {
    if (!ownedHere(of) && runOwnerAlive(of, deps.clock.now())) throw new UserError(`Run ${of.id} is still running (process ${of.pid})`, { hint: `stop it first with \`ferry stop ${migration.name}\`` });
    // Its process is gone (killed): it ends FAILED here, and is undone instead of resumed.
    await deps.store.updateRun(of.id, { status: transitionRun(of.status, 'FAILED'), endedAt: deps.clock.now().toISOString() });
    of = { ...of, status: 'FAILED' };
  }
  const workDirs = await storedWorkDirs(deps.store, of.id);
  const chain = await runChain(deps.store, of);
  const started = new Set<string>();
  for (const r of chain) for (const s of await deps.store.listSteps(r.id)) if (s.startedAt !== null) started.add(s.type);
  const open = await openSystem(plan, deps.adapter);
  try {
    const operations = open.adapter.operations(open.options).filter((op) => op.undo && started.has(op.name)).reverse();
    const now = deps.clock.now();
    const lastUndo = await deps.store.lastRun(migration.id, ['undo']);
    if (lastUndo?.status === 'RUNNING' && !ownedHere(lastUndo) && runOwnerAlive(lastUndo, deps.clock.now())) {
      throw new UserError(`Undo run ${lastUndo.id} of "${migration.name}" is still running (process ${lastUndo.pid})`, { hint: `stop it with \`ferry stop ${migration.name}\`` });
    }
    const resume = lastUndo?.status === 'RUNNING' && lastUndo.parentRunId === of.id ? lastUndo : undefined;
    let run: RunRecord;
    let log: RunLogFile;
    if (resume) {
      log = new RunLogFile(resume.logFile ?? runLogName(deps.dataDir, now));
      await deps.store.updateRun(resume.id, { pid: process.pid, host: thisHost(), heartbeatAt: now.toISOString() });
      run = { ...resume, pid: process.pid, host: thisHost() };
    } else {
      run = await deps.store.createRun({ migrationId: migration.id, kind: 'undo', parentRunId: of.id, startedAt: now.toISOString(), pid: process.pid, host: thisHost() });
      log = new RunLogFile(runLogName(deps.dataDir, now));
      await deps.store.updateRun(run.id, { logFile: log.path });
      await saveWorkDirs(deps.store, run.id, workDirs);
    }
    const reporter = new RunReporter({ store: deps.store, clock: deps.clock, log, runId: run.id, migrationId: migration.id, ...(deps.onProgress ? { onProgress: deps.onProgress } : {}) });
    try {
      reporter.info(`Undo of system run ${of.id} of "${migration.name}", run ${run.id}: ${operations.length} operation(s) to reverse`);
      const undoOps: SystemOperation[] = operations.map((op) => ({ name: `undo-${op.name}`, label: `Undo: ${op.label}`, estimate: async () => 0, run: (ctx) => op.undo!(ctx) }));
      let steps: StepRecord[];
      if (resume) {
        steps = await deps.store.listSteps(run.id);
        for (const step of steps.filter((s) => s.status === 'Running')) {
          step.status = transitionStep(step.status, 'Pending');
          await deps.store.updateStep(run.id, step.idx, { status: step.status });
        }
      } else {
        await deps.store.createSteps(run.id, undoOps.map((op, idx) => ({ idx, job: SYSTEM_JOB, type: op.name, label: op.label, status: 'Pending', reason: null })));
        steps = await deps.store.listSteps(run.id);
      }
      const state = await executeSteps(deps, run, reporter, open, undoOps, steps, workDirs, 'undo');
      return await finish(deps, run, reporter, state);
    } finally {
      await log.close();
    }
  } finally {
    await open.close();
  }
}

async function verifyConnectionsSaved(connections: VerifyConnections, names: { source: string; target: string }): Promise<boolean> {
  try {
    await connections.get(names.source);
    await connections.get(names.target);
    return true;
  } catch {
    return false;
  }
}

/**
 * `ferry verify` of a system migration: a run of kind 'verify' whose one
 * step compares source and target through the API connections the plan names.
 */
export async function verifySystem(deps: SystemDeps, migration: MigrationRow): Promise<RunRecord> {
  const plan = parseSystemPlan(migration.plan_yaml, migration.name);
  if (!plan.verify) throw new UserError(`"${migration.name}" names no API connections to verify through`, { hint: 'add `verify: { source: <connection>, target: <connection> }` to its plan (docs/system-migration.md)' });
  if (!deps.connections) throw new UserError('Verify needs the saved connections');
  for (const name of [plan.verify.source, plan.verify.target]) await deps.connections.get(name);
  const open = await openSystem(plan, deps.adapter);
  try {
    const now = deps.clock.now();
    let run = await deps.store.createRun({ migrationId: migration.id, kind: 'verify', startedAt: now.toISOString(), pid: process.pid, host: thisHost() });
    const log = new RunLogFile(runLogName(deps.dataDir, now));
    await deps.store.updateRun(run.id, { logFile: log.path });
    run = { ...run, logFile: log.path };
    const reporter = new RunReporter({ store: deps.store, clock: deps.clock, log, runId: run.id, migrationId: migration.id, ...(deps.onProgress ? { onProgress: deps.onProgress } : {}) });
    try {
      const op = verifyOperation(plan.verify, deps.connections);
      await deps.store.createSteps(run.id, [{ idx: 0, job: SYSTEM_JOB, type: op.name, label: op.label, status: 'Pending', reason: null }]);
      const workDirs = { workDir: plan.target.workDir ?? DEFAULT_WORKDIR, sourceWorkDir: plan.source.workDir ?? DEFAULT_WORKDIR };
      const state = await executeSteps(deps, run, reporter, open, [op], await deps.store.listSteps(run.id), workDirs, 'run');
      return await finish(deps, run, reporter, state);
    } finally {
      await log.close();
    }
  } finally {
    await open.close();
  }
}

interface ExecState {
  stopped: boolean;
  fatal: string | undefined;
  done: number;
}

async function executeSteps(deps: SystemDeps, run: RunRecord, reporter: RunReporter, open: OpenSystem, operations: SystemOperation[], steps: StepRecord[], workDirs: { workDir: string; sourceWorkDir: string }, what: 'run' | 'undo'): Promise<ExecState> {
  const state: ExecState = { stopped: false, fatal: undefined, done: 0 };
  // Operations running beside the loop (SystemOperation.beside) and what they ended with.
  const beside = new Set<Promise<void>>();
  let besideStopped = false;
  let besideFailure: string | undefined;
  const settle = (outcome: Awaited<ReturnType<typeof runOperation>>): 'ok' | 'stopped' | 'failed' => {
    if (outcome === 'stopped') return 'stopped';
    if (outcome !== 'ok') {
      state.fatal ??= outcome.error;
      return 'failed';
    }
    state.done++;
    return 'ok';
  };
  for (const step of steps) {
    if (step.status === 'Success' || step.status === 'Skipped') {
      state.done++;
      continue;
    }
    if (step.status === 'Error') continue;
    const op = operations.find((o) => o.name === step.type);
    if (!op) {
      // The plan changed since the run was interrupted (its verify connections went, say): the step is left out, said so.
      const reason = `not in the plan any more (operation "${step.type}")`;
      await deps.store.updateStep(run.id, step.idx, { status: transitionStep(step.status, 'Skipped'), reason });
      reporter.warn(`Step "${step.label}" skipped: ${reason}`, { step: step.type });
      continue;
    }
    const besideOk = typeof op.besideOk === 'function' ? op.besideOk({ source: open.source.info, target: open.target.info }) : op.besideOk === true;
    if (!besideOk && beside.size > 0) await Promise.all(beside);
    if (besideStopped || besideFailure !== undefined) break;
    if ((deps.signal?.aborted ?? false) || (await deps.store.isStopRequested(run.id))) {
      state.stopped = true;
      break;
    }
    if (op.beside && what === 'run') {
      preloadFetch();
      const running: Promise<void> = runOperation(deps, run, reporter, open, op, step, workDirs).then((outcome) => {
        const result = settle(outcome);
        if (result === 'stopped') besideStopped = true;
        if (result === 'failed') besideFailure = state.fatal;
      }).finally(() => beside.delete(running));
      beside.add(running);
      continue;
    }
    const outcome = settle(await runOperation(deps, run, reporter, open, op, step, workDirs));
    if (outcome === 'stopped') {
      state.stopped = true;
      break;
    }
    if (outcome === 'failed') break;
  }
  // An operation that ran beside ends before the run does, whatever stopped the loop (its own failure too).
  await Promise.all(beside);
  if (besideStopped) state.stopped = true;
  if (state.stopped) reporter.warn(`${what === 'undo' ? 'Undo' : 'Run'} ${run.id} stopped at an operation boundary or inside one; its checkpoint is kept: \`ferry ${what === 'undo' ? `undo ${run.parentRunId ?? ''}` : 'run <migration>'}\` continues it`);
  return state;
}

/**
 * Node loads its fetch (undici) on first use: 30-80 ms of CPU on the test machine, which the final checks
 * paid after the copies. Loaded instead while a copy runs beside, when the main thread mostly waits for
 * the kernel or the network (after a moment, so that the copies have started).
 */
function preloadFetch(): void {
  setTimeout(() => void globalThis.Headers, 200).unref();
}

async function runOperation(deps: SystemDeps, run: RunRecord, reporter: RunReporter, open: OpenSystem, op: SystemOperation, step: StepRecord, workDirs: { workDir: string; sourceWorkDir: string }): Promise<'ok' | 'stopped' | { error: string }> {
  const where = { step: op.name };
  const abort = new AbortController();
  const signal = deps.signal ? AbortSignal.any([deps.signal, abort.signal]) : abort.signal;
  let stopping = false;
  const poll = setInterval(() => {
    void deps.store.isStopRequested(run.id).then((stop) => {
      if (stop && !stopping) {
        stopping = true;
        abort.abort(new ConnectorError('stopped by request', { kind: 'transient' }));
      }
    }, () => undefined);
  }, STOP_POLL_MS);
  let total = step.total;
  let done = 0;
  let lastWrite = 0;
  const ctx: OperationContext = {
    source: open.source,
    target: open.target,
    options: open.options,
    ...workDirs,
    signal,
    progress: (n, t) => {
      done = n;
      if (t !== undefined && t !== total) {
        total = t;
        reporter.progress({ kind: 'step-total', idx: step.idx, step: op.name, total });
      }
      reporter.progress({ kind: 'step-progress', idx: step.idx, step: op.name, done, total: Math.max(total, done) });
      if (Date.now() - lastWrite > STEP_WRITE_MS) {
        lastWrite = Date.now();
        void deps.store.updateStep(run.id, step.idx, { done, total: Math.max(total, done) }).catch(() => undefined);
      }
    },
    checkpoint: () => deps.store.getCursor(run.id, op.name),
    saveCheckpoint: (value) => deps.store.setCursor(run.id, op.name, value),
    info: (message) => reporter.info(message, where),
    warn: (message) => reporter.warn(message, where),
    action: (code, message) => reporter.action({ code, message, type: op.name }),
  };
  try {
    await deps.store.updateStep(run.id, step.idx, { status: transitionStep(step.status, 'Running'), ...(step.startedAt ? {} : { startedAt: deps.clock.now().toISOString() }) });
    step.status = 'Running';
    total = await op.estimate(ctx);
    await deps.store.updateStep(run.id, step.idx, { total });
    reporter.info(`${op.label}: started${total > 0 ? ` (${formatBytes(total)})` : ''}`, where);
    reporter.progress({ kind: 'step-start', idx: step.idx, job: SYSTEM_JOB, step: op.name, label: op.label, total });
    const started = Date.now();
    await op.run(ctx);
    const final = Math.max(total, done);
    await deps.store.updateStep(run.id, step.idx, { status: transitionStep('Running', 'Success'), total: final, done: final, endedAt: deps.clock.now().toISOString() });
    reporter.progress({ kind: 'step-progress', idx: step.idx, step: op.name, done: final, total: final });
    reporter.progress({ kind: 'step-end', idx: step.idx, step: op.name, status: 'Success' });
    reporter.info(`${op.label}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`, where);
    return 'ok';
  } catch (error) {
    if (stopping || signal.aborted) {
      await deps.store.updateStep(run.id, step.idx, { status: transitionStep('Running', 'Pending'), done });
      reporter.progress({ kind: 'step-end', idx: step.idx, step: op.name, status: 'Pending' });
      reporter.info(`${op.label}: stopped; its checkpoint is kept`, where);
      return 'stopped';
    }
    const e = toConnectorError(error);
    const message = `${op.label} failed: ${e.message}${e.hint ? ` (${e.hint})` : ''}`;
    await deps.store.updateStep(run.id, step.idx, { status: transitionStep('Running', 'Error'), reason: e.message.slice(0, 500), endedAt: deps.clock.now().toISOString() });
    reporter.progress({ kind: 'step-end', idx: step.idx, step: op.name, status: 'Error' });
    reporter.error(message, where);
    return { error: message };
  } finally {
    clearInterval(poll);
  }
}

async function finish(deps: SystemDeps, run: RunRecord, reporter: RunReporter, state: ExecState): Promise<RunRecord> {
  const final: RunStatus = state.fatal ? (state.done > 0 ? 'INCOMPLETE' : 'FAILED') : state.stopped ? 'STOPPED' : 'FINISHED';
  const status = transitionRun(run.status, final);
  reporter.info(`Run ${run.id} ended ${status}${state.fatal ? `: ${state.fatal}` : ''}`);
  await reporter.flush();
  const events = await deps.store.countEvents(run.id);
  const summary: RunSummary = { types: {}, totals: emptyCounts(), warnings: events.warn, errors: events.error, actions: await deps.store.countActions(run.id) };
  const endedAt = deps.clock.now().toISOString();
  await deps.store.updateRun(run.id, { status, endedAt, summary });
  return { ...run, status, endedAt, summary };
}

/** The steps of a run that continues a STOPPED one: its finished operations are Skipped ("done in run N"), its checkpoints carried over. */
async function continueSteps(store: FerryStore, stopped: RunRecord, run: RunRecord, operations: SystemOperation[]): Promise<StepRecord[]> {
  const before = await store.listSteps(stopped.id);
  await store.createSteps(run.id, operations.map((op, idx) => {
    const old = before.find((s) => s.type === op.name);
    const done = old?.status === 'Success' || (old?.status === 'Skipped' && old.reason?.startsWith('done in run'));
    return { idx, job: SYSTEM_JOB, type: op.name, label: op.label, status: done ? 'Skipped' : 'Pending', reason: done ? (old?.status === 'Skipped' ? old.reason : `done in run ${stopped.id}`) : null };
  }));
  for (const op of operations) {
    const cursor = await store.getCursor(stopped.id, op.name);
    if (cursor !== undefined) await store.setCursor(run.id, op.name, cursor);
  }
  return store.listSteps(run.id);
}

/** The run and the stopped runs it continues (parentRunId of kind 'run'), newest first. */
async function runChain(store: FerryStore, of: RunRecord): Promise<RunRecord[]> {
  const chain = [of];
  let at = of;
  while (at.kind === 'run' && at.parentRunId !== null) {
    const parent = await store.getRun(at.parentRunId);
    if (!parent || parent.kind !== 'run') break;
    chain.push(parent);
    at = parent;
  }
  return chain;
}

async function saveWorkDirs(store: FerryStore, runId: number, dirs: { workDir: string; sourceWorkDir: string }): Promise<void> {
  await store.setCursor(runId, WORKDIR_KEY, dirs.workDir);
  await store.setCursor(runId, SOURCE_WORKDIR_KEY, dirs.sourceWorkDir);
}

async function storedWorkDirs(store: FerryStore, runId: number): Promise<{ workDir: string; sourceWorkDir: string }> {
  const workDir = await store.getCursor(runId, WORKDIR_KEY);
  const sourceWorkDir = await store.getCursor(runId, SOURCE_WORKDIR_KEY);
  if (!workDir || !sourceWorkDir) throw new UserError(`Run ${runId} is not a system migration run (it has no work folder)`);
  return { workDir, sourceWorkDir };
}

function timingOf(side: OpenSide): string {
  if (!side.timing) return 'read';
  const { reachSeconds, discoverSeconds } = side.timing;
  return `${side.host instanceof LocalHost ? '' : `reached in ${reachSeconds.toFixed(2)} s, `}read in ${discoverSeconds.toFixed(2)} s`;
}

function describe(side: { host: Host; info: InstallationInfo }): string {
  return `${side.info.platform} ${side.info.version} at ${side.info.url} (${side.info.location.configFile} on ${side.host.label})`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'migration';
}

function asUserError(error: unknown, prefix: string): UserError {
  if (error instanceof UserError) return error;
  const e = toConnectorError(error);
  return new UserError(`${prefix}: ${e.message}`, e.hint ? { hint: e.hint } : {});
}
