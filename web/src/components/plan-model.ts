import { parse, stringify } from 'yaml';

/**
 * The plan the editor and the wizard edit, as plain form state, and its
 * conversion to and from the plan YAML of docs/plans.md (what the API
 * validates, previews and saves). Empty fields are left out of the YAML so
 * the plan's defaults apply.
 */

export interface FilterRow {
  type: string;
  pattern: string;
  namespace: string;
  modifiedSince: string;
}

export interface ItemRow {
  type: string;
  key: string;
  migrate: boolean;
}

export interface UserMapRow {
  source: string;
  /** 'create', 'placeholder' or 'map' (then `target` names the target account). */
  choice: 'create' | 'placeholder' | 'map';
  target: string;
}

export interface PlanDraft {
  name: string;
  description: string;
  source: string;
  target: string;
  /** Migrate yes/no per object type. */
  types: Record<string, boolean>;
  include: FilterRow[];
  exclude: FilterRow[];
  items: ItemRow[];
  usersDefault: 'create' | 'placeholder';
  placeholder: string;
  userMap: UserMapRow[];
  conflict: 'skip' | 'update' | 'rename';
  options: { concurrency: string; itemTimeoutSeconds: string; maxAttempts: string; inventoryMaxAgeHours: string; rerunWindowDays: string; verify: boolean };
  /** Parts of a loaded plan the form does not edit (jobs; options reset, batchSize): kept as they were. */
  extra: Record<string, unknown>;
  otherOptions: Record<string, unknown>;
}

export const emptyFilter = (): FilterRow => ({ type: '', pattern: '', namespace: '', modifiedSince: '' });

export function emptyDraft(): PlanDraft {
  return {
    name: '', description: '', source: '', target: '', types: {}, include: [], exclude: [], items: [],
    usersDefault: 'create', placeholder: '', userMap: [], conflict: 'skip',
    options: { concurrency: '', itemTimeoutSeconds: '', maxAttempts: '', inventoryMaxAgeHours: '', rerunWindowDays: '', verify: true },
    extra: {},
    otherOptions: {},
  };
}

/** A number the user typed, sent as a number when it is one (the server explains a bad one in place). */
function numberOrText(value: string): number | string {
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) ? n : value;
}

function filterOut(f: FilterRow): Record<string, unknown> {
  return {
    ...(f.type ? { type: f.type } : {}),
    ...(f.pattern ? { pattern: f.pattern } : {}),
    ...(f.namespace.trim() ? { namespace: f.namespace.split(',').map((n) => numberOrText(n.trim())) } : {}),
    ...(f.modifiedSince ? { modifiedSince: f.modifiedSince } : {}),
  };
}

/** The plan as an object in the order of docs/plans.md. */
export function draftToPlan(d: PlanDraft): Record<string, unknown> {
  const options: Record<string, unknown> = { ...d.otherOptions };
  for (const key of ['concurrency', 'itemTimeoutSeconds', 'maxAttempts', 'inventoryMaxAgeHours', 'rerunWindowDays'] as const) if (d.options[key].trim()) options[key] = numberOrText(d.options[key]);
  if (!d.options.verify) options.verify = false;
  const map = Object.fromEntries(d.userMap.filter((r) => r.source.trim()).map((r) => [r.source.trim(), r.choice === 'map' ? { map: r.target } : r.choice]));
  const users = { ...(d.usersDefault !== 'create' ? { default: d.usersDefault } : {}), ...(d.placeholder.trim() ? { placeholder: d.placeholder.trim() } : {}), ...(Object.keys(map).length ? { map } : {}) };
  return {
    name: d.name,
    ...(d.description ? { description: d.description } : {}),
    source: d.source,
    target: d.target,
    ...(Object.keys(d.types).length ? { types: d.types } : {}),
    ...(d.include.length ? { include: d.include.map(filterOut) } : {}),
    ...(d.exclude.length ? { exclude: d.exclude.map(filterOut) } : {}),
    ...(d.items.length ? { items: d.items.map((i) => ({ type: i.type, key: i.key, migrate: i.migrate })) } : {}),
    ...(Object.keys(users).length ? { users } : {}),
    conflict: d.conflict,
    ...d.extra,
    ...(Object.keys(options).length ? { options } : {}),
  };
}

export function draftToYaml(d: PlanDraft): string {
  return stringify(draftToPlan(d));
}

const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
type Loose = Record<string, unknown>;
const asObject = (v: unknown): Loose => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Loose) : {});
const asList = (v: unknown): Loose[] => (Array.isArray(v) ? v.map(asObject) : []);

function filterIn(f: Loose): FilterRow {
  return { type: text(f.type), pattern: text(f.pattern), namespace: Array.isArray(f.namespace) ? f.namespace.join(', ') : text(f.namespace), modifiedSince: text(f.modifiedSince) };
}

/** A saved plan's YAML as form state (for /migrations/:name/edit). */
export function yamlToDraft(yaml: string): PlanDraft {
  const p = asObject(parse(yaml));
  const users = asObject(p.users);
  const options = asObject(p.options);
  const { name, description, source, target, types, include, exclude, items, users: _u, conflict, options: _o, ...extra } = p;
  const d = emptyDraft();
  return {
    ...d,
    name: text(name), description: text(description), source: text(source), target: text(target),
    types: Object.fromEntries(Object.entries(asObject(types)).map(([k, v]) => [k, v !== false])),
    include: asList(include).map(filterIn),
    exclude: asList(exclude).map(filterIn),
    items: asList(items).map((i) => ({ type: text(i.type), key: text(i.key), migrate: i.migrate !== false })),
    usersDefault: users.default === 'placeholder' ? 'placeholder' : 'create',
    placeholder: text(users.placeholder),
    userMap: Object.entries(asObject(users.map)).map(([source, v]) => (typeof v === 'object' && v !== null ? { source, choice: 'map', target: text((v as Loose).map) } : { source, choice: v === 'placeholder' ? 'placeholder' : 'create', target: '' })),
    conflict: conflict === 'update' || conflict === 'rename' ? conflict : 'skip',
    options: {
      concurrency: text(options.concurrency), itemTimeoutSeconds: text(options.itemTimeoutSeconds), maxAttempts: text(options.maxAttempts),
      inventoryMaxAgeHours: text(options.inventoryMaxAgeHours), rerunWindowDays: text(options.rerunWindowDays), verify: options.verify !== false,
    },
    extra,
    otherOptions: Object.fromEntries(Object.entries(options).filter(([k]) => !['concurrency', 'itemTimeoutSeconds', 'maxAttempts', 'inventoryMaxAgeHours', 'rerunWindowDays', 'verify'].includes(k))),
  };
}

/**
 * The API's plan errors ("options.concurrency: at most 16", field
 * "yaml.options.concurrency") by field path, so each shows beside its input.
 */
export function planErrors(details: string[] | undefined, field: string | undefined, error: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of details ?? []) {
    const m = /^(?:line \d+: )?([\w.]+): (.*)$/.exec(line);
    if (m?.[1] && m[2]) out[m[1]] ??= m[2];
    else out[''] = out[''] ? `${out['']} ${line}` : line;
  }
  if (Object.keys(out).length === 0) out[field?.replace(/^yaml\.?/, '') ?? ''] = error;
  return out;
}
