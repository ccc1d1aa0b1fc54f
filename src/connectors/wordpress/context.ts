import type { ConnectorContext, TargetRef } from '../../sdk/connector.js';
import type { HttpClient } from '../../sdk/http.js';
import type { InspectLinks } from './inspect-links.js';
import type { WpApi } from './api-client.js';
import type { SourceLinks } from './link-source.js';
import type { TargetLinks } from './link-target.js';
import type { PostKeys } from './post-keys.js';

/** What the per-type modules share within one session. */
export interface WpContext {
  api: WpApi;
  http: HttpClient;
  connector: ConnectorContext;
  /** The account Ferry uses, read once per session. */
  account(signal: AbortSignal): Promise<Account>;
  /** Limits learnt from the site's answers while the session runs. */
  limits: UploadLimits;
  /** When this site is the source: what the URLs in its content point at. */
  sourceLinks: SourceLinks;
  /** When this site is the target: the addresses of objects Ferry wrote. */
  targetLinks: TargetLinks;
  /** Natural keys of posts, pages and attachments by id (comments and links need them). */
  postKeys: PostKeys;
  /** Target posts that refused a comment as closed or a draft: their next comments go straight to opening them. */
  commentsClosed: Set<number>;
  /**
   * Comments this session has started writing, by source id: their target id
   * once written (undefined if the write failed). A reply whose parent is
   * being written by another batch waits for it instead of going to the
   * engine's second pass.
   */
  commentWrites: Map<string, Promise<string | undefined>>;
  /**
   * Target ids of the posts and pages this session wrote under their own key,
   * by the part of a comment's key that names its post (`post:slug`,
   * `page:about/team`): looking up comments needs no slug look-up for them.
   */
  writtenPosts: Map<string, number>;
  /**
   * Target posts and pages this session created: the only comments they can
   * hold are the ones this session wrote, which the engine's ID map knows, so
   * looking up comments by key skips them...
   */
  createdPosts: Set<number>;
  /** ...except those where a comment write of this session failed (it may have reached the site). */
  uncertainCommentPosts: Set<number>;
  /**
   * The comments this session wrote on posts it created, by key: what a
   * look-up of those posts finds without asking the target. Bounded: a post
   * whose entry is dropped counts as uncertain from then on.
   */
  sessionComments: Map<string, { post: number; ref: TargetRef }>;
  /**
   * Verify's link look-ups (URL -> object), shared by its inspect calls so
   * each URL is looked up once per verify, not once per chunk; dropped by any
   * write, removal or reset of this session.
   */
  inspectLinks?: InspectLinks;
  /** The target's attachments by slug for look-ups (see media.ts mediaIndex); `writes` counts this session's media writes. */
  media: { index?: Promise<Map<string, TargetRef> | undefined>; indexOff?: boolean; writes: number };
  /**
   * Post formats (quote, gallery...) a post of this session was saved with: their term exists on the target
   * from then on, so posts with them no longer need to be saved one at a time (post-write.ts, save).
   */
  formatsSaved: Set<string>;
  /** Serialises work on one object (opening a post's comments for a moment). */
  exclusive<T>(key: string, work: () => Promise<T>): Promise<T>;
}

export interface Account {
  id: number;
  username: string;
  name: string;
  email: string;
  roles: string[];
  capabilities: Record<string, boolean>;
}

export interface UploadLimits {
  /** The largest upload that failed as too large (the limit is below it). */
  refusedBytes?: number;
  /** The largest upload the site accepted in this session. */
  acceptedBytes?: number;
}
