import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configFields } from '../sdk/config.js';
import { fieldsOf, settingOptions, settingsFromOptions } from './connection-fields.js';

describe('connection settings from the config schema', () => {
  it('reads each field\'s label, help, secrecy and requiredness from zod metadata', () => {
    const schema = z.object({
      endpoint: z.string().meta({ title: 'Endpoint', description: 'where the API is', format: 'uri' }),
      apiKey: z.string().meta({ title: 'API key', writeOnly: true }),
      region: z.string().optional(),
    });
    expect(configFields(schema, [])).toEqual([
      { name: 'endpoint', title: 'Endpoint', description: 'where the API is', format: 'uri', required: true, secret: false },
      { name: 'apiKey', title: 'API key', writeOnly: true, required: true, secret: true },
      { name: 'region', title: 'region', required: false, secret: false },
    ]);
  });

  it('gives every connector field a label and help, and marks the password secret', () => {
    for (const platform of ['mediawiki', 'wordpress']) {
      const fields = fieldsOf(platform);
      expect(fields.map((f) => [f.name, f.secret])).toEqual([['url', false], ['username', false], ['password', true]]);
      for (const f of fields) expect(f.description, `${platform}.${f.name}`).toBeTruthy();
    }
  });

  it('makes the CLI options from the fields: plain values, and secrets only from env, file or stdin', () => {
    expect(settingOptions().map((o) => o.flags)).toEqual(['--url <value>', '--username <value>', '--password-env <var>', '--password-file <file>', '--password-stdin']);
  });

  it('builds the settings, naming a missing option and checking URL fields', async () => {
    process.env.FERRY_FIELDS_TEST_PW = 's3cret';
    await expect(settingsFromOptions('mediawiki', { url: 'http://127.0.0.1:9', username: 'A@b', passwordEnv: 'FERRY_FIELDS_TEST_PW' })).resolves.toEqual({ url: 'http://127.0.0.1:9', username: 'A@b', password: 's3cret' });
    await expect(settingsFromOptions('mediawiki', { username: 'A@b', passwordEnv: 'FERRY_FIELDS_TEST_PW' })).rejects.toThrow(/--url is required for mediawiki: Wiki URL/);
    await expect(settingsFromOptions('wordpress', { url: 'ftp://x', username: 'a', passwordEnv: 'FERRY_FIELDS_TEST_PW' })).rejects.toThrow('--url must start with http:// or https://');
  });
});
