/**
 * Reads a whole wiki through its public Action API (no login) into a form
 * two wikis can be compared in: every page's revisions (sha1, size, author,
 * timestamp, comment, minor), every file's sha1, every user's groups.
 */
export interface RevisionFacts {
  sha1: string;
  size: number;
  user: string;
  timestamp: string;
  comment: string;
  minor: boolean;
}

export interface WikiSnapshot {
  /** key `${ns}:${title without prefix}` */
  pages: Map<string, RevisionFacts[]>;
  files: Map<string, string>;
  users: Map<string, string[]>;
}

type Json = Record<string, any>;

async function api(apiUrl: string, params: Record<string, string>): Promise<Json> {
  const url = `${apiUrl}?${new URLSearchParams({ format: 'json', formatversion: '2', ...params })}`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${response.status} from ${url}`);
  const body = (await response.json()) as Json;
  if (body.error) throw new Error(`${body.error.code}: ${body.error.info}`);
  return body;
}

async function* continued(apiUrl: string, params: Record<string, string>): AsyncGenerator<Json> {
  let cont: Record<string, string> = {};
  for (;;) {
    const body = await api(apiUrl, { ...params, ...cont });
    yield body;
    if (!body.continue) return;
    cont = body.continue;
  }
}

/** Drops revisions that repeat the previous content by one of `tools` (the import's null revision). */
export function withoutNullRevisions(revisions: RevisionFacts[], tools: string[]): RevisionFacts[] {
  return revisions.filter((r, i) => !(i > 0 && tools.includes(r.user) && r.sha1 === revisions[i - 1]!.sha1));
}

export async function snapshotWiki(apiUrl: string, options: { tools: string[] }): Promise<WikiSnapshot> {
  const siteinfo = await api(apiUrl, { action: 'query', meta: 'siteinfo', siprop: 'namespaces' });
  const namespaces = Object.values(siteinfo.query.namespaces as Record<string, Json>).filter((n) => n.id >= 0);
  const pages = new Map<string, RevisionFacts[]>();
  for (const ns of namespaces) {
    for await (const body of continued(apiUrl, { action: 'query', list: 'allpages', apnamespace: String(ns.id), aplimit: 'max' })) {
      for (const page of body.query.allpages as Json[]) {
        const revisions: RevisionFacts[] = [];
        for await (const rb of continued(apiUrl, { action: 'query', prop: 'revisions', pageids: String(page.pageid), rvprop: 'sha1|size|user|timestamp|comment|flags', rvlimit: 'max', rvdir: 'newer' })) {
          for (const r of (rb.query.pages[0].revisions ?? []) as Json[]) {
            revisions.push({ sha1: r.sha1, size: r.size, user: r.user, timestamp: r.timestamp, comment: r.comment ?? '', minor: r.minor === true });
          }
        }
        const prefix = String(ns.name ?? '');
        const bare = prefix && page.title.startsWith(`${prefix}:`) ? page.title.slice(prefix.length + 1) : page.title;
        pages.set(`${ns.id}:${bare}`, withoutNullRevisions(revisions, options.tools));
      }
    }
  }
  const files = new Map<string, string>();
  for await (const body of continued(apiUrl, { action: 'query', list: 'allimages', aiprop: 'sha1', ailimit: 'max' })) {
    for (const f of body.query.allimages as Json[]) files.set(f.name, f.sha1);
  }
  const users = new Map<string, string[]>();
  for await (const body of continued(apiUrl, { action: 'query', list: 'allusers', auprop: 'groups', aulimit: 'max' })) {
    for (const u of body.query.allusers as Json[]) {
      users.set(u.name, (u.groups as string[]).filter((g) => !['*', 'user', 'autoconfirmed'].includes(g)).sort());
    }
  }
  return { pages, files, users };
}

/** Full text of one page's revisions, oldest first, for the spot checks. */
export async function revisionTexts(apiUrl: string, title: string): Promise<string[]> {
  const texts: string[] = [];
  for await (const body of continued(apiUrl, { action: 'query', prop: 'revisions', titles: title, rvprop: 'content|sha1', rvslots: 'main', rvlimit: '50', rvdir: 'newer' })) {
    for (const r of (body.query.pages[0].revisions ?? []) as Json[]) texts.push(r.slots.main.content);
  }
  return texts;
}
