/** What the connections API answers (src/server/routes-connections.ts), as the dashboard reads it. */

export interface SchemaProperty {
  type?: string;
  title?: string;
  description?: string;
  examples?: string[];
  format?: string;
  writeOnly?: boolean;
  enum?: string[];
}

export interface ObjectTypeInfo {
  name: string;
  label: string;
  naturalKey: string;
  principal: boolean;
}

export interface Platform {
  platform: string;
  title: string;
  secretFields: string[];
  configSchema: { properties?: Record<string, SchemaProperty>; required?: string[] };
  objectTypes: ObjectTypeInfo[];
}

export interface Identity {
  platform: string;
  version: string;
  siteName: string;
  host: string;
  account: string;
  rights: string[];
  instanceId?: string;
  details?: Record<string, string | number | boolean>;
}

export interface Inventory {
  types: Array<{ type: string; count: number; lastModified?: string }>;
  notCarried?: Array<{ kind: string; label: string; count: number; examples: string[]; reason: string }>;
}

export interface Connection {
  name: string;
  platform: string;
  config: Record<string, unknown>;
  identity: Identity | null;
  checkedAt: string | null;
  discoveredAt: string | null;
}

export interface ConnectionWithInventory extends Connection {
  inventory: Inventory | null;
}

/** The default of the plans' `inventoryMaxAgeHours` (docs/plans.md): older inventories get a pre-check warning. */
export const INVENTORY_MAX_AGE_HOURS = 24;

/** "3 h old" for an inventory taken at `iso`. */
export function ageText(iso: string, now = Date.now()): { text: string; hours: number } {
  const hours = (now - new Date(iso).getTime()) / 3_600_000;
  const text = hours < 1 / 60 ? 'just taken' : hours < 1 ? `${Math.round(hours * 60)} min old` : hours < 48 ? `${Math.round(hours)} h old` : `${Math.round(hours / 24)} days old`;
  return { text, hours };
}
