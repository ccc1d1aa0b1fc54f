import type { ItemHeader, NotCarried, ObjectTypeSpec, TargetRef } from '../sdk/connector.js';
import type { MigrationContext } from './context.js';
import type { Filter } from './plan.js';
import { layoutJobs } from './planner.js';
import type { EngineStore, MappingRecord } from './ports.js';
import type { ProgressEvent } from './reporter.js';
import { selectItem } from './selection.js';
import { collectTokens, diffValues, translateTokens, type TokenRef } from './verify-compare.js';

/**
 * Verify: reads both sides afresh through the connectors and compares every
 * selected source item with the object the ID map says it became. The map
 * only says where to look; what is there is read from the target itself.
 */

export type DiscrepancyProblem = 'not-migrated' | 'missing' | 'different';

export interface Discrepancy {
  type: string;
  sourceId: string;
  label: string;
  problem: DiscrepancyProblem;
  /** For 'different': where (`revisions[3].sha1`), with both values as shown. */
  field?: string;
  source?: string;
  target?: string;
  message: string;
}

export interface VerifyTypeResult {
  type: string;
  label: string;
  /** Source items the plan selects. */
  selected: number;
  /** Found on the target and compared field by field (or, without `inspect`, found to exist). */
  equal: number;
  /** Adopted from the target under conflict policy skip, or people mapped by the plan: left as they were, not compared. */
  kept: number;
  notMigrated: number;
  missing: number;
  different: number;
  /**
   * Equal but for references the ID map cannot resolve (a link to an object
   * that is not on the source or not in the plan): the run already named them
   * in its post-migration actions.
   */
  unresolved: number;
  /** Equal but for fields a post-migration action already names (a group the login could not assign). */
  actioned: number;
  /** False when the connector cannot inspect this type: only existence was checked. */
  fieldsCompared: boolean;
}

export interface VerifyReport {
  types: VerifyTypeResult[];
  /** The first discrepancies found (at most {@link KEPT_DISCREPANCIES}); `discrepancyCount` has them all. */
  discrepancies: Discrepancy[];
  discrepancyCount: number;
  /** Differences the run had reasons for (items its user cancelled): counted apart. */
  excused: number;
  /** What the source holds that the connector does not carry. */
  notCarried: NotCarried[];
}

export const KEPT_DISCREPANCIES = 500;
const CHUNK = 50;

export interface VerifyInput {
  ctx: MigrationContext;
  store: Pick<EngineStore, 'getMappings' | 'putMapping' | 'deleteMapping' | 'listFieldActions'>;
  now: () => string;
  onProgress?: (event: ProgressEvent) => void;
  /**
   * Called for every discrepancy, as it is found. Answering 'excused' (an
   * item the run's user cancelled) counts it apart, not as a discrepancy.
   */
  onDiscrepancy?: (discrepancy: Discrepancy) => Promise<'counted' | 'excused'> | 'counted' | 'excused';
  /**
   * Make the ID map forget what it says about damaged items, so the next run
   * writes them again: a missing object's entry is removed, a different
   * one's content hash cleared.
   */
  invalidate: boolean;
}

