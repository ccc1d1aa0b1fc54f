import { isIP } from 'node:net';
import { ConnectorError } from '../../sdk/errors.js';
import { NAMESPACE_EXTENSIONS, type SiteInfo } from './site-info.js';

/**
 * Pages are matched across wikis by namespace NUMBER and the title without
 * its namespace prefix: "Project:" is "Source wiki:" on one wiki and
 * "Target wiki:" on the other, and localised wikis name everything
 * differently. The natural key is `${ns}:${text}`.
 */

export interface PageName {
  ns: number;
  /** Title without the namespace prefix, spaces not underscores. */
  text: string;
}

export function pageKey(name: PageName): string {
  return `${name.ns}:${name.text}`;
}

export function parsePageKey(key: string): PageName {
  const colon = key.indexOf(':');
  const ns = Number(key.slice(0, colon));
  if (colon <= 0 || !Number.isInteger(ns)) throw new ConnectorError(`"${key}" is not a page key (namespace:title)`, { kind: 'bug' });
  return { ns, text: key.slice(colon + 1) };
}

/** The title text without the namespace prefix the wiki put in front of it. */
export function titleText(fullTitle: string, ns: number, site: SiteInfo): string {
  const prefix = site.namespaces.get(ns)?.name;
  if (ns !== 0 && prefix && fullTitle.startsWith(`${prefix}:`)) return fullTitle.slice(prefix.length + 1);
  return fullTitle;
}

/** The full title on this wiki for a namespace number and a title text. */
export function fullTitle(name: PageName, site: SiteInfo): string {
  const ns = site.namespaces.get(name.ns);
  if (!ns) throw missingNamespace(name.ns, site);
  return ns.id === 0 ? name.text : `${ns.name}:${name.text}`;
}

export function missingNamespace(ns: number, site: SiteInfo): ConnectorError {
  return new ConnectorError(`Namespace ${ns} does not exist on the wiki "${site.siteName}"`, {
    kind: 'config',
    hint: namespaceHint(ns),
  });
}

export function namespaceHint(ns: number): string {
  const extension = NAMESPACE_EXTENSIONS[ns];
  if (extension) return `Enable the extension ${extension} on the target wiki (wfLoadExtension in LocalSettings.php).`;
  return `Define namespace ${ns} on the target wiki ($wgExtraNamespaces in LocalSettings.php), or enable the extension that defines it.`;
}

/** Anonymous edits carry an IP address where a user name would be. */
export function isIpAddress(name: string): boolean {
  return isIP(name) !== 0;
}

/** File names in lists use underscores; titles and keys use spaces. */
export function fileNameText(name: string): string {
  return name.replace(/_/g, ' ');
}
