import type {
  CallOptions,
  ConnectorContext,
  Finding,
  Identity,
  InspectedItem,
  Inventory,
  ItemHeader,
  PrecheckContext,
  ReadPage,
  RemoveResult,
  Session,
  SourceItem,
  TargetRef,
  WriteOutcome,
  WriteRequest,
} from '../../sdk/connector.js';
import { ConnectorError } from '../../sdk/errors.js';
import { HttpClient } from '../../sdk/http.js';
import { withRequestStats, WpApi } from './api-client.js';
import { writeComments } from './comment-write.js';
import { loadComments, lookupComments, readComments, removeComment } from './comments.js';
import type { WordPressConfig } from './config.js';
import type { Account, WpContext } from './context.js';
import { inspectItems } from './inspect.js';
import { checkSite, discoverSite, readAccount } from './inventory.js';
import { SourceLinks } from './link-source.js';
import { TargetLinks } from './link-target.js';
import { writeMedia } from './media-write.js';
import { loadMedia, lookupMedia, readMedia, removeMedia } from './media.js';
import { loadMenuItems, lookupMenuItems, readMenuItems, removeMenuItem, writeMenuItems } from './menu-items.js';
import { loadMenus, lookupMenus, readMenus, removeMenu, writeMenus } from './menus.js';
import { PostKeys } from './post-keys.js';
import { writePosts } from './post-write.js';
import { loadPosts, lookupPosts, readPosts, removePost } from './posts.js';
import { precheckSite } from './precheck.js';
import { resetSite } from './reset.js';
import { loadSettings, lookupSettings, readSettings, writeSettings } from './settings.js';
import { loadTerms, lookupTerms, readTerms, removeTerm, writeTerms } from './terms.js';
import { ensureUser, loadUsers, lookupUsers, readUsers, removeUser, writeUsers } from './users.js';

/**
 * One verb per object type: how each type of WordPress object is read,
 * loaded, looked up, written and removed. The session only dispatches.
 */
interface TypeHandler {
  read(ctx: WpContext, options: { signal: AbortSignal; cursor?: string }): AsyncIterable<ReadPage>;
  load(ctx: WpContext, headers: ItemHeader[], signal: AbortSignal): Promise<SourceItem[]>;
  lookup(ctx: WpContext, keys: string[], signal: AbortSignal): Promise<Map<string, TargetRef>>;
  write(ctx: WpContext, requests: WriteRequest[], signal: AbortSignal): Promise<WriteOutcome[]>;
  remove(ctx: WpContext, target: TargetRef, signal: AbortSignal): Promise<RemoveResult>;
}

const HANDLERS: Readonly<Record<string, TypeHandler>> = {
  user: { read: readUsers, load: loadUsers, lookup: lookupUsers, write: writeUsers, remove: removeUser },
  category: {
    read: (ctx, o) => readTerms(ctx, 'category', o),
    load: (ctx, h, s) => loadTerms(ctx, 'category', h, s),
    lookup: (ctx, k, s) => lookupTerms(ctx, 'category', k, s),
    write: (ctx, r, s) => writeTerms(ctx, 'category', r, s),
    remove: (ctx, t, s) => removeTerm(ctx, 'category', t, s),
  },
  tag: {
    read: (ctx, o) => readTerms(ctx, 'tag', o),
    load: (ctx, h, s) => loadTerms(ctx, 'tag', h, s),
    lookup: (ctx, k, s) => lookupTerms(ctx, 'tag', k, s),
    write: (ctx, r, s) => writeTerms(ctx, 'tag', r, s),
    remove: (ctx, t, s) => removeTerm(ctx, 'tag', t, s),
  },
  media: { read: readMedia, load: loadMedia, lookup: lookupMedia, write: writeMedia, remove: removeMedia },
  post: {
    read: (ctx, o) => readPosts(ctx, 'post', o),
    load: (ctx, h, s) => loadPosts(ctx, 'post', h, s),
    lookup: (ctx, k, s) => lookupPosts(ctx, 'post', k, s),
    write: (ctx, r, s) => writePosts(ctx, 'post', r, s),
    remove: (ctx, t, s) => removePost(ctx, 'post', t, s),
  },
  page: {
    read: (ctx, o) => readPosts(ctx, 'page', o),
    load: (ctx, h, s) => loadPosts(ctx, 'page', h, s),
    lookup: (ctx, k, s) => lookupPosts(ctx, 'page', k, s),
    write: (ctx, r, s) => writePosts(ctx, 'page', r, s),
    remove: (ctx, t, s) => removePost(ctx, 'page', t, s),
  },
  comment: { read: readComments, load: loadComments, lookup: lookupComments, write: writeComments, remove: removeComment },
  menu: { read: readMenus, load: loadMenus, lookup: lookupMenus, write: writeMenus, remove: removeMenu },
  'menu-item': { read: readMenuItems, load: loadMenuItems, lookup: lookupMenuItems, write: writeMenuItems, remove: removeMenuItem },
  settings: { read: readSettings, load: loadSettings, lookup: lookupSettings, write: writeSettings, remove: async () => 'not_deletable' },
};

