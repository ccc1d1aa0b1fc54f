import { api, ApiFailure } from '../api.js';
import { draftToYaml, planErrors, type PlanDraft } from './plan-model.js';
import type { PreviewAnswer } from './plan-preview.js';

/** What a plan request answered: its value, or its errors by field path ('' for the plan as a whole). */
export type PlanOutcome<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> };

async function call<T>(path: string, draft: PlanDraft): Promise<PlanOutcome<T>> {
  try {
    return { ok: true, value: await api.post<T>(path, { yaml: draftToYaml(draft) }) };
  } catch (e) {
    if (!(e instanceof ApiFailure)) return { ok: false, errors: { '': String(e) } };
    const errors = e.body.field?.startsWith('yaml') ? planErrors(e.body.details, e.body.field, e.body.error) : { '': e.describe() };
    return { ok: false, errors };
  }
}

export interface ValidAnswer {
  valid: true;
  name: string;
  warnings: string[];
}

export const validatePlan = (d: PlanDraft) => call<ValidAnswer>('/api/plans/validate', d);
export const previewPlan = (d: PlanDraft) => call<PreviewAnswer>('/api/plans/preview', d);
export const savePlan = (d: PlanDraft) => call<{ name: string }>('/api/migrations', d);