/** Verifies every object type the plan migrates, in dependency order. */
export async function verifyMigration(input: VerifyInput): Promise<VerifyReport> {
  const { ctx } = input;
  const report: VerifyReport = { types: [], discrepancies: [], discrepancyCount: 0, excused: 0, notCarried: [] };
  const record = async (d: Discrepancy) => {
    if ((await input.onDiscrepancy?.(d)) === 'excused') {
      report.excused++;
      return;
    }
    report.discrepancyCount++;
    if (report.discrepancies.length < KEPT_DISCREPANCIES) report.discrepancies.push(d);
  };
  const resolver = new TokenResolver(input);
  const actioned = new Map<string, Set<string>>();
  for (const a of await input.store.listFieldActions(ctx.migrationId)) {
    const fields = actioned.get(`${a.type}\u0000${a.sourceId}`) ?? new Set<string>();
    for (const f of a.fields) fields.add(f);
    actioned.set(`${a.type}\u0000${a.sourceId}`, fields);
  }
  // A type in several jobs is verified once, over the union of their scopes (each item once).
  const scopes = new Map<string, Array<Filter[] | undefined>>();
  for (const job of layoutJobs(ctx.types, ctx.plan).jobs) {
    for (const step of job.steps.filter((s) => s.applies)) scopes.set(step.type, [...(scopes.get(step.type) ?? []), job.scope]);
  }
  for (const [type, list] of scopes) {
    const spec = ctx.types.find((t) => t.name === type)!;
    const applicable = (scope: Filter[] | undefined) => (scope ?? []).filter((f) => !f.type || f.type === type);
    const scope = list.some((sc) => applicable(sc).length === 0) ? undefined : list.flatMap(applicable);
    report.types.push(await verifyType({ input, spec, scope, resolver, record, actioned }));
  }
  const inventory = await ctx.source.discover({ signal: ctx.signal });
  report.notCarried = inventory.notCarried ?? [];
  return report;
}

interface TypeRun {
  input: VerifyInput;
  spec: ObjectTypeSpec;
  scope: Filter[] | undefined;
  resolver: TokenResolver;
  record: (d: Discrepancy) => Promise<void>;
  /** `type\0sourceId` -> fields a post-migration action accounts for. */
  actioned: Map<string, Set<string>>;
}

async function verifyType(run: TypeRun): Promise<VerifyTypeResult> {
  const { input, spec, scope } = run;
  const { ctx } = input;
  const step = `verify:${spec.name}`;
  const result: VerifyTypeResult = { type: spec.name, label: spec.label, selected: 0, equal: 0, kept: 0, notMigrated: 0, missing: 0, different: 0, unresolved: 0, actioned: 0, fieldsCompared: Boolean(ctx.source.inspect && ctx.target.inspect) };
  input.onProgress?.({ kind: 'step-start', job: 'Verify', step, label: `Verify ${spec.label}`, total: 0 });
  let buffer: ItemHeader[] = [];
  // Chunks are compared side by side, as many as the plan's concurrency (each reads both sides at once).
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const flush = async () => {
    if (buffer.length === 0) return;
    const chunk = buffer;
    buffer = [];
    const task: Promise<void> = verifyChunk(run, chunk, result)
      .then(() => {
        const done = result.equal + result.unresolved + result.actioned + result.kept + result.notMigrated + result.missing + result.different;
        input.onProgress?.({ kind: 'step-progress', step, done, total: result.selected });
      })
      .catch((error: unknown) => void (failure ??= { error }))
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
    while (inFlight.size >= Math.max(1, ctx.plan.options.concurrency)) await Promise.race(inFlight);
    if (failure) throw failure.error;
  };
  try {
    for await (const page of ctx.source.read(spec.name, { signal: ctx.signal })) {
      for (const header of page.items) {
        if (!selectItem(header, ctx.plan, scope).selected) continue;
        result.selected++;
        buffer.push(header);
        if (buffer.length >= CHUNK) await flush();
      }
      input.onProgress?.({ kind: 'step-total', step, total: result.selected });
    }
    await flush();
  } finally {
    await Promise.all(inFlight);
  }
  if (failure) throw failure.error;
  const bad = result.notMigrated + result.missing + result.different;
  input.onProgress?.({ kind: 'step-end', step, status: bad > 0 ? 'Error' : 'Success' });
  return result;
}

