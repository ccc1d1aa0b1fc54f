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
import { MwApi } from './api-client.js';
import type { MediaWikiConfig } from './config.js';
import { INITIAL_IMPORT_BUDGET, type MwContext } from './context.js';
import { inspectFiles, loadFiles, lookupFiles, readFiles, removeFile, writeFiles } from './files.js';
import { checkWiki, discoverWiki } from './inventory.js';
import { inspectPages } from './page-inspect.js';
import { writePages } from './page-write.js';
import { loadPages, lookupPages, readPages, removePage } from './pages.js';
import { precheckWiki } from './precheck.js';
import { resetWiki } from './reset.js';
import { fetchSiteInfo, type SiteInfo } from './site-info.js';
import { ensureUser, inspectUsers, loadUsers, lookupUsers, readUsers, writeUsers } from './users.js';

/** An open connection to one wiki; dispatches each verb to the module of the object type. */
export class MediaWikiSession implements Session {
  private readonly http: HttpClient;
  private readonly ctx: MwContext;
  private siteInfo: Promise<SiteInfo> | undefined;

  constructor(config: MediaWikiConfig, context: ConnectorContext) {
    this.http = new HttpClient({ userAgent: context.userAgent, secrets: [config.password], log: context.log });
    const api = new MwApi(config, this.http, context.log);
    this.ctx = {
      api,
      connector: context,
      limits: { importBudget: INITIAL_IMPORT_BUDGET },
      site: (signal) => {
        // One read per session; a failed read is not cached.
        this.siteInfo ??= fetchSiteInfo(api, signal).catch((error: unknown) => {
          this.siteInfo = undefined;
          throw error;
        });
        return this.siteInfo;
      },
    };
  }

  async check(options: CallOptions): Promise<Identity> {
    this.siteInfo = undefined;
    return checkWiki(this.ctx, options.signal);
  }

  async discover(options: CallOptions): Promise<Inventory> {
    this.siteInfo = undefined;
    return discoverWiki(this.ctx, options.signal);
  }

  read(type: string, options: CallOptions & { cursor?: string }): AsyncIterable<ReadPage> {
    switch (type) {
      case 'user':
        return readUsers(this.ctx, options);
      case 'page':
        return readPages(this.ctx, options);
      case 'file':
        return readFiles(this.ctx, options);
      default:
        throw unknownType(type);
    }
  }

  async load(headers: ItemHeader[], options: CallOptions): Promise<SourceItem[]> {
    const type = headers[0]?.type;
    if (type === undefined) return [];
    if (headers.some((h) => h.type !== type)) throw new ConnectorError('load takes items of one type at a time', { kind: 'bug' });
    switch (type) {
      case 'user':
        return loadUsers(this.ctx, headers, options.signal);
      case 'page':
        return loadPages(this.ctx, headers, options.signal);
      case 'file':
        return loadFiles(this.ctx, this.http, headers, options.signal);
      default:
        throw unknownType(type);
    }
  }

  async lookup(type: string, keys: string[], options: CallOptions): Promise<Map<string, TargetRef>> {
    switch (type) {
      case 'user':
        return lookupUsers(this.ctx, keys, options.signal);
      case 'page':
        return lookupPages(this.ctx, keys, options.signal);
      case 'file':
        return lookupFiles(this.ctx, keys, options.signal);
      default:
        throw unknownType(type);
    }
  }

  async write(type: string, requests: WriteRequest[], options: CallOptions): Promise<WriteOutcome[]> {
    if (requests.length === 0) return [];
    switch (type) {
      case 'user':
        return writeUsers(this.ctx, requests, options.signal);
      case 'page':
        return writePages(this.ctx, requests, options.signal);
      case 'file':
        return writeFiles(this.ctx, this.http, requests, options.signal);
      default:
        throw unknownType(type);
    }
  }

  async inspect(type: string, ids: string[], options: CallOptions): Promise<Map<string, InspectedItem>> {
    switch (type) {
      case 'user':
        return inspectUsers(this.ctx, ids, options.signal);
      case 'page':
        return inspectPages(this.ctx, ids, options.signal);
      case 'file':
        return inspectFiles(this.ctx, this.http, ids, options.signal);
      default:
        throw unknownType(type);
    }
  }

  async remove(type: string, target: TargetRef, options: CallOptions): Promise<RemoveResult> {
    switch (type) {
      case 'user':
        // MediaWiki has no way to delete an account (only to block or rename it).
        return 'not_deletable';
      case 'page':
        return removePage(this.ctx, target, options.signal);
      case 'file':
        return removeFile(this.ctx, target, options.signal);
      default:
        throw unknownType(type);
    }
  }

  async ensurePrincipal(type: string, name: string, options: CallOptions): Promise<TargetRef> {
    if (type !== 'user') throw unknownType(type);
    return ensureUser(this.ctx, name, options.signal);
  }

  async reset(options: CallOptions & { onProgress?: (done: number) => void }): Promise<{ removed: number }> {
    return resetWiki(this.ctx, options);
  }

  async precheck(context: PrecheckContext, options: CallOptions): Promise<Finding[]> {
    return precheckWiki(this.ctx, context, options.signal);
  }

  async close(): Promise<void> {
    // Best effort: an expired or unreachable session has nothing left to end.
    await this.ctx.api.logout(AbortSignal.timeout(10_000)).catch(() => undefined);
  }
}

function unknownType(type: string): ConnectorError {
  return new ConnectorError(`The MediaWiki connector has no object type "${type}"`, { kind: 'bug' });
}
