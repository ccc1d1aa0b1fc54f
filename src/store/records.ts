import type { PostAction } from '../sdk/connector.js';

/** A saved connection as stored: open settings as JSON, secrets sealed (never unsealed by the store). */
export interface ConnectionRow {
  name: string;
  platform: string;
  configJson: string;
  secretsEnc: string;
  identityJson: string | null;
  checkedAt: string | null;
  inventoryJson: string | null;
  discoveredAt: string | null;
  createdAt: string;
}

/** A saved migration: a plan plus its runs, found by name. */
export interface MigrationRow {
  id: number;
  name: string;
  plan_yaml: string;
  plan_file: string | null;
  source: string;
  target: string;
  archived: number;
  created_at: string;
  updated_at: string;
}

export type Role = 'viewer' | 'operator' | 'admin';

export interface UserRecord {
  id: number;
  name: string;
  role: Role;
  passwordHash: string;
  createdAt: string;
}

export interface SessionRecord {
  tokenHash: string;
  userId: number;
  csrf: string;
  createdAt: string;
  expiresAt: string;
}

export interface ApiTokenRecord {
  id: number;
  userId: number;
  label: string;
  createdAt: string;
}

export interface AuditRecord {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  detail: string | null;
}

/** A post-migration action with its id and whether a person ticked it off. */
export interface StoredAction extends PostAction {
  id: number;
  runId: number;
  doneAt: string | null;
  doneBy: string | null;
}