async function verifyChunk(run: TypeRun, headers: ItemHeader[], result: VerifyTypeResult): Promise<void> {
  const { input, spec, record } = run;
  const { ctx, store } = input;
  const mappings = await store.getMappings(ctx.scope, spec.name, headers.map((h) => h.sourceId));
  const compared: Array<{ header: ItemHeader; mapping: MappingRecord & { targetId: string } }> = [];
  const kept: typeof compared = [];
  for (const header of headers) {
    const mapping = mappings.get(header.sourceId);
    // A pending entry with a target id is an update that did not finish: the object is there to compare.
    if (!mapping || !mapping.targetId) {
      result.notMigrated++;
      await record({ type: spec.name, sourceId: header.sourceId, label: header.label, problem: 'not-migrated', message: `${spec.label}: "${header.label}" is on the source but not on the target (run the migration to carry it)` });
    } else if (isKept(run, mapping)) {
      kept.push({ header, mapping: mapping as MappingRecord & { targetId: string } });
    } else {
      compared.push({ header, mapping: mapping as MappingRecord & { targetId: string } });
    }
  }
  // The target's own version stands for these, but it must still be there.
  const present = kept.length > 0 ? await existingOnTarget(run, kept.map((k) => k.mapping.targetId), kept.map((k) => k.header.key)) : new Set<string>();
  for (const { header, mapping } of kept) {
    if (present.has(mapping.targetId) || present.has(`key:${header.key}`)) {
      result.kept++;
      continue;
    }
    result.missing++;
    await record({ type: spec.name, sourceId: header.sourceId, label: header.label, problem: 'missing', message: `${spec.label}: "${header.label}" is missing on the target (target id ${mapping.targetId}, adopted from the target earlier)` });
    if (input.invalidate) await store.deleteMapping(ctx.scope, spec.name, header.sourceId);
  }
  if (compared.length === 0) return;
  const exists = ctx.source.inspect && ctx.target.inspect ? await compareFields(run, compared) : await compareExistence(run, compared);
  for (const { header, mapping } of compared) {
    const verdict = exists.get(header.sourceId);
    if (verdict === undefined) continue; // vanished from the source since it was listed: nothing to compare
    if (verdict === 'missing') {
      result.missing++;
      await record({ type: spec.name, sourceId: header.sourceId, label: header.label, problem: 'missing', message: `${spec.label}: "${header.label}" is missing on the target (target id ${mapping.targetId})` });
      if (input.invalidate) await store.deleteMapping(ctx.scope, spec.name, header.sourceId);
    } else if (verdict === 'equal') {
      result.equal++;
    } else {
      const named = run.actioned.get(`${spec.name}\u0000${header.sourceId}`);
      const damage = verdict.filter((d) => !d.unresolved && !named?.has(topField(d.field)));
      if (damage.length === 0) {
        if (verdict.some((d) => !d.unresolved)) result.actioned++;
        else result.unresolved++;
        continue;
      }
      result.different++;
      for (const d of damage) {
        await record({ type: spec.name, sourceId: header.sourceId, label: header.label, problem: 'different', field: d.field, source: d.source, target: d.target, message: `${spec.label}: "${header.label}" differs in ${d.field}: source ${d.source}, target ${d.target}` });
      }
      if (input.invalidate) await store.putMapping(ctx.scope, { ...mapping, hash: null }, input.now());
    }
  }
}

