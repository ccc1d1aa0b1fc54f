import type { ConnectorContext } from '../../sdk/connector.js';
import type { MwApi } from './api-client.js';
import type { SiteInfo } from './site-info.js';
import type { AccountInfo } from './inventory.js';
import type { InspectPage } from './page-inspect.js';

/** What the per-type modules share within one session. */
export interface MwContext {
  api: MwApi;
  /** Site information, read once per session. */
  site(signal: AbortSignal): Promise<SiteInfo>;
  connector: ConnectorContext;
  /** Upload limits learnt from the wiki's answers while the session runs. */
  limits: UploadLimits;
  /** Set once Special:Export answered with something other than export XML: page histories are then read through the API. */
  specialExportUnavailable?: boolean;
  /** The logged-in account as the users step reads it once (users.ts). */
  account?: Promise<AccountInfo>;
  /** The wiki's whole revision list as verify read it (page-inspect.ts), valid while `state` (edit count and newest log id) holds. */
  revisionList?: { state: string; pages: Promise<Map<number, InspectPage>> };
}

export interface UploadLimits {
  /** Largest body part PHP accepts (upload_max_filesize), once an answer told us. */
  phpUploadBytes?: number;
  /** Bytes of import XML per upload; shrinks when the wiki refuses one. */
  importBudget: number;
}

/** The first import budget: big enough for a few 1 MB pages, under a typical 8 MB post_max_size. */
export const INITIAL_IMPORT_BUDGET = 7 * 1024 * 1024;
