import type { ReactNode } from 'react';

/** A labelled input with its help and, when the API named this field, its error beside it. */
export function Field({ path, label, help, errors, children }: { path: string; label: string; help?: string; errors: Record<string, string>; children: (props: { id: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string }) => ReactNode }) {
  const id = `plan-${path.replace(/\W/g, '-')}`;
  const error = errors[path];
  const describedBy = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(error ? { 'aria-invalid': true } : {}), ...(describedBy ? { 'aria-describedby': describedBy } : {}) })}
      {help && (
        <span id={`${id}-help`} className="help">
          {help}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

/** Errors under a path prefix (include.0.pattern under include) the form shows as one note, for lists. */
export function errorsUnder(errors: Record<string, string>, prefix: string): string[] {
  return Object.entries(errors)
    .filter(([k]) => k === prefix || k.startsWith(`${prefix}.`))
    .map(([k, v]) => `${k}: ${v}`);
}

/** Every problem the API found in the plan, in one alert (each also shows beside its field when the form has one). */
export function PlanProblems({ errors }: { errors: Record<string, string> }) {
  const count = Object.keys(errors).length;
  if (count === 0) return null;
  return (
    <div role="alert" className="error">
      The plan has {count === 1 ? 'a problem' : `${count} problems`}
      {errors[''] ? '' : ' (marked at their fields below)'}:
      <ul>
        {Object.entries(errors).map(([path, message]) => (
          <li key={path}>{path ? `${path}: ${message}` : message}</li>
        ))}
      </ul>
    </div>
  );
}