/** `revisions[3].sha1` -> `revisions`. */
function topField(path: string): string {
  return path.split(/[.[]/, 1)[0]!;
}

/** Objects Ferry took over rather than wrote: the target's version stands. */
function isKept(run: TypeRun, mapping: MappingRecord): boolean {
  if (mapping.origin !== 'adopted') return false;
  return run.spec.principal === true || run.input.ctx.plan.conflict === 'skip';
}

type Verdict = 'equal' | 'missing' | ReturnType<typeof diffValues>;

async function compareFields(run: TypeRun, items: Array<{ header: ItemHeader; mapping: MappingRecord & { targetId: string } }>): Promise<Map<string, Verdict>> {
  const { ctx } = run.input;
  const options = { signal: ctx.signal };
  const [sources, targets] = await Promise.all([
    ctx.source.inspect!(run.spec.name, items.map((i) => i.header.sourceId), options),
    ctx.target.inspect!(run.spec.name, items.map((i) => i.mapping.targetId), options),
  ]);
  await run.resolver.prepare([...sources.values()].flatMap((s) => collectTokens(s.fields)));
  const verdicts = new Map<string, Verdict>();
  for (const { header, mapping } of items) {
    const source = sources.get(header.sourceId);
    if (!source) continue;
    const target = targets.get(mapping.targetId);
    if (!target) {
      verdicts.set(header.sourceId, 'missing');
      continue;
    }
    const expected = translateTokens(source.fields, (ref) => run.resolver.resolve(ref));
    const differences = diffValues(expected, target.fields, { limit: 20 });
    verdicts.set(header.sourceId, differences.length === 0 ? 'equal' : differences);
  }
  return verdicts;
}

/** Target ids (or `key:` natural keys, without `inspect`) that exist on the target. */
async function existingOnTarget(run: TypeRun, ids: string[], keys: string[]): Promise<Set<string>> {
  const { ctx } = run.input;
  if (ctx.target.inspect) return new Set((await ctx.target.inspect(run.spec.name, ids, { signal: ctx.signal })).keys());
  const found = await ctx.target.lookup(run.spec.name, keys, { signal: ctx.signal });
  return new Set([...found.keys()].map((k) => `key:${k}`));
}

/** Without `inspect`: each migrated object must still be found on the target by its natural key. */
async function compareExistence(run: TypeRun, items: Array<{ header: ItemHeader; mapping: MappingRecord & { targetId: string } }>): Promise<Map<string, Verdict>> {
  const { ctx } = run.input;
  const found = await ctx.target.lookup(run.spec.name, items.map((i) => i.header.key), { signal: ctx.signal });
  return new Map(items.map(({ header }) => [header.sourceId, found.has(header.key) ? 'equal' : 'missing'] as const));
}

/**
 * Source id -> target id for reference tokens, through the ID map; people
 * who were not migrated resolve to the placeholder account, as the run
 * credited them.
 */
class TokenResolver {
  private readonly known = new Map<string, string | undefined>();
  private placeholder: Promise<TargetRef | undefined> | undefined;
  private placeholderId: string | undefined;

  constructor(private readonly input: VerifyInput) {}

  async prepare(refs: TokenRef[]): Promise<void> {
    const { ctx, store } = this.input;
    const byType = new Map<string, Set<string>>();
    for (const ref of refs) {
      if (this.known.has(key(ref))) continue;
      const ids = byType.get(ref.type) ?? new Set<string>();
      ids.add(ref.id);
      byType.set(ref.type, ids);
    }
    const principal = ctx.types.find((t) => t.principal)?.name;
    for (const [type, ids] of byType) {
      const mappings = await store.getMappings(ctx.scope, type, [...ids]);
      for (const id of ids) {
        const m = mappings.get(id);
        this.known.set(key({ type, id }), m && m.state === 'done' && m.targetId ? m.targetId : undefined);
        if (type === principal && !m) await this.loadPlaceholder(type);
      }
    }
  }

  resolve(ref: TokenRef): string | undefined {
    const hit = this.known.get(key(ref));
    if (hit !== undefined) return hit;
    const principal = this.input.ctx.types.find((t) => t.principal)?.name;
    return ref.type === principal ? this.placeholderId : undefined;
  }

  private async loadPlaceholder(type: string): Promise<void> {
    const { ctx } = this.input;
    const name = ctx.plan.users.placeholder;
    this.placeholder ??= ctx.target.lookup(type, [name], { signal: ctx.signal }).then((found) => found.get(name));
    this.placeholderId = (await this.placeholder)?.targetId;
  }
}

function key(ref: TokenRef): string {
  return `${ref.type}\u0000${ref.id}`;
}
