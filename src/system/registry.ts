/** System adapters by platform: one line per platform. */
import { ConnectorError } from '../sdk/errors.js';
import { mediawikiSystem } from './mediawiki/adapter.js';
import type { SystemAdapter } from './types.js';
import { wordpressSystemAdapter } from './wordpress/index.js';

const ADAPTERS: Partial<Record<SystemAdapter['platform'], SystemAdapter>> = {
  mediawiki: mediawikiSystem,
  wordpress: wordpressSystemAdapter,
};

export function adapterFor(platform: SystemAdapter['platform']): SystemAdapter {
  const adapter = ADAPTERS[platform];
  if (!adapter) throw new ConnectorError(`System migration of ${platform} is not available in this build`, { kind: 'config', hint: `supported: ${Object.keys(ADAPTERS).join(', ')}` });
  return adapter;
}
