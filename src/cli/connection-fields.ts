import { readFileSync } from 'node:fs';
import { input, password as promptPassword } from '@inquirer/prompts';
import { Option } from 'commander';
import { UserError } from '../app/errors.js';
import { connectors } from '../app/registry.js';
import { configFields, type ConfigField } from '../sdk/config.js';
import { checkConnectionUrl } from './validate.js';

/**
 * `ferry connection add` and `ferry wizard` ask for a connection's settings
 * from the connector's config schema: its fields, their labels, help and
 * secrecy. No platform is named here; a new connector's fields appear by
 * themselves.
 */

/** `userName` → `user-name`, the option's spelling. */
export const flagOf = (field: string): string => field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The fields of a platform's settings. */
export function fieldsOf(platform: string): ConfigField[] {
  const connector = connectors.get(platform);
  if (!connector) throw new UserError(`Unknown platform "${platform}"`, { hint: `known platforms: ${[...connectors.keys()].join(', ')}` });
  return configFields(connector.configSchema, connector.secretFields);
}

/** Every platform's fields by name (a field several platforms share is one option), with the platforms that have it. */
function allFields(): Map<string, { field: ConfigField; platforms: string[]; help: string }> {
  const all = new Map<string, { field: ConfigField; platforms: string[]; helps: Map<string, string[]> }>();
  for (const platform of connectors.keys()) {
    for (const field of fieldsOf(platform)) {
      const help = `${field.title}${field.description ? `: ${field.description}` : ''}${field.examples?.[0] ? ` e.g. ${field.examples[0]}` : ''}`;
      const seen = all.get(field.name) ?? { field, platforms: [], helps: new Map<string, string[]>() };
      seen.platforms.push(platform);
      seen.helps.set(help, [...(seen.helps.get(help) ?? []), platform]);
      all.set(field.name, seen);
    }
  }
  // Platforms that describe a shared field alike share one help text; others get theirs, named.
  return new Map(
    [...all].map(([name, { field, platforms, helps }]) => [
      name,
      { field, platforms, help: helps.size === 1 ? [...helps.keys()][0]! : [...helps].map(([help, on]) => `${on.join(', ')}: ${help}`).join('; ') },
    ]),
  );
}

/** The command-line options of every platform's settings: `--url <value>`; a secret as `--password-env`, `--password-file`, `--password-stdin`. */
export function settingOptions(): Option[] {
  const options: Option[] = [];
  const count = connectors.size;
  for (const { field, platforms, help } of allFields().values()) {
    const flag = flagOf(field.name);
    const which = platforms.length < count ? ` (only ${platforms.join(', ')})` : '';
    if (field.secret) {
      options.push(new Option(`--${flag}-env <var>`, `read the ${flag} from this environment variable${which}. ${help}`));
      options.push(new Option(`--${flag}-file <file>`, `read the ${flag} from this file`));
      options.push(new Option(`--${flag}-stdin`, `read the ${flag} from standard input`));
    } else {
      options.push(new Option(`--${flag} <value>`, `${help}${which}`));
    }
  }
  return options;
}

type Values = Record<string, string | boolean | undefined>;
const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The settings for `platform` from parsed options: plain fields as given
 * (URLs checked), secrets read from the environment, a file or stdin, or
 * asked for hidden on a terminal. Missing required fields are refused
 * naming their option.
 */
export async function settingsFromOptions(platform: string, values: Values): Promise<Record<string, string>> {
  const fields = fieldsOf(platform);
  const config: Record<string, string> = {};
  for (const field of fields.filter((f) => !f.secret)) {
    const flag = flagOf(field.name);
    const value = values[camel(flag)];
    if (typeof value !== 'string') {
      if (field.required) throw new UserError(`--${flag} is required for ${platform}: ${field.title}${field.description ? ` (${field.description})` : ''}`, { hint: field.examples?.[0] ? `e.g. --${flag} ${field.examples[0]}` : `give --${flag} <value>` });
      continue;
    }
    if (field.format === 'uri') checkConnectionUrl(value, `--${flag}`);
    config[field.name] = value;
  }
  for (const field of fields.filter((f) => f.secret)) {
    const flag = flagOf(field.name);
    const secret = await readSecret(field, { env: values[camel(`${flag}-env`)], file: values[camel(`${flag}-file`)], stdin: values[camel(`${flag}-stdin`)] });
    if (secret !== undefined) config[field.name] = secret;
  }
  return config;
}

async function readSecret(field: ConfigField, from: { env: unknown; file: unknown; stdin: unknown }): Promise<string | undefined> {
  const flag = flagOf(field.name);
  if (typeof from.env === 'string') {
    const value = process.env[from.env];
    if (!value) throw new UserError(`The environment variable ${from.env} is empty or not set`);
    return value;
  }
  if (typeof from.file === 'string') return readSecretFile(from.file, flag);
  if (from.stdin === true) return readFileSync(0, 'utf8').trim();
  if (process.stdin.isTTY) return promptPassword({ message: `${field.title} (input hidden):`, mask: '*' });
  if (!field.required) return undefined;
  throw new UserError(`No ${field.title.toLowerCase()} given`, { hint: `use --${flag}-env VAR, --${flag}-file FILE or --${flag}-stdin` });
}

function readSecretFile(file: string, flag: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder, not a file' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code ?? 'error'})`;
    throw new UserError(`The ${flag} file ${file} ${why}`, { hint: `give --${flag}-file the path of a file that holds only the ${flag}, or use --${flag}-env VAR` });
  }
  const value = text.trim();
  if (!value) throw new UserError(`The ${flag} file ${file} is empty`, { hint: `write the ${flag} into it, or use --${flag}-env VAR` });
  return value;
}

/** Asks for every field of `platform` on the terminal (the wizard), with its help; secrets hidden. */
export async function promptSettings(platform: string): Promise<Record<string, string>> {
  const config: Record<string, string> = {};
  for (const field of fieldsOf(platform)) {
    if (field.description) process.stdout.write(`  ${field.description}\n`);
    const value = field.secret
      ? await promptPassword({ message: `${field.title} (hidden)`, mask: '*' })
      : await input({
          message: `${field.title}${field.examples?.[0] ? ` (e.g. ${field.examples[0]})` : ''}`,
          validate: (v) => (field.required && !v.trim() ? `${field.title} is required` : field.format === 'uri' && v.trim() ? (urlProblem(v) ?? true) : true),
        });
    if (value !== '' || field.required) config[field.name] = value;
  }
  return config;
}

function urlProblem(value: string): string | undefined {
  try {
    checkConnectionUrl(value);
    return undefined;
  } catch (error) {
    if (error instanceof UserError) return `${error.message}${error.hint ? ` (${error.hint})` : ''}`;
    throw error;
  }
}
