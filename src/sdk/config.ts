import { z } from 'zod';

/** True for absolute http:// and https:// URLs. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The URL field of a connector's config: trimmed, required, http(s) only,
 * with an example of what is expected in the message.
 *
 * @example
 * const schema = z.object({ url: httpUrlField('the site URL', 'https://example.org') });
 */
export function httpUrlField(what: string, example: string, meta: { title: string; description?: string } = { title: 'URL' }) {
  return z
    .string()
    .trim()
    .min(1, `${what} is required`)
    .refine(isHttpUrl, `must be an http:// or https:// URL, like ${example}`)
    // Checked here too, not only in the CLI, so every way in (API, wizard) refuses it.
    .refine((value) => !hasCredentials(value), 'must not contain an account or password (user:password@): give the password in the connection\'s password setting (on the command line --password-env or --password-file), never in the URL')
    .meta({ ...meta, examples: [example], format: 'uri' } satisfies ConfigFieldMeta);
}

function hasCredentials(value: string): boolean {
  try {
    const url = new URL(value);
    return url.username !== '' || url.password !== '';
  } catch {
    return false;
  }
}

/**
 * What a person needs to fill one settings field, kept on the field with
 * zod's `.meta()`: it travels into the JSON Schema of GET /api/platforms
 * (title, description, examples, writeOnly) and into `ferry connection add`,
 * so neither the dashboard nor the CLI knows any platform's fields.
 */
export interface ConfigFieldMeta {
  /** The label: 'User name'. */
  title: string;
  /** Help shown beside the field: what to give and where to find it. */
  description?: string;
  examples?: string[];
  /** A secret: typed hidden, stored encrypted, never shown again. */
  writeOnly?: boolean;
  /** 'uri' for a URL field (checked as one before anything is contacted). */
  format?: 'uri';
}

/** One settings field as the CLI and the wizard ask for it. */
export interface ConfigField extends ConfigFieldMeta {
  name: string;
  required: boolean;
  secret: boolean;
}

/** The fields of a connector's settings schema (a z.object), in order, with their metadata. */
export function configFields(schema: z.ZodType, secretFields: readonly string[]): ConfigField[] {
  if (!(schema instanceof z.ZodObject)) throw new Error('a connector\'s configSchema must be a z.object');
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => {
    const meta = (field.meta() ?? {}) as Partial<ConfigFieldMeta>;
    return { ...meta, name, title: meta.title ?? name, required: !field.isOptional(), secret: secretFields.includes(name) || meta.writeOnly === true };
  });
}
