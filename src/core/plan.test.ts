import { describe, expect, it } from 'vitest';
import { memoryTypes } from '../sdk/testing/memory-platform.js';
import { parsePlan, PlanError } from './plan.js';
import { layoutJobs } from './planner.js';
import { isNamespaceSelected } from './prechecks.js';
import { selectItem } from './selection.js';

function problems(text: string) {
  try {
    parsePlan(text, 'p.yaml');
  } catch (error) {
    if (error instanceof PlanError) return error.problems;
    throw error;
  }
  throw new Error('expected the plan to be rejected');
}

describe('plans', () => {
  it('fills defaults', () => {
    const plan = parsePlan('name: move\nsource: a\ntarget: b\n');
    expect(plan.conflict).toBe('skip');
    expect(plan.users.default).toBe('create');
    expect(plan.options.rerunWindowDays).toBe(12);
  });

  it('names the unknown field and its line', () => {
    const found = problems('name: move\nsource: a\ntarget: b\noptions:\n  concurency: 3\n');
    expect(found).toEqual([{ path: 'options', line: 5, message: expect.stringContaining('unknown field "concurency"') }]);
  });

  it('names the line of a wrong value', () => {
    const found = problems('name: move\nsource: a\ntarget: b\nconflict: merge\n');
    expect(found[0]).toMatchObject({ path: 'conflict', line: 4 });
  });

  it('reports malformed YAML with its line', () => {
    const found = problems('name: move\nsource: [a\ntarget: b\n');
    expect(found[0]?.message).toMatch(/YAML syntax/);
    expect(found[0]?.line).toBeGreaterThan(1);
  });

  it('reports missing required fields', () => {
    expect(problems('name: move\n').map((p) => p.path)).toEqual(['source', 'target']);
  });

  it('rejects a bad date with its line', () => {
    expect(problems('name: m\nsource: a\ntarget: b\ninclude:\n  - modifiedSince: yesterday\n')[0]).toMatchObject({ path: 'include.0.modifiedSince', line: 5 });
  });
});

describe('job layout', () => {
  it('builds standard jobs in dependency order and skips turned-off types', () => {
    const layout = layoutJobs(memoryTypes, parsePlan('name: m\nsource: a\ntarget: b\ntypes:\n  doc: false\n'));
    expect(layout.jobs.map((j) => [j.name, j.steps.map((s) => `${s.type}:${s.applies}`)])).toEqual([
      ['Users and groups', ['person:true']],
      ['Content', ['doc:false']],
    ]);
    expect(layout.warnings).toEqual([]);
  });

  it('warns about, but allows, a job that breaks the dependency order', () => {
    const layout = layoutJobs(memoryTypes, parsePlan('name: m\nsource: a\ntarget: b\njobs:\n  - name: docs first\n    steps: [doc, person]\n'));
    expect(layout.jobs[0]?.steps.map((s) => s.type)).toEqual(['doc', 'person']);
    expect(layout.warnings[0]).toMatch(/"doc".*before "person"/);
  });

  it('refuses an unknown step name', () => {
    expect(() => layoutJobs(memoryTypes, parsePlan('name: m\nsource: a\ntarget: b\njobs:\n  - name: x\n    steps: [pages]\n'))).toThrow(/unknown step "pages"/);
  });
});

describe('selection', () => {
  const plan = parsePlan(
    'name: m\nsource: a\ntarget: b\ninclude:\n  - type: doc\n    namespace: [0, 10]\nexclude:\n  - pattern: "Sandbox*"\nitems:\n  - { type: doc, key: "Keep me", migrate: false }\n',
  );
  const doc = (label: string, namespace = '0') => ({ type: 'doc', sourceId: label, key: label, label, namespace, hash: 'h' });
  it('applies include, exclude and per-item choices with reasons', () => {
    expect(selectItem(doc('Main'), plan)).toEqual({ selected: true });
    expect(selectItem(doc('Talk', '1'), plan)).toEqual({ selected: false, reason: 'matches no include filter' });
    expect(selectItem(doc('Sandbox/1'), plan)).toMatchObject({ selected: false, reason: expect.stringContaining('Sandbox*') });
    expect(selectItem(doc('Keep me'), plan)).toEqual({ selected: false, reason: 'Migrate = No in the plan' });
    expect(selectItem({ ...doc('alice'), type: 'person' }, plan)).toEqual({ selected: true });
  });
});

describe('namespace selection for pre-checks', () => {
  it('is false only when filters leave the whole namespace out', () => {
    const plan = (extra: string) => parsePlan(`name: m\nsource: a\ntarget: b\n${extra}`);
    expect(isNamespaceSelected(plan(''), 'page', '828')).toBe(true);
    expect(isNamespaceSelected(plan('exclude:\n  - namespace: [828]\n'), 'page', '828')).toBe(false);
    expect(isNamespaceSelected(plan('exclude:\n  - namespace: [828]\n    pattern: "Module:A*"\n'), 'page', '828')).toBe(true);
    expect(isNamespaceSelected(plan('include:\n  - type: page\n    namespace: [0, 10]\n'), 'page', '828')).toBe(false);
    expect(isNamespaceSelected(plan('include:\n  - type: page\n    namespace: [0, 10]\n'), 'page', '10')).toBe(true);
  });

  it('refuses a YAML alias bomb (billion laughs) with a plan error, without expanding it', () => {
    const levels = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 9; i++) levels.push(`${'abcdefghi'[i]}: &${'abcdefghi'[i]} [${Array(9).fill(`*${'abcdefghi'[i - 1]}`).join(', ')}]`);
    const found = problems(`name: move\nsource: a\ntarget: b\n${levels.join('\n')}\n`);
    expect(found).toEqual([{ path: '', message: expect.stringContaining('aliases (*name) expand too much') }]);
  });

  it('allows a few aliases', () => {
    const plan = parsePlan('name: move\nsource: a\ntarget: b\ninclude:\n  - &f { type: page, pattern: "A*" }\nexclude:\n  - *f\n');
    expect(plan.exclude).toEqual([{ type: 'page', pattern: 'A*' }]);
  });

  it('refuses a plan over 1 MB before parsing it', () => {
    const found = problems(`name: move\nsource: a\ntarget: b\ndescription: "${'x'.repeat(1_000_001)}"\n`);
    expect(found).toEqual([{ path: '', message: expect.stringMatching(/at most 1000000 bytes/) }]);
  });

  it('bounds the options whose values become timers and dates', () => {
    expect(problems('name: m\nsource: a\ntarget: b\noptions:\n  itemTimeoutSeconds: 3000000\n')).toEqual([{ path: 'options.itemTimeoutSeconds', line: 5, message: expect.stringContaining('86400') }]);
    expect(problems('name: m\nsource: a\ntarget: b\noptions:\n  rerunWindowDays: 1e12\n')[0]!.path).toBe('options.rerunWindowDays');
    expect(problems('name: m\nsource: a\ntarget: b\noptions:\n  inventoryMaxAgeHours: .inf\n')[0]!.path).toBe('options.inventoryMaxAgeHours');
  });
});