/** An open connection to one WordPress site. */
export class WordPressSession implements Session {
  private readonly ctx: WpContext;
  private accountValue: Promise<Account> | undefined;
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(config: WordPressConfig, context: ConnectorContext) {
    const http = withRequestStats(new HttpClient({ userAgent: context.userAgent, secrets: [config.password], log: context.log }), config.url);
    const api = new WpApi(config, http, context.log);
    const postKeys = new PostKeys(api);
    this.ctx = {
      api,
      http,
      connector: context,
      limits: {},
      commentsClosed: new Set(),
      commentWrites: new Map(),
      writtenPosts: new Map(),
      createdPosts: new Set(),
      formatsSaved: new Set(),
      media: { writes: 0 },
      uncertainCommentPosts: new Set(),
      sessionComments: new Map(),
      postKeys,
      sourceLinks: new SourceLinks(api, postKeys),
      targetLinks: new TargetLinks(api),
      account: (signal) => {
        // One read per session; a failed read is not kept.
        this.accountValue ??= readAccount(this.ctx, signal).catch((error: unknown) => {
          this.accountValue = undefined;
          throw error;
        });
        return this.accountValue;
      },
      exclusive: (key, work) => this.exclusive(key, work),
    };
  }

  async check(options: CallOptions): Promise<Identity> {
    this.accountValue = undefined;
    return checkSite(this.ctx, options.signal);
  }

  async discover(options: CallOptions): Promise<Inventory> {
    return discoverSite(this.ctx, options.signal);
  }

  read(type: string, options: CallOptions & { cursor?: string }): AsyncIterable<ReadPage> {
    return handler(type).read(this.ctx, options);
  }

  async load(headers: ItemHeader[], options: CallOptions): Promise<SourceItem[]> {
    const type = headers[0]?.type;
    if (type === undefined) return [];
    if (headers.some((h) => h.type !== type)) throw new ConnectorError('load takes items of one type at a time', { kind: 'bug' });
    return handler(type).load(this.ctx, headers, options.signal);
  }

  async lookup(type: string, keys: string[], options: CallOptions): Promise<Map<string, TargetRef>> {
    if (keys.length === 0) return new Map();
    return handler(type).lookup(this.ctx, keys, options.signal);
  }

  async write(type: string, requests: WriteRequest[], options: CallOptions): Promise<WriteOutcome[]> {
    this.ctx.inspectLinks = undefined;
    if (requests.length === 0) return [];
    return handler(type).write(this.ctx, requests, options.signal);
  }

  async remove(type: string, target: TargetRef, options: CallOptions): Promise<RemoveResult> {
    this.ctx.inspectLinks = undefined;
    return handler(type).remove(this.ctx, target, options.signal);
  }

  async ensurePrincipal(type: string, name: string, options: CallOptions): Promise<TargetRef> {
    this.ctx.inspectLinks = undefined;
    if (type !== 'user') throw unknownType(type);
    return ensureUser(this.ctx, name, options.signal);
  }

  async reset(options: CallOptions & { onProgress?: (done: number) => void }): Promise<{ removed: number }> {
    this.ctx.inspectLinks = undefined;
    this.ctx.media.index = undefined;
    return resetSite(this.ctx, options);
  }

  async inspect(type: string, ids: string[], options: CallOptions): Promise<Map<string, InspectedItem>> {
    return inspectItems(this.ctx, type, ids, options.signal);
  }

  async precheck(context: PrecheckContext, options: CallOptions): Promise<Finding[]> {
    return precheckSite(this.ctx, context, options.signal);
  }

  async close(): Promise<void> {
    // Application Passwords are stateless: there is no session to end on the server.
  }

  private async exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(work);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }
}

function handler(type: string): TypeHandler {
  const found = HANDLERS[type];
  if (!found) throw unknownType(type);
  return found;
}

function unknownType(type: string): ConnectorError {
  return new ConnectorError(`The WordPress connector has no object type "${type}"`, { kind: 'bug' });
}
