import { z } from 'zod';
import type { MwApi } from './api-client.js';

/** What Ferry needs to know about a wiki: identity, namespaces, limits, groups, rights. */
export interface SiteInfo {
  siteName: string;
  /** '1.39.17' */
  version: string;
  server: string;
  lang: string;
  dbType: string;
  /** $wgMaxUploadSize (what `action=upload` accepts). */
  maxUploadSize: number;
  /** Namespaces by number; local names as shown in titles ('' for main). */
  namespaces: Map<number, NamespaceInfo>;
  /** Every group the wiki defines (including the implicit ones). */
  groups: string[];
  extensions: string[];
}

export interface NamespaceInfo {
  id: number;
  name: string;
  canonical?: string;
  content: boolean;
}

/** Groups every account has implicitly: never carried, never assigned. */
export const IMPLICIT_GROUPS: ReadonlySet<string> = new Set(['*', 'user', 'autoconfirmed']);

const namespaceSchema = z.object({
  id: z.number(),
  name: z.string(),
  canonical: z.string().optional(),
  content: z.boolean().optional(),
});

const siteInfoSchema = z.object({
  general: z.object({
    sitename: z.string(),
    generator: z.string(),
    server: z.string(),
    lang: z.string().default(''),
    dbtype: z.string().default(''),
    maxuploadsize: z.number().default(0),
  }),
  namespaces: z.record(z.string(), namespaceSchema),
  usergroups: z.array(z.object({ name: z.string() })),
  extensions: z.array(z.object({ name: z.string() })).default([]),
});

export async function fetchSiteInfo(api: MwApi, signal: AbortSignal): Promise<SiteInfo> {
  const result = await api.get(
    { action: 'query', meta: 'siteinfo', siprop: ['general', 'namespaces', 'usergroups', 'extensions'] },
    signal,
    'reading the site information',
  );
  const parsed = siteInfoSchema.parse(result.query);
  const namespaces = new Map<number, NamespaceInfo>();
  for (const ns of Object.values(parsed.namespaces)) {
    namespaces.set(ns.id, { id: ns.id, name: ns.name, content: ns.content ?? false, ...(ns.canonical ? { canonical: ns.canonical } : {}) });
  }
  return {
    siteName: parsed.general.sitename,
    version: parsed.general.generator.replace(/^MediaWiki\s+/, ''),
    server: parsed.general.server,
    lang: parsed.general.lang,
    dbType: parsed.general.dbtype,
    maxUploadSize: parsed.general.maxuploadsize,
    namespaces,
    groups: parsed.usergroups.map((g) => g.name),
    extensions: parsed.extensions.map((e) => e.name).sort(),
  };
}

/** Namespaces that hold pages (the virtual Special and Media namespaces have negative numbers). */
export function pageNamespaces(site: SiteInfo): NamespaceInfo[] {
  return [...site.namespaces.values()].filter((ns) => ns.id >= 0).sort((a, b) => a.id - b.id);
}

/** Extensions that define well-known namespaces, for precheck hints. */
export const NAMESPACE_EXTENSIONS: Readonly<Record<number, string>> = {
  828: 'Scribunto (Module:)',
  829: 'Scribunto (Module talk:)',
  2300: 'Gadgets (Gadget:)',
  2301: 'Gadgets (Gadget talk:)',
  2302: 'Gadgets (Gadget definition:)',
  2303: 'Gadgets (Gadget definition talk:)',
  274: 'Widgets (Widget:)',
  710: 'TimedMediaHandler (TimedText:)',
  2600: 'Flow / StructuredDiscussions (Topic:)',
};
