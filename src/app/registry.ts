import type { Connector } from '../sdk/connector.js';
import { mediawikiConnector } from '../connectors/mediawiki/index.js';
import { wordpressConnector } from '../connectors/wordpress/index.js';

/** The connectors this build of Ferry knows. The engine never imports them; the app does. */
const known = new Map<string, Connector<any>>([
  [mediawikiConnector.platform, mediawikiConnector],
  [wordpressConnector.platform, wordpressConnector],
]);
export const connectors: ReadonlyMap<string, Connector<any>> = known;

/** Adds a connector to this process: the server's tests use the in-memory platform through the same app. */
export function registerConnector(connector: Connector<any>): void {
  known.set(connector.platform, connector);
}
