/** What the generator produces: a description of a wiki, independent of any instance. */

export interface WikiContentOptions {
  seed: number;
  /** Pages loaded from the XML export (file description pages come on top). */
  pages: number;
  revisionsPerPage: { min: number; max: number };
  users: number;
  files: number;
  /** One page's latest revision is over this many UTF-8 bytes; default 1_100_000. */
  bigPageBytes?: number;
  /** Include Module: pages (namespace 828, Lua); default true. Needs Scribunto on the wiki. */
  scribunto?: boolean;
}

export interface GeneratedUser {
  name: string;
  /** Explicit groups (never the implicit *, user, autoconfirmed). */
  groups: string[];
}

export interface GeneratedRevision {
  text: string;
  /**
   * A generated user's name, an IP address for an anonymous edit, one of
   * MediaWiki's system accounts ('Maintenance script'), or a name imported
   * from another wiki ('oldwiki>Name').
   */
  user: string;
  /** ISO 8601 UTC without milliseconds, e.g. 2021-03-04T05:06:07Z. */
  timestamp: string;
  comment: string;
  minor: boolean;
}

export interface GeneratedPage {
  /**
   * Full title with the canonical namespace name, as typed in a link:
   * 'Help:Editing/Links', 'Project:About' (MediaWiki shows Project: as the site's name).
   */
  title: string;
  namespace: number;
  /** Oldest first; timestamps strictly increase. */
  revisions: GeneratedRevision[];
  /** Content model when not the namespace's default ('json', 'css', 'javascript'). */
  model?: 'json' | 'css' | 'javascript';
  /**
   * How many of the oldest revisions reach the wiki only after the others, as
   * merged histories and late dump imports do. With `revisions.length - 1`,
   * the latest revision is written first and keeps parent id 0 while older
   * revisions exist.
   */
  lateRevisions?: number;
}

export interface GeneratedFile {
  /** File name without the File: prefix, e.g. 'Blue mountain.png'. */
  name: string;
  /** The current version. */
  bytes: Buffer;
  mime: string;
  /** Wikitext of the file description page. */
  description: string;
  /** The uploader (a generated user) of every version. */
  user: string;
  /** Earlier versions, oldest first; each uploaded before the current one. */
  olderVersions: Buffer[];
}

export interface GeneratedWiki {
  users: GeneratedUser[];
  pages: GeneratedPage[];
  files: GeneratedFile[];
}

/** Namespace numbers the generator writes. */
export const NS = {
  main: 0,
  talk: 1,
  user: 2,
  userTalk: 3,
  project: 4,
  file: 6,
  template: 10,
  help: 12,
  mediawiki: 8,
  category: 14,
  module: 828,
} as const;

/** Canonical names, valid on every wiki (Project is an alias of the site's own name). */
export const NAMESPACE_PREFIX: Readonly<Record<number, string>> = {
  0: '',
  1: 'Talk:',
  2: 'User:',
  3: 'User talk:',
  4: 'Project:',
  6: 'File:',
  8: 'MediaWiki:',
  10: 'Template:',
  12: 'Help:',
  14: 'Category:',
  828: 'Module:',
};

/** The title without its namespace prefix ('Help:A/B' -> 'A/B'). */
export function titleText(page: Pick<GeneratedPage, 'title' | 'namespace'>): string {
  const prefix = NAMESPACE_PREFIX[page.namespace] ?? '';
  return page.title.startsWith(prefix) ? page.title.slice(prefix.length) : page.title;
}
