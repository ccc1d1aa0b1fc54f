import { describe, expect, it } from 'vitest';
import { parsePlan, PlanError } from '../../src/core/plan.js';
import { draftToYaml, emptyDraft, planErrors, yamlToDraft, type PlanDraft } from '../../web/src/components/plan-model.js';

/** The plan editor's form state becomes a plan Ferry's own parser reads as meant, and back. */
describe('the plan editor\'s YAML', () => {
  const draft: PlanDraft = {
    ...emptyDraft(),
    name: 'wiki move',
    description: 'team wiki',
    source: 'old',
    target: 'new',
    types: { user: true, page: true, file: false },
    include: [{ type: 'page', pattern: '', namespace: '0, 10', modifiedSince: '' }],
    exclude: [{ type: 'page', pattern: 'Sandbox*', namespace: '', modifiedSince: '2024-06-01' }],
    items: [{ type: 'page', key: 'Old home page', migrate: false }],
    usersDefault: 'placeholder',
    placeholder: 'Former staff',
    userMap: [
      { source: 'OldAdmin', choice: 'map', target: 'Admin' },
      { source: 'Jane', choice: 'create', target: '' },
    ],
    conflict: 'update',
    options: { concurrency: '4', itemTimeoutSeconds: '', maxAttempts: '', inventoryMaxAgeHours: '', rerunWindowDays: '30', verify: false },
  };

  it('writes every part of the form as the plan format says', () => {
    const plan = parsePlan(draftToYaml(draft));
    expect(plan).toMatchObject({
      name: 'wiki move', description: 'team wiki', source: 'old', target: 'new', conflict: 'update',
      types: { user: true, page: true, file: false },
      include: [{ type: 'page', namespace: ['0', '10'] }],
      items: [{ type: 'page', key: 'Old home page', migrate: false }],
      users: { default: 'placeholder', placeholder: 'Former staff', map: { OldAdmin: { map: 'Admin' }, Jane: 'create' } },
      options: { concurrency: 4, rerunWindowDays: 30, verify: false, itemTimeoutSeconds: 600 },
    });
    expect(plan.exclude[0]).toMatchObject({ type: 'page', pattern: 'Sandbox*' });
  });

  it('reads a saved plan back into the same form, keeping what the form does not edit', () => {
    expect(yamlToDraft(draftToYaml(draft))).toEqual(draft);
    const withJobs = yamlToDraft('name: j\nsource: a\ntarget: b\njobs:\n  - name: Only pages\n    steps: [page]\noptions:\n  reset: true\n');
    expect(withJobs.extra).toEqual({ jobs: [{ name: 'Only pages', steps: ['page'] }] });
    expect(parsePlan(draftToYaml(withJobs))).toMatchObject({ jobs: [{ name: 'Only pages', steps: ['page'] }], options: { reset: true } });
  });

  it('leaves empty fields out, so the plan\'s defaults apply', () => {
    expect(draftToYaml({ ...emptyDraft(), name: 'n', source: 'a', target: 'b' })).toBe('name: n\nsource: a\ntarget: b\nconflict: skip\n');
  });

  it('puts each error Ferry\'s parser reports beside its field', () => {
    let problems: string[] = [];
    try {
      parsePlan(draftToYaml({ ...draft, options: { ...draft.options, concurrency: '99' }, placeholder: '' , userMap: [{ source: 'X', choice: 'map', target: '' }] }));
    } catch (e) {
      if (!(e instanceof PlanError)) throw e;
      problems = e.problems.map((p) => `${p.line ? `line ${p.line}: ` : ''}${p.path ? `${p.path}: ` : ''}${p.message}`);
    }
    const errors = planErrors(problems, 'yaml.options.concurrency', 'The plan is not valid');
    expect(Object.keys(errors).sort()).toEqual(['options.concurrency', 'users.map.X.map']);
    expect(errors['options.concurrency']).toMatch(/16/);
  });
});
