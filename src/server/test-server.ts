import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { Ferry } from '../app/ferry.js';
import { registerConnector } from '../app/registry.js';
import { ConnectorError } from '../sdk/errors.js';
import type { Connector } from '../sdk/connector.js';
import { MemoryInstance, memoryConnector } from '../sdk/testing/memory-platform.js';
import { buildServer, type FerryServer } from './server.js';

/** The password of every test connection: no response, log line, SSE message or CSV may contain it. */
export const SECRET = 'Sekr1t-pa55word-that-must-never-leak';

/**
 * The in-memory platform with a password, as a real connector has one:
 * the password is a secret field and a wrong one fails the check.
 */
export function secretMemoryConnector(instances: Map<string, MemoryInstance>): Connector<{ instance: string; password: string }> {
  const base = memoryConnector(instances);
  return {
    ...base,
    platform: 'memsecret',
    title: 'Memory with a password',
    configSchema: z.object({ instance: z.string().min(1), password: z.string().min(1) }),
    secretFields: ['password'],
    open: async (config, ctx) => {
      if (config.password !== SECRET) throw new ConnectorError('the password was refused', { kind: 'auth' });
      return base.open({ instance: config.instance }, ctx);
    },
  };
}

export interface TestServer {
  server: FerryServer;
  ferry: Ferry;
  instances: Map<string, MemoryInstance>;
  dataDir: string;
  /** Every response body, for the search for the secret. */
  seen: string[];
  api(method: string, url: string, options?: { token?: string; body?: unknown; cookie?: string; csrf?: string; raw?: string; headers?: Record<string, string> }): Promise<{ status: number; json: any; text: string; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startTestServer(options: { trustProxy?: boolean } = {}): Promise<TestServer> {
  const instances = new Map([
    ['src', new MemoryInstance('Source')],
    ['tgt', new MemoryInstance('Target')],
  ]);
  registerConnector(secretMemoryConnector(instances));
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-server-'));
  const ferry = await Ferry.open({ dataDir });
  const server = await buildServer({ ferry, setupToken: 'setup-token-for-tests', ...options });
  const seen: string[] = [];
  return {
    server,
    ferry,
    instances,
    dataDir,
    seen,
    async api(method, url, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (options.cookie) headers.cookie = options.cookie;
      if (options.csrf) headers['x-csrf-token'] = options.csrf;
      let payload: string | undefined;
      if (options.raw !== undefined) {
        headers['content-type'] = 'application/json';
        payload = options.raw;
      } else if (options.body !== undefined) {
        headers['content-type'] = 'application/json';
        payload = JSON.stringify(options.body);
      }
      const res = await server.app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) });
      seen.push(res.body, JSON.stringify(res.headers));
      let json: unknown;
      try {
        json = JSON.parse(res.body);
      } catch {
        json = undefined;
      }
      return { status: res.statusCode, json, text: res.body, headers: res.headers };
    },
    async close() {
      await server.close();
      await ferry.close();
    },
  };
}

/** Signs the first admin in through the setup token and answers an API token for them. */
export async function adminToken(t: TestServer): Promise<string> {
  const setup = await t.api('POST', '/api/setup', { body: { token: 'setup-token-for-tests', name: 'root', password: 'root-password-123' } });
  if (setup.status !== 201) throw new Error(`setup failed: ${setup.text}`);
  const cookie = String(setup.headers['set-cookie']).split(';')[0]!;
  const made = await t.api('POST', '/api/tokens', { cookie, csrf: setup.json.csrf, body: { label: 'tests' } });
  return made.json.token as string;
}
