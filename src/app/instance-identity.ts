import type { Identity } from '../sdk/connector.js';

/**
 * What tells one instance from another: the platform, the address the
 * instance gives for itself, and (where the connector can tell) something a
 * rebuild at the same address changes. An ID map is bound to the
 * fingerprints of its two sides.
 */
export interface InstanceFingerprint {
  platform: string;
  host: string;
  instanceId?: string;
}

export function fingerprintOf(identity: Identity): InstanceFingerprint {
  return { platform: identity.platform, host: normalizeUrl(identity.host), ...(identity.instanceId ? { instanceId: identity.instanceId } : {}) };
}

/**
 * Whether a map written for `bound` may be used with `now`. With an
 * instance id on both, the address may change (a wiki moved to a new
 * domain is still the same wiki); without one, the address decides.
 */
export function sameFingerprint(bound: InstanceFingerprint, now: InstanceFingerprint): boolean {
  if (bound.platform !== now.platform) return false;
  if (bound.instanceId && now.instanceId) return bound.instanceId === now.instanceId;
  return bound.host === now.host;
}

export function describeFingerprint(f: InstanceFingerprint): string {
  return `${f.platform} at ${f.host}${f.instanceId ? ` (instance ${f.instanceId})` : ''}`;
}

/** Lower-case scheme and host, no trailing slash, no query: two spellings of one address compare equal. */
export function normalizeUrl(value: string): string {
  try {
    const url = new URL(value);
    url.hash = '';
    url.search = '';
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/+$/, '').replace(/\/api\.php$/, '');
  } catch {
    return value.trim().toLowerCase().replace(/\/+$/, '');
  }
}

export interface ConnectionFacts {
  name: string;
  platform: string;
  /** The configured address. */
  url?: string;
  identity: Identity | null;
}

/**
 * Why two connections are one instance, or undefined when they are not.
 * A copy of an instance at another address (a clone made for staging) has
 * the same instance id but gives its own address, so it is not refused.
 */
export function sameInstanceReason(a: ConnectionFacts, b: ConnectionFacts): string | undefined {
  if (a.name === b.name) return `both are the connection "${a.name}"`;
  if (a.platform !== b.platform) return undefined;
  if (a.url && b.url && normalizeUrl(a.url) === normalizeUrl(b.url)) return `"${a.name}" and "${b.name}" point at the same address ${normalizeUrl(a.url)}`;
  if (a.identity && b.identity) {
    const fa = fingerprintOf(a.identity);
    const fb = fingerprintOf(b.identity);
    // Without an instance id on both, the configured addresses above decide.
    if (fa.instanceId && fa.instanceId === fb.instanceId && fa.host === fb.host) {
      return `"${a.name}" and "${b.name}" reach the same instance (${describeFingerprint(fa)})`;
    }
  }
  return undefined;
}
