import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WikiInstance } from '../harness/mediawiki.js';
import type { GeneratedFile, GeneratedWiki } from './content-types.js';
import { CREATE_USERS_PHP } from './create-users-script.js';
import { writeXmlExport } from './xml-export.js';

export interface FillWikiOptions {
  onProgress?: (message: string) => void;
}

interface SiteFacts {
  namespaces: Set<number>;
  groups: Set<string>;
}

async function siteFacts(wiki: WikiInstance): Promise<SiteFacts> {
  const url = `${wiki.apiUrl}?action=query&meta=siteinfo&siprop=namespaces|usergroups&format=json&formatversion=2`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`siteinfo of ${wiki.url} answered ${response.status}`);
  const body = (await response.json()) as {
    query: { namespaces: Record<string, { id: number }>; usergroups: Array<{ name: string }> };
  };
  return {
    namespaces: new Set(Object.values(body.query.namespaces).map((ns) => ns.id)),
    groups: new Set(body.query.usergroups.map((group) => group.name)),
  };
}

/** Fails before writing anything when the wiki cannot hold the content as generated. */
function checkCompatible(content: GeneratedWiki, facts: SiteFacts): void {
  const missingNs = [...new Set(content.pages.map((page) => page.namespace))].filter((ns) => !facts.namespaces.has(ns));
  if (missingNs.length > 0) {
    throw new Error(`the wiki has no namespace ${missingNs.join(', ')} (Module: needs Scribunto; generate with scribunto: false)`);
  }
  const missingGroups = [...new Set(content.users.flatMap((user) => user.groups))].filter((g) => !facts.groups.has(g));
  if (missingGroups.length > 0) throw new Error(`the wiki has no user group ${missingGroups.join(', ')}`);
}

/** Which upload round each version goes in: the current versions all go in the last round. */
function uploadRounds(files: readonly GeneratedFile[]): Array<Array<{ file: GeneratedFile; bytes: Buffer }>> {
  const depth = Math.max(0, ...files.map((file) => file.olderVersions.length));
  const rounds = Array.from({ length: depth + 1 }, () => [] as Array<{ file: GeneratedFile; bytes: Buffer }>);
  for (const file of files) {
    const versions = [...file.olderVersions, file.bytes];
    const first = depth + 1 - versions.length;
    versions.forEach((bytes, index) => rounds[first + index]?.push({ file, bytes }));
  }
  return rounds;
}

// Upload rounds get fixed past dates so file histories are the same on every run.
const roundTimestamp = (round: number): string => `2024${String(round + 1).padStart(2, '0')}01120000`;

async function importFiles(wiki: WikiInstance, files: readonly GeneratedFile[], workDir: string): Promise<void> {
  const rounds = uploadRounds(files);
  for (const [round, entries] of rounds.entries()) {
    const byUser = new Map<string, typeof entries>();
    for (const entry of entries) byUser.set(entry.file.user, [...(byUser.get(entry.file.user) ?? []), entry]);
    for (const [user, userEntries] of byUser) {
      // importImages takes one uploader per run, so each (round, uploader) gets its own folder.
      const dir = join(workDir, `files-${round}-${[...byUser.keys()].indexOf(user)}`);
      mkdirSync(dir);
      for (const { file, bytes } of userEntries) {
        writeFileSync(join(dir, file.name), bytes);
        // Found by --comment-ext as "<file name>.txt"; becomes the description page of a new file.
        writeFileSync(join(dir, `${file.name}.txt`), file.description);
      }
      const output = await wiki.php('importImages.php', [
        '--overwrite',
        '--comment-ext=txt',
        `--user=${user}`,
        `--summary=${round === 0 ? 'Generated upload' : `Generated version ${round + 1}`}`,
        `--timestamp=${roundTimestamp(round)}`,
        dir,
      ]);
      const failed = /Failed:\s*(\d+)/.exec(output);
      if (failed && Number(failed[1]) > 0) throw new Error(`importImages.php failed for some files:\n${output}`);
    }
    // MediaWiki names an archived version by the wall-clock second of the overwrite
    // ("20261130143627!Old_quarry.png"), not by --timestamp: two rounds that overwrite
    // one file within one second collide ("already exists"). The next round starts in a new second.
    if (round < rounds.length - 1) await new Promise((resolve) => setTimeout(resolve, 1050 - (Date.now() % 1000)));
  }
}

/**
 * Loads generated content into a wiki with maintenance scripts (no HTTP edits):
 * users, then pages with their full history through importDump.php, then files
 * (older versions first) through importImages.php, then counters and jobs.
 *
 * @example
 * await fillWiki(wiki, generateWikiContent(DEFAULT_WIKI), { onProgress: console.log });
 */
export async function fillWiki(wiki: WikiInstance, content: GeneratedWiki, options: FillWikiOptions = {}): Promise<void> {
  const started = Date.now();
  const progress = (message: string): void =>
    options.onProgress?.(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
  checkCompatible(content, await siteFacts(wiki));

  mkdirSync(join(wiki.dir, 'tmp'), { recursive: true });
  const workDir = mkdtempSync(join(wiki.dir, 'tmp', 'fill-'));
  try {
    const usersFile = join(workDir, 'users.json');
    const script = join(workDir, 'create-users.php');
    writeFileSync(usersFile, JSON.stringify(content.users));
    writeFileSync(script, CREATE_USERS_PHP);
    progress(`creating ${content.users.length} users`);
    await wiki.php(script, [usersFile]);

    const dump = join(workDir, 'pages.xml');
    await writeXmlExport(content.pages, dump, { siteName: wiki.name, part: 'current' });
    const revisions = content.pages.reduce((sum, page) => sum + page.revisions.length, 0);
    progress(`importing ${content.pages.length} pages, ${revisions} revisions`);
    await wiki.php('importDump.php', ['--no-updates', dump]);
    // Older history of some pages arrives after their latest revision, as merged histories and late
    // dump imports do on real wikis: MediaWiki keeps the latest, whose parent id stays 0.
    const late = content.pages.filter((page) => (page.lateRevisions ?? 0) > 0);
    if (late.length > 0) {
      const lateDump = join(workDir, 'late-history.xml');
      await writeXmlExport(late, lateDump, { siteName: wiki.name, part: 'late' });
      progress(`importing older history of ${late.length} pages`);
      await wiki.php('importDump.php', ['--no-updates', lateDump]);
    }

    progress(`importing ${content.files.length} files`);
    await importFiles(wiki, content.files, workDir);

    // importDump ran with --no-updates (it would otherwise parse every revision,
    // not just the latest) and never writes recent changes: rebuild both in bulk.
    progress('rebuilding links, recent changes and counters');
    await wiki.php('refreshLinks.php', []);
    await wiki.php('rebuildrecentchanges.php', []);
    await wiki.php('initSiteStats.php', ['--update']);
    await wiki.php('initEditCount.php', []);
    await wiki.runJobs();
    progress('done');
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
