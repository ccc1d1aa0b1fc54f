import { useEffect, useRef } from 'react';

/** The wizard's steps, in the words of the terminal wizard (`ferry wizard`) too. */
export const WIZARD_STEPS = ['Welcome', 'Source', 'Source info', 'Options', 'Confirmation', 'Execution', 'Result'] as const;

/** "Step 3 of 7: Source info", with every step listed and the current one marked. */
export function StepIndicator({ step }: { step: number }) {
  return (
    <nav aria-label="Wizard steps" className="steps">
      <p className="step-count">
        Step {step + 1} of {WIZARD_STEPS.length}: {WIZARD_STEPS[step]}
      </p>
      <ol>
        {WIZARD_STEPS.map((name, i) => (
          <li key={name} aria-current={i === step ? 'step' : undefined} className={i === step ? 'current' : i < step ? 'done' : ''}>
            {name}
            {i < step ? <span className="visually-hidden"> (done)</span> : null}
          </li>
        ))}
      </ol>
    </nav>
  );
}

/** The step's heading, focused when the step opens so keyboard and screen-reader users start there. */
export function StepHeading({ step }: { step: number }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), [step]);
  return (
    <h2 ref={ref} tabIndex={-1}>
      {WIZARD_STEPS[step]}
    </h2>
  );
}

/** Back and Next; Next says what it does when that is more than moving on. */
export function WizardButtons({ onBack, onNext, next = 'Next', nextDisabled, nextTitle }: { onBack?: (() => void) | undefined; onNext?: (() => void) | undefined; next?: string; nextDisabled?: boolean; nextTitle?: string | undefined }) {
  return (
    <div className="toolbar wizard-buttons">
      {onBack && (
        <button type="button" onClick={onBack}>
          Back
        </button>
      )}
      {onNext && (
        <button type="button" className="primary" onClick={onNext} disabled={nextDisabled} title={nextTitle}>
          {next}
        </button>
      )}
    </div>
  );
}
