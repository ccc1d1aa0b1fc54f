import type { Connector } from '../../sdk/connector.js';
import { mediaWikiConfigSchema, secretFields, type MediaWikiConfig } from './config.js';
import { fileType } from './files.js';
import { pageType } from './pages.js';
import { MediaWikiSession } from './session.js';
import { userType } from './users.js';

export { mediaWikiConfigSchema, type MediaWikiConfig } from './config.js';
export type { MediaWikiInventoryDetails } from './inventory.js';
export type { UserData } from './users.js';
export type { PageData, PageRevision } from './pages.js';
export type { FileData } from './files.js';

/**
 * MediaWiki (tested with 1.39): users with their groups, pages of every
 * namespace with full history (through `action=import`), and files.
 *
 * @example
 * const session = await mediawikiConnector.open(
 *   { url: 'http://127.0.0.1:8080', username: 'Admin@ferry', password: botPassword },
 *   { log, userAgent: 'Ferry/0.1.0', tempDir },
 * );
 * const identity = await session.check({ signal });
 */
export const mediawikiConnector: Connector<MediaWikiConfig> = {
  platform: 'mediawiki',
  title: 'MediaWiki',
  configSchema: mediaWikiConfigSchema,
  secretFields,
  objectTypes: [userType, pageType, fileType],
  open: async (config, context) => new MediaWikiSession(mediaWikiConfigSchema.parse(config), context),
};
