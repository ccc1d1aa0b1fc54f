import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fillWiki } from '../generator/fill-wiki.js';
import { fillSite } from '../generator/fill-site.js';
import { DEFAULT_WIKI, generateWikiContent } from '../generator/mediawiki-content.js';
import { DEFAULT_SITE, generateSiteContent } from '../generator/wordpress-content.js';
import { ensureMediaWikiPackages, startWiki } from '../harness/mediawiki.js';
import { ensureWordPressPackages, startSite } from '../harness/wordpress.js';

/** One local instance the demo started, as a connection sees it. */
export interface DemoInstance {
  url: string;
  username: string;
  password: string;
  stop(): Promise<void>;
}

export interface DemoPair {
  platform: string;
  source: DemoInstance;
  target: DemoInstance;
}

type Say = (line: string) => void;

/** Starts (or reopens) the demo's two wikis, filling the source on the first run. */
async function mediawikiPair(dir: string, size: number | undefined, say: Say): Promise<DemoPair> {
  say('Checking the MediaWiki packages (installs them with apt-get when missing)...');
  await ensureMediaWikiPackages();
  say('Starting two wikis on 127.0.0.1...');
  const source = await startWiki({ name: 'Demo Source Wiki', baseDir: join(dir, 'wikis', 'source') });
  const target = await startWiki({ name: 'Demo Target Wiki', baseDir: join(dir, 'wikis', 'target') }).catch(async (error: unknown) => {
    await source.stop();
    throw error;
  });
  say(`  source: ${source.url}\n  target: ${target.url}`);
  const marker = join(dir, 'wikis', 'source', '.ferry-demo-filled');
  if (!existsSync(marker)) {
    const content = generateWikiContent({ ...DEFAULT_WIKI, ...(size ? { pages: size } : {}) });
    const revisions = content.pages.reduce((n, p) => n + p.revisions.length, 0);
    say(`Filling the source: ${content.pages.length} pages, ${revisions} revisions, ${content.users.length} users, ${content.files.length} files...`);
    await fillWiki(source, content, { onProgress: (m) => say(`  ${m}`) });
    writeFileSync(marker, new Date().toISOString());
  } else {
    say('The source was filled by an earlier demo run: migrating again (only changes are carried).');
  }
  const as = (w: typeof source): DemoInstance => ({ url: w.url, username: w.botUser, password: w.botPassword, stop: () => w.stop() });
  return { platform: 'mediawiki', source: as(source), target: as(target) };
}

/** Starts (or reopens) the demo's two WordPress sites, filling the source on the first run. */
async function wordpressPair(dir: string, size: number | undefined, say: Say): Promise<DemoPair> {
  say('Checking the WordPress and MariaDB packages (installs them with apt-get when missing)...');
  await ensureWordPressPackages();
  say('Starting two WordPress sites on 127.0.0.1 (a private MariaDB each)...');
  const source = await startSite({ name: 'Demo Source Blog', baseDir: join(dir, 'sites', 'source') });
  const target = await startSite({ name: 'Demo Target Blog', baseDir: join(dir, 'sites', 'target') }).catch(async (error: unknown) => {
    await source.stop();
    throw error;
  });
  say(`  source: ${source.url}\n  target: ${target.url}`);
  const marker = join(dir, 'sites', 'source', '.ferry-demo-filled');
  if (!existsSync(marker)) {
    const content = generateSiteContent({ ...DEFAULT_SITE, ...(size ? { posts: size } : {}) });
    say(`Filling the source: ${content.posts.length} posts and pages, ${content.media.length} media, ${content.comments.length} comments, ${content.users.length} users...`);
    await fillSite(source, content, { onProgress: (m) => say(`  ${m}`) });
    writeFileSync(marker, new Date().toISOString());
  } else {
    say('The source was filled by an earlier demo run: migrating again (only changes are carried).');
  }
  const as = (s: typeof source): DemoInstance => ({ url: s.url, username: s.adminUser, password: s.appPassword, stop: () => s.stop() });
  return { platform: 'wordpress', source: as(source), target: as(target) };
}

export const DEMO_PLATFORMS: Record<string, (dir: string, size: number | undefined, say: Say) => Promise<DemoPair>> = {
  mediawiki: mediawikiPair,
  wordpress: wordpressPair,
};
