import { useState } from 'react';
import { draftToYaml, type PlanDraft } from './plan-model.js';

/** The plan being edited as the YAML file it becomes (docs/plans.md), to read or copy into a plan file. */
export function PlanYaml({ draft }: { draft: PlanDraft }) {
  const [open, setOpen] = useState(false);
  return (
    <div>
      <button type="button" aria-expanded={open} aria-controls="plan-yaml" onClick={() => setOpen(!open)}>
        {open ? 'Hide the YAML' : 'Show as YAML'}
      </button>
      {open && (
        <pre id="plan-yaml" className="log" tabIndex={0} aria-label="The plan as YAML">
          {draftToYaml(draft)}
        </pre>
      )}
    </div>
  );
}
