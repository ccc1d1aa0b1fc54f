import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFilledWiki } from '../../src/generator/filled-wiki-cache.js';
import { DEFAULT_WIKI, type GeneratedWiki } from '../../src/generator/mediawiki-content.js';
import { startWiki, type WikiInstance, type WikiOptions } from '../../src/harness/mediawiki.js';
import { ferry } from './cli.js';

/** A scratch folder on /dev/shm when there is one: MediaWiki's SQLite writes are faster in memory. */
export function scratch(prefix: string): string {
  const root = process.platform === 'linux' ? '/dev/shm' : '/tmp';
  mkdirSync(root, { recursive: true });
  return mkdtempSync(join(root, `ferry-${prefix}-`));
}

export interface Wikis {
  root: string;
  source: WikiInstance;
  content: GeneratedWiki;
  targets: WikiInstance[];
  stop(): Promise<void>;
}

/** A source wiki filled with the default generated content (filled once, then copied from a cache). */
export async function filledSource(root: string): Promise<{ source: WikiInstance; content: GeneratedWiki }> {
  const { wiki, content } = await startFilledWiki({ name: 'E2E Source', baseDir: join(root, 'source'), content: DEFAULT_WIKI });
  return { source: wiki, content };
}

export async function target(root: string, name: string, options: Partial<WikiOptions> = {}): Promise<WikiInstance> {
  return startWiki({ name, baseDir: join(root, name.replace(/\W+/g, '-').toLowerCase()), ...options });
}

/** Adds a wiki as a connection through the real CLI (the bot password through the environment). */
export async function addConnection(dataDir: string, name: string, wiki: WikiInstance): Promise<void> {
  const result = await ferry(dataDir, ['connection', 'add', name, '--platform', 'mediawiki', '--url', wiki.url, '--username', wiki.botUser, '--password-env', 'FERRY_TEST_PW'], { FERRY_TEST_PW: wiki.botPassword });
  if (result.code !== 0) throw new Error(`connection add ${name} failed: ${result.stderr}`);
}

export function writePlan(dir: string, name: string, body: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, body);
  return file;
}
