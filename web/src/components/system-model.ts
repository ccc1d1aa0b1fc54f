/**
 * The system wizard's draft: what the admin typed, turned into the fields of
 * a `kind: system` plan (docs/system-migration.md) for POST /api/system/*.
 */

export interface HostDraft {
  kind: 'local' | 'ssh';
  host: string;
  port: string;
  user: string;
  key: string;
  hostKey: string;
}

export interface SideDraft {
  host: HostDraft;
  configFile: string;
  workDir: string;
  /** The platform's code folder when it is not next to the config (Debian: /usr/share/wordpress). */
  codeDir: string;
  /** NAME=value lines: environment PHP needs to pick this installation (a host running several). */
  env: string;
}

export interface SystemDraft {
  name: string;
  platform: 'mediawiki' | 'wordpress';
  source: SideDraft;
  target: SideDraft;
  settings: 'basic' | 'swap';
  secretKeys: boolean;
  logs: boolean;
  newUrl: string;
  sourceAfter: 'maintenance' | 'read-only' | 'online';
}

const emptyHost: HostDraft = { kind: 'local', host: '', port: '22', user: '', key: '', hostKey: '' };

export const emptySystemDraft: SystemDraft = {
  name: 'system-move',
  platform: 'mediawiki',
  source: { host: emptyHost, configFile: '', workDir: '', codeDir: '', env: '' },
  target: { host: emptyHost, configFile: '', workDir: '', codeDir: '', env: '' },
  settings: 'basic',
  secretKeys: true,
  logs: false,
  newUrl: '',
  sourceAfter: 'maintenance',
};

/** An installation as POST /api/system/discover answers it (never a secret value). */
export interface SystemInfo {
  platform: string;
  version: string;
  url: string;
  hostName: string;
  domain: string;
  addresses: string[];
  configFile: string;
  database: { engine: string; location: string; name: string; sizeBytes: number; replicated: boolean };
  uploadsDir: string;
  uploadsBytes: number;
  licenceKeys: string[];
  serverRole: 'standalone' | 'replicated';
  inMaintenance: boolean;
  highAvailability?: string;
}

export interface SystemCheck {
  name: string;
  saved: boolean;
  planYaml: string;
  source: SystemInfo;
  target: SystemInfo;
  findings: Array<{ level: 'error' | 'warning'; message: string }>;
}

export function hostOf(h: HostDraft): unknown {
  if (h.kind === 'local') return 'local';
  return { ssh: { host: h.host.trim(), port: Number(h.port) || 22, user: h.user.trim(), ...(h.key.trim() ? { key: h.key.trim() } : {}), ...(h.hostKey.trim() ? { hostKey: h.hostKey.trim() } : {}) } };
}

/** NAME=value lines as an object; blank lines ignored. */
export function envOf(text: string): Record<string, string> | undefined {
  const pairs = text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => [l.slice(0, l.indexOf('=') < 0 ? l.length : l.indexOf('=')).trim(), l.indexOf('=') < 0 ? '' : l.slice(l.indexOf('=') + 1).trim()] as const);
  return pairs.length > 0 ? Object.fromEntries(pairs) : undefined;
}

/** What POST /api/system/discover and a plan's side share: where the installation is. */
export function locationOf(s: SideDraft): Record<string, unknown> {
  const env = envOf(s.env);
  return { host: hostOf(s.host), configFile: s.configFile.trim(), ...(s.codeDir.trim() ? { codeDir: s.codeDir.trim() } : {}), ...(env ? { env } : {}) };
}

function sideOf(s: SideDraft): Record<string, unknown> {
  return { ...locationOf(s), ...(s.workDir.trim() ? { workDir: s.workDir.trim() } : {}) };
}

/** The plan's fields, as a plan file would hold them. */
export function planOf(d: SystemDraft): Record<string, unknown> {
  return {
    kind: 'system',
    name: d.name.trim(),
    platform: d.platform,
    source: sideOf(d.source),
    target: sideOf(d.target),
    options: { settings: d.settings, secretKeys: d.secretKeys, logs: d.logs, sourceAfter: d.sourceAfter, ...(d.newUrl.trim() ? { newUrl: d.newUrl.trim() } : {}) },
  };
}

/** "Where" a side is, in words. */
export function whereOf(s: SideDraft): string {
  return s.host.kind === 'local' ? `this machine, ${s.configFile}` : `${s.host.user}@${s.host.host}:${s.host.port}, ${s.configFile}`;
}

/** What a side's form is missing, in words; empty when complete. */
export function sideProblems(s: SideDraft, side: string): string[] {
  const out: string[] = [];
  if (!s.configFile.startsWith('/')) out.push(`The ${side}'s config file must be an absolute path (e.g. /var/www/wiki/LocalSettings.php)`);
  if (s.codeDir.trim() && !s.codeDir.trim().startsWith('/')) out.push(`The ${side}'s code folder must be an absolute path`);
  for (const line of s.env.split('\n').map((l) => l.trim()).filter(Boolean)) if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(line)) out.push(`The ${side}'s environment line "${line}" is not NAME=value`);
  if (s.host.kind === 'ssh') {
    if (!s.host.host.trim()) out.push(`The ${side}'s SSH host is missing`);
    if (!s.host.user.trim()) out.push(`The ${side}'s SSH user is missing`);
  }
  return out;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

/** The target's login page: MediaWiki Special:UserLogin, WordPress wp-login.php. */
export function loginUrlOf(platform: string, base: string): string {
  const b = base.replace(/\/+$/, '');
  return platform === 'wordpress' ? `${b}/wp-login.php` : `${b}/index.php?title=Special:UserLogin`;
}
