import type { Connector } from '../../sdk/connector.js';
import { commentType } from './comments.js';
import { secretFields, wordPressConfigSchema, type WordPressConfig } from './config.js';
import { mediaType } from './media.js';
import { menuItemType } from './menu-items.js';
import { menuType } from './menus.js';
import { pageType, postType } from './posts.js';
import { WordPressSession } from './session.js';
import { settingsType } from './settings.js';
import { categoryType, tagType } from './terms.js';
import { userType } from './users.js';

export { wordPressConfigSchema, type WordPressConfig } from './config.js';
export type { WordPressInventoryDetails } from './inventory.js';
export type { UserData } from './users.js';
export type { TermData } from './terms.js';
export type { MediaData } from './media.js';
export type { PostData } from './posts.js';
export type { CommentData } from './comments.js';
export type { MenuData } from './menus.js';
export type { MenuItemData } from './menu-items.js';
export type { SettingsData } from './settings.js';
export type { LinkRef } from './links.js';

/**
 * WordPress (tested with 6.1) through its REST API and an Application
 * Password: users, categories, tags, media, posts, pages, comments, menus
 * and site settings, with links in content rewritten to the target.
 *
 * @example
 * const session = await wordpressConnector.open(
 *   { url: 'http://127.0.0.1:8080', username: 'admin', password: 'abcd efgh ijkl mnop qrst uvwx' },
 *   { log, userAgent: 'Ferry/0.1.0', tempDir },
 * );
 * const identity = await session.check({ signal });
 */
export const wordpressConnector: Connector<WordPressConfig> = {
  platform: 'wordpress',
  title: 'WordPress',
  configSchema: wordPressConfigSchema,
  secretFields,
  objectTypes: [settingsType, userType, categoryType, tagType, mediaType, pageType, postType, commentType, menuType, menuItemType],
  open: async (config, context) => new WordPressSession(wordPressConfigSchema.parse(config), context),
};
