import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Connector, Identity, Inventory, Session } from '../sdk/connector.js';
import { ConnectorError, toConnectorError } from '../sdk/errors.js';
import type { FerryStore } from '../store/ferry-store.js';
import { UserError } from './errors.js';
import { connectors } from './registry.js';
import type { SecretBox } from './secrets.js';

export const TOOL_VERSION = '0.1.0';

export interface ConnectionInfo {
  name: string;
  platform: string;
  config: Record<string, unknown>;
  identity: Identity | null;
  checkedAt: string | null;
  inventory: Inventory | null;
  discoveredAt: string | null;
}

export interface OpenSession {
  session: Session;
  connector: Connector<unknown>;
  close(): Promise<void>;
}

export function connectorFor(platform: string): Connector<unknown> {
  const connector = connectors.get(platform);
  if (!connector) throw new UserError(`Unknown platform "${platform}"`, { hint: `known platforms: ${[...connectors.keys()].join(', ')}` });
  return connector;
}

/** Turns a connector failure into the one-line message a person reads. */
export function asUserError(error: unknown, what: string): Error {
  if (error instanceof UserError) return error;
  const e = toConnectorError(error);
  if (e.kind === 'bug') return error instanceof Error ? error : new Error(String(error));
  return new UserError(`${what}: ${e.message}`, e.hint ? { hint: e.hint } : {});
}

/** Connections: validated endpoints with their secrets sealed at rest. */
export class Connections {
  constructor(
    private readonly store: FerryStore,
    private readonly secrets: SecretBox,
    private readonly logger: Logger,
  ) {}

  async list(): Promise<ConnectionInfo[]> {
    const rows = await this.store.connections.list();
    return rows.map((r) => ({
      name: r.name,
      platform: r.platform,
      config: JSON.parse(r.configJson) as Record<string, unknown>,
      identity: r.identityJson ? (JSON.parse(r.identityJson) as Identity) : null,
      checkedAt: r.checkedAt,
      inventory: r.inventoryJson ? (JSON.parse(r.inventoryJson) as Inventory) : null,
      discoveredAt: r.discoveredAt,
    }));
  }

  async get(name: string): Promise<ConnectionInfo> {
    const found = (await this.list()).find((c) => c.name === name);
    if (!found) throw new UserError(`No connection named "${name}"`, { hint: 'list them with `ferry connection list`, add one with `ferry connection add`' });
    return found;
  }

  /** Validates the config, checks it against the live instance, then saves it. Nothing is saved on failure. */
  async add(name: string, platform: string, raw: Record<string, unknown>, now: string): Promise<Identity> {
    if (!/^[\w.-]+$/.test(name)) throw new UserError(`Connection name "${name}" is not allowed`, { hint: 'use letters, digits, dot, dash or underscore' });
    const connector = connectorFor(platform);
    const parsed = connector.configSchema.safeParse(raw);
    if (!parsed.success) {
      throw new UserError(`The ${connector.title} connection settings are not valid`, {
        details: parsed.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`),
      });
    }
    const config = parsed.data as Record<string, unknown>;
    const identity = await this.checkConfig(connector, config, name);
    const open: Record<string, unknown> = {};
    const secret: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
      if (connector.secretFields.includes(key)) secret[key] = String(value);
      else open[key] = value;
    }
    await this.store.connections.put({ name, platform, configJson: JSON.stringify(open), secretsEnc: this.secrets.seal(secret), identityJson: JSON.stringify(identity), at: now });
    return identity;
  }

  async remove(name: string): Promise<void> {
    await this.get(name);
    await this.store.connections.remove(name);
  }

  async open(name: string): Promise<OpenSession> {
    const row = await this.store.connections.get(name);
    if (!row) throw new UserError(`No connection named "${name}"`, { hint: 'add it with `ferry connection add`' });
    const connector = connectorFor(row.platform);
    const config = { ...(JSON.parse(row.configJson) as Record<string, unknown>), ...this.secrets.unseal(row.secretsEnc) };
    return this.openWith(connector, config, name);
  }

  async check(name: string, now: string, signal = AbortSignal.timeout(60_000)): Promise<Identity> {
    const open = await this.open(name);
    try {
      const identity = await open.session.check({ signal });
      await this.store.connections.setIdentity(name, JSON.stringify(identity), now);
      return identity;
    } catch (error) {
      throw asUserError(error, `Connection "${name}" failed its check`);
    } finally {
      await open.close();
    }
  }

  async discover(name: string, now: string, signal = AbortSignal.timeout(300_000)): Promise<Inventory> {
    const open = await this.open(name);
    try {
      const inventory = await open.session.discover({ signal });
      await this.store.connections.setInventory(name, JSON.stringify(inventory), now);
      return inventory;
    } catch (error) {
      throw asUserError(error, `Discovery of "${name}" failed`);
    } finally {
      await open.close();
    }
  }

  private async checkConfig(connector: Connector<unknown>, config: Record<string, unknown>, name: string): Promise<Identity> {
    const open = await this.openWith(connector, config, name);
    try {
      return await open.session.check({ signal: AbortSignal.timeout(60_000) });
    } catch (error) {
      throw asUserError(error, `Connection "${name}" could not be checked`);
    } finally {
      await open.close();
    }
  }

  private async openWith(connector: Connector<unknown>, config: Record<string, unknown>, name: string): Promise<OpenSession> {
    const tempDir = mkdtempSync(join(tmpdir(), `ferry-${name}-`));
    const logger = this.logger.child({ connection: name });
    try {
      const session = await connector.open(connector.configSchema.parse(config), {
        log: (level, message) => logger[level](message),
        userAgent: `Ferry/${TOOL_VERSION}`,
        tempDir,
      });
      return {
        session,
        connector,
        close: async () => {
          await session.close();
          rmSync(tempDir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      rmSync(tempDir, { recursive: true, force: true });
      if (error instanceof ConnectorError) throw asUserError(error, `Connection "${name}" could not be opened`);
      throw error;
    }
  }
}
