import type { Connector } from '../sdk/connector.js';
import { mediawikiConnector } from '../connectors/mediawiki/index.js';
import { wordpressConnector } from '../connectors/wordpress/index.js';

/** The connectors this build of Ferry knows. The engine never imports them; the app does. */
export const connectors: ReadonlyMap<string, Connector<any>> = new Map<string, Connector<any>>([
  [mediawikiConnector.platform, mediawikiConnector],
  [wordpressConnector.platform, wordpressConnector],
]);
