import { useId, useState, type FormEvent } from 'react';
import { api, ApiFailure } from '../api.js';
import { ErrorNote, useApi } from '../ui.js';
import type { Identity, Platform, SchemaProperty } from './connection-api.js';

interface Props {
  /** Called with the saved connection's name and what the check reached. */
  onSaved(name: string, identity: Identity): void;
  onCancel?: () => void;
}

/**
 * Adds a connection with a form built from the platform's config schema
 * (GET /api/platforms): its fields, labels, help and which are secret. The
 * form knows no platform; an error the API names (`body.config.url`) shows
 * beside its field.
 */
export function ConnectionForm({ onSaved, onCancel }: Props) {
  const platforms = useApi<Platform[]>('/api/platforms');
  const [platform, setPlatform] = useState('');
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const id = useId();
  const chosen = platforms.data?.find((p) => p.platform === platform) ?? platforms.data?.[0];
  const properties = Object.entries(chosen?.configSchema.properties ?? {});
  const required = new Set(chosen?.configSchema.required ?? []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!chosen) return;
    setBusy(true);
    setErrors({});
    try {
      // Typed as the schema says: the API validates with the connector's own schema.
      const typed = (p: SchemaProperty, v: string): unknown => (p.type === 'boolean' ? v === 'true' : p.type === 'number' || p.type === 'integer' ? Number(v) : v);
      const config = Object.fromEntries(properties.filter(([key]) => values[key] !== undefined && values[key] !== '').map(([key, p]) => [key, typed(p, values[key]!)]));
      const answer = await api.post<{ name: string; identity: Identity }>('/api/connections', { name, platform: chosen.platform, config });
      setValues({});
      onSaved(answer.name, answer.identity);
    } catch (e) {
      if (!(e instanceof ApiFailure)) throw e;
      const field = e.body.field?.replace(/^body\.(config\.)?/, '') ?? '';
      // Without a field (the instance refused the settings), the message goes above the button.
      setErrors(field && (field === 'name' || properties.some(([k]) => k === field)) ? { [field]: e.body.error.replace(/^body\.[\w.]+: /, '') + (e.body.hint ? ` (${e.body.hint})` : '') } : { '': e.describe() });
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (key: string) =>
    errors[key] ? (
      <span id={`${id}-${key}-error`} className="field-error">
        {errors[key]}
      </span>
    ) : null;

  return (
    <form className="card form" onSubmit={(e) => void submit(e)} aria-label="Add a connection">
      <h2>Add a connection</h2>
      <ErrorNote error={platforms.error} />
      <label>
        Platform
        <select value={chosen?.platform ?? ''} onChange={(e) => setPlatform(e.target.value)}>
          {platforms.data?.map((p) => (
            <option key={p.platform} value={p.platform}>
              {p.title}
            </option>
          ))}
        </select>
      </label>
      <label>
        Connection name
        <input value={name} onChange={(e) => setName(e.target.value)} required pattern="[\w.\-]+" aria-invalid={errors.name ? true : undefined} aria-describedby={`${id}-name-help${errors.name ? ` ${id}-name-error` : ''}`} />
        <span id={`${id}-name-help`} className="help">
          How plans name it: letters, digits, dot, dash or underscore, e.g. old-wiki.
        </span>
        {fieldError('name')}
      </label>
      {properties.map(([key, p]) => {
        const secret = chosen?.secretFields.includes(key) || p.writeOnly === true;
        return (
          <label key={`${chosen?.platform}-${key}`}>
            {p.title ?? key}
            {required.has(key) ? '' : ' (optional)'}
            {p.enum || p.type === 'boolean' ? (
              <select name={key} value={values[key] ?? ''} onChange={(e) => setValues({ ...values, [key]: e.target.value })} required={required.has(key)} aria-describedby={p.description ? `${id}-${key}-help` : undefined}>
                <option value="">{required.has(key) ? 'Choose…' : 'default'}</option>
                {(p.enum ?? ['true', 'false']).map((v) => (
                  <option key={v} value={v}>
                    {p.type === 'boolean' ? (v === 'true' ? 'yes' : 'no') : v}
                  </option>
                ))}
              </select>
            ) : (
              <input
                name={key}
                type={secret ? 'password' : p.format === 'uri' ? 'url' : p.type === 'number' || p.type === 'integer' ? 'number' : 'text'}
                autoComplete={secret ? 'new-password' : 'off'}
                value={values[key] ?? ''}
                placeholder={p.examples?.[0]?.split(' or ')[0]}
                onChange={(e) => setValues({ ...values, [key]: e.target.value })}
                required={required.has(key)}
                aria-invalid={errors[key] ? true : undefined}
                aria-describedby={[p.description ? `${id}-${key}-help` : '', errors[key] ? `${id}-${key}-error` : ''].filter(Boolean).join(' ') || undefined}
              />
            )}
            {p.description && (
              <span id={`${id}-${key}-help`} className="help">
                {p.description}
              </span>
            )}
            {fieldError(key)}
          </label>
        );
      })}
      <ErrorNote error={errors['']} />
      <p className="help">Ferry checks the connection (reachable, signed in, rights) before it saves anything.</p>
      <div className="toolbar">
        <button type="submit" className="primary" disabled={busy || !chosen}>
          {busy ? 'Checking…' : 'Check and save'}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
