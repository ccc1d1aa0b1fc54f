/**
 * What the WordPress generator produces: a plain description of a site,
 * independent of any instance. Items refer to each other by generator-local
 * keys ('user-3', 'category-5', 'tag-12', 'media-7', 'post-42', 'page-8',
 * 'comment-100', 'menu-1', 'menu-1-item-4'); fillSite() maps them to real ids.
 */
import type { GeneratedExtras } from './wordpress-real-world.js';

export interface SiteContentOptions {
  seed: number;
  posts: number;
  pages: number;
  media: number;
  comments: number;
  categories: number;
  tags: number;
  users: number;
  menus: number;
}

export type WpRole = 'administrator' | 'editor' | 'author' | 'contributor' | 'subscriber';

export type PostStatus = 'publish' | 'draft' | 'pending' | 'private' | 'future';

/** approved and hold are comment_approved 1 and 0; spam and trash are set as WordPress's own actions would. */
export type CommentStatus = 'approved' | 'hold' | 'spam' | 'trash';

export type PostFormat = 'standard' | 'aside' | 'gallery' | 'link' | 'image' | 'quote';

export interface GeneratedWpUser {
  key: string;
  /** ASCII, unique; WordPress's sanitize_user() leaves it as is. */
  login: string;
  email: string;
  /** Letters and digits; test data, not a secret. */
  password: string;
  role: WpRole;
  displayName: string;
  firstName: string;
  lastName: string;
  /** The profile's biographical info. */
  description: string;
  url: string;
  /** ISO 8601 UTC without milliseconds. */
  registered: string;
}

export interface GeneratedTerm {
  key: string;
  taxonomy: 'category' | 'post_tag';
  name: string;
  slug: string;
  description: string;
  /** Categories only: the parent category's key. Parents come before their children. */
  parentKey?: string;
}

export interface GeneratedMedia {
  key: string;
  /** As uploaded; WordPress may change it (spaces to dashes, a -1 suffix on a clash). */
  fileName: string;
  mime: 'image/png' | 'application/pdf';
  bytes: Buffer;
  width?: number;
  height?: number;
  title: string;
  alt?: string;
  /** post_excerpt of the attachment. */
  caption?: string;
  /** post_content of the attachment. */
  description?: string;
  authorKey: string;
  /** The post or page the file is attached to ("uploaded to"). */
  parentKey?: string;
  /** ISO 8601 UTC; also picks the uploads/YYYY/MM folder. */
  date: string;
}

export interface GeneratedPost {
  /** 'post-N' or 'page-N'. */
  key: string;
  type: 'post' | 'page';
  title: string;
  /** Undefined: WordPress derives it from the title (a draft then keeps an empty slug). */
  slug?: string;
  /** HTML (block markup or classic), with {@link CONTENT_TOKENS} where real ids and URLs go. */
  content: string;
  excerpt: string;
  status: PostStatus;
  /** ISO 8601 UTC; in the future exactly for status 'future'. */
  date: string;
  authorKey: string;
  /** Pages only: the parent page's key. Parents come before their children. */
  parentKey?: string;
  menuOrder: number;
  categoryKeys: string[];
  tagKeys: string[];
  sticky: boolean;
  password?: string;
  featuredMediaKey?: string;
  commentStatus: 'open' | 'closed';
  pingStatus: 'open' | 'closed';
  format: PostFormat;
  /** Page template (theme custom template slug), pages and posts. */
  template?: string;
  /** Post meta; nothing registers the keys, so REST does not show them (as with a plugin's meta). */
  meta: Record<string, string | number>;
  /** Earlier contents, oldest first (token-free); each becomes a revision. */
  history: string[];
}

export interface GeneratedComment {
  key: string;
  postKey: string;
  /** Replies come after the comment they answer. */
  parentKey?: string;
  /** A registered commenter; guests have none. */
  userKey?: string;
  authorName: string;
  authorEmail: string;
  authorUrl: string;
  authorIp: string;
  /** HTML, may hold {@link CONTENT_TOKENS}. */
  content: string;
  status: CommentStatus;
  type: 'comment' | 'pingback' | 'trackback';
  /** The writer's browser as WordPress recorded it; '' when the request had none. Default: a fixed browser string. */
  userAgent?: string;
  /** ISO 8601 UTC, after the post's date and the parent's. */
  date: string;
}

export type MenuTarget =
  | { kind: 'post' | 'page'; postKey: string }
  | { kind: 'category' | 'tag'; termKey: string }
  | { kind: 'custom'; url: string };

export interface GeneratedMenuItem {
  key: string;
  /** Items come after their parent, in menu order. */
  parentKey?: string;
  /** Empty: WordPress shows the target's own title. */
  title: string;
  target: MenuTarget;
  openInNewTab: boolean;
  description: string;
  classes: string[];
}

export interface GeneratedMenu {
  key: string;
  name: string;
  items: GeneratedMenuItem[];
}

/** Options set through update_option(); the REST /wp/v2/settings names follow in comments. */
export interface GeneratedSettings {
  /** blogname (title) */
  title: string;
  /** blogdescription (description) */
  description: string;
  /** timezone_string (timezone) */
  timezone: string;
  dateFormat: string;
  timeFormat: string;
  startOfWeek: number;
  postsPerPage: number;
  /** show_on_front=page with these pages as page_on_front and page_for_posts. */
  frontPageKey: string;
  postsPageKey: string;
  defaultCategoryKey: string;
  defaultCommentStatus: 'open' | 'closed';
  defaultPingStatus: 'open' | 'closed';
  useSmilies: boolean;
  /** Not in REST settings: how deep comment threads are shown (WordPress's default 5). */
  threadCommentsDepth: number;
}

export interface GeneratedSite {
  settings: GeneratedSettings;
  users: GeneratedWpUser[];
  categories: GeneratedTerm[];
  tags: GeneratedTerm[];
  media: GeneratedMedia[];
  /** Posts and pages; pages' parents first. */
  posts: GeneratedPost[];
  comments: GeneratedComment[];
  menus: GeneratedMenu[];
  /** Block-theme objects, a plugin's types, trash and leftovers (see wordpress-real-world.ts); absent: none. */
  extras?: GeneratedExtras;
}

/**
 * Placeholders in content, comments and custom menu links, filled in once
 * everything exists: the site URL (no trailing slash), a real id, a post's or
 * page's permalink, a media file's URL.
 */
export const CONTENT_TOKENS = {
  site: '{{site}}',
  id: (key: string): string => `{{id:${key}}}`,
  link: (key: string): string => `{{link:${key}}}`,
  file: (key: string): string => `{{file:${key}}}`,
} as const;

export type TokenKind = 'site' | 'id' | 'link' | 'file';

const TOKEN_PATTERN = /\{\{(site|id|link|file)(?::([a-z0-9-]+))?\}\}/g;

/**
 * Replaces the tokens in a text; fillSite() does the same in PHP. Tests use it to
 * know the content a filled site should hold.
 *
 * @example
 * resolveTokens('<a href="{{site}}/?p={{id:post-3}}">', (kind, key) => kind === 'site' ? url : String(ids[key]));
 */
export function resolveTokens(text: string, resolve: (kind: TokenKind, key: string) => string): string {
  return text.replace(TOKEN_PATTERN, (_match, kind: TokenKind, key: string | undefined) => resolve(kind, key ?? ''));
}

/** Keys of everything a text refers to through tokens. */
export function tokenKeys(text: string): string[] {
  return [...text.matchAll(TOKEN_PATTERN)].flatMap((match) => (match[2] === undefined ? [] : [match[2]]));
}
