/**
 * The operations that copy one MediaWiki installation onto another, in
 * execution order. Each is safe to run again after a kill: it continues from
 * its checkpoint or redoes idempotent work.
 */
import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { ConnectorError } from '../../sdk/errors.js';
import { copyChecked, copyResumable, treeBytes } from '../transfer.js';
import type { FileEntry, Host } from '../host.js';
import type { OperationContext, SystemOperation } from '../types.js';
import { addBlock, blockFile, phpString, removeBlock } from './config-blocks.js';
import { detailsOf, evalJson } from './discover.js';

const SNAPSHOT = 'snapshot';
const PART = '.ferry-part';
const CHECKPOINT_MS = 250;
/** Files copied at once by copy-files. */
const FILES_AT_ONCE = 4;

/** Settings a wiki's own identity is made of: carried in 'basic' mode. Network, paths, DB, mail and keys are not. */
const BASIC_SETTINGS = [
  'wgSitename', 'wgMetaNamespace', 'wgMetaNamespaceTalk', 'wgExtraNamespaces', 'wgNamespaceAliases', 'wgNamespacesWithSubpages',
  'wgContentNamespaces', 'wgNamespaceProtection', 'wgNamespacesToBeSearchedDefault', 'wgCapitalLinks', 'wgCapitalLinkOverrides',
  'wgGroupPermissions', 'wgRevokePermissions', 'wgAddGroups', 'wgRemoveGroups', 'wgGroupsAddToSelf', 'wgGroupsRemoveFromSelf',
  'wgAutopromote', 'wgAutoConfirmAge', 'wgAutoConfirmCount', 'wgImplicitGroups',
  'wgEnableUploads', 'wgFileExtensions', 'wgProhibitedFileExtensions', 'wgStrictFileExtensions', 'wgMaxUploadSize', 'wgUseInstantCommons',
  'wgDefaultSkin', 'wgSkipSkins', 'wgLanguageCode', 'wgLocaltimezone', 'wgLogos', 'wgFavicon',
  'wgRightsPage', 'wgRightsUrl', 'wgRightsText', 'wgRightsIcon', 'wgDefaultUserOptions', 'wgHiddenPrefs',
  'wgAllowExternalImages', 'wgRawHtml', 'wgUseAjax', 'wgPingback',
];
/** 'swap' adds the settings 'basic' leaves out that still belong to the wiki rather than its server. */
const SWAP_SETTINGS = ['wgEmergencyContact', 'wgPasswordSender', 'wgEnableEmail', 'wgEnableUserEmail', 'wgEmailAuthentication', 'wgArticlePath', 'wgMainCacheType'];

function settingsPhp(names: string[]): string {
  return `$ferryOut = ''; foreach (${JSON.stringify(names).replace(/"/g, "'")} as $ferryName) { if (array_key_exists($ferryName, $GLOBALS)) { $ferryOut .= '$' . $ferryName . ' = ' . var_export($GLOBALS[$ferryName], true) . ";\\n"; } }
echo "FERRYJSON:" . json_encode(['php' => $ferryOut], JSON_UNESCAPED_SLASHES) . "\\n";`;
}

/**
 * Gives what Ferry wrote on the target the owner of the folder it is in (a
 * root Ferry writing into www-data's uploads); as the same user this changes nothing.
 */
async function matchOwner(ctx: OperationContext, reference: string, paths: string[], recursive = false): Promise<void> {
  if (paths.length === 0) return;
  const result = await ctx.target.host.exec(['chown', ...(recursive ? ['-R'] : []), `--reference=${reference}`, ...paths], { allowFailure: true, signal: ctx.signal });
  if (result.code !== 0) ctx.warn(`Could not give ${paths.length === 1 ? paths[0] : `${paths.length} paths`} the owner of ${reference} (${result.stderr.trim().slice(0, 200)}): check that the web server may read and write them`);
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Snapshot of the target as it was (config, database folder, uploads): the way back. */
const snapshotTarget: SystemOperation = {
  name: 'snapshot-target',
  label: 'Snapshots the target (the way back)',
  async estimate(ctx) {
    return ctx.target.info.database.sizeBytes + ctx.target.info.uploadsBytes;
  },
  async run(ctx) {
    const { host, info } = ctx.target;
    const final = join(ctx.workDir, SNAPSHOT);
    if (await host.stat(join(final, 'manifest.json'))) return ctx.info(`The snapshot in ${final} exists already (taken before this run was interrupted): kept`);
    const partial = `${final}${PART}`;
    await host.remove(partial);
    await host.mkdir(partial);
    const manifest = { configFile: info.location.configFile, dbDir: info.database.engine === 'sqlite' ? info.database.location : undefined, uploadsDir: info.uploadsDir, takenAt: new Date().toISOString() };
    // The three copies side by side: over SSH each command is a session of its own (about 0.1 s to start here).
    let done = 0;
    const copy = async (from: string, to: string, size: number): Promise<void> => {
      await host.exec(['cp', '-a', from, join(partial, to)], { signal: ctx.signal });
      ctx.progress((done += size));
    };
    await Promise.all([
      copy(manifest.configFile, 'config.php', 0),
      manifest.dbDir ? copy(manifest.dbDir, 'db', info.database.sizeBytes) : undefined,
      host.stat(manifest.uploadsDir).then((there) => (there ? copy(manifest.uploadsDir, 'uploads', info.uploadsBytes) : undefined)),
    ]);
    await host.writeFile(join(partial, 'manifest.json'), JSON.stringify(manifest, null, 2));
    await host.rename(partial, final);
    ctx.info(`Target snapshot taken in ${final} on ${host.label}`);
  },
  async undo(ctx) {
    const { host } = ctx.target;
    const final = join(ctx.workDir, SNAPSHOT);
    const manifestFile = join(final, 'manifest.json');
    if (!(await host.stat(manifestFile))) {
      ctx.warn(`No complete snapshot in ${final}: the target was not changed by this run, nothing to restore`);
      return;
    }
    const manifest = JSON.parse((await host.readFile(manifestFile)).toString('utf8')) as { configFile: string; dbDir?: string; uploadsDir: string };
    const restore = async (from: string, to: string) => {
      if (!(await host.stat(from))) return;
      // Copied beside the destination first, then swapped in: a kill leaves either the old or the restored folder.
      await host.remove(`${to}${PART}`);
      await host.exec(['cp', '-a', from, `${to}${PART}`], { signal: ctx.signal });
      await host.remove(to);
      await host.rename(`${to}${PART}`, to);
    };
    if (manifest.dbDir) await restore(join(final, 'db'), manifest.dbDir);
    await restore(join(final, 'uploads'), manifest.uploadsDir);
    await restore(join(final, 'config.php'), manifest.configFile);
    for (const name of ['FerrySystemSettings', 'FerrySystemUrl'] as const) await host.remove(blockFile(manifest.configFile, name));
    ctx.info(`Target restored from the snapshot in ${final}: configuration, database and uploads as they were`);
  },
};

/** $wgReadOnly on the source through an included file, so nothing changes there during the copy. */
const sourceMaintenance: SystemOperation = {
  name: 'source-maintenance',
  label: 'Places the source under maintenance (read-only)',
  async estimate() {
    return 0;
  },
  async run(ctx) {
    const { host, info } = ctx.source;
    await addBlock(host, info.location.configFile, 'FerrySystemReadOnly', `$wgReadOnly = ${phpString(`This wiki is being moved to a new server (Ferry system migration); edits are paused.`)};`);
    ctx.info(`Source is read-only ($wgReadOnly in ${blockFile(info.location.configFile, 'FerrySystemReadOnly')})`);
  },
  async undo(ctx) {
    await removeBlock(ctx.source.host, ctx.source.info.location.configFile, 'FerrySystemReadOnly');
    ctx.info('Source is out of maintenance (its $wgReadOnly file and require line removed)');
  },
};

/** The site's own settings onto the target, through FerrySystemSettings.php. */
const copySettings: SystemOperation = {
  name: 'copy-settings',
  label: 'Copies the system settings',
  async estimate() {
    return 0;
  },
  async run(ctx) {
    const src = detailsOf(ctx.source.info);
    const tgt = detailsOf(ctx.target.info);
    const names = ctx.options.settings === 'swap' ? [...BASIC_SETTINGS, ...SWAP_SETTINGS] : BASIC_SETTINGS;
    const { php } = await evalJson<{ php: string }>(ctx.source.host, src.codeDir, src.env, settingsPhp(names));
    const lines = [`// Settings of ${ctx.source.info.url} (${ctx.options.settings} mode).`, php];
    const missing: string[] = [];
    for (const [kind, list, have] of [['extension', src.extensions, tgt.extensions], ['skin', src.skins, tgt.skins]] as const) {
      const dir = kind === 'extension' ? 'extensions' : 'skins';
      for (const name of list) {
        if (have.includes(name)) continue;
        const json = join(tgt.codeDir, dir, name, `${kind}.json`);
        if (await ctx.target.host.stat(json)) lines.push(`wfLoad${kind === 'extension' ? 'Extension' : 'Skin'}( ${phpString(name)} );`);
        else missing.push(`${kind} ${name}`);
      }
    }
    if (missing.length > 0) ctx.action('missing-code', `The target has no code for: ${missing.join(', ')}. Install them on the target (same version as the source) and load them in LocalSettings.php`);
    if (ctx.options.secretKeys) {
      for (const [name, value] of Object.entries(ctx.source.info.secrets)) lines.push(`${name} = ${phpString(value)};`);
      ctx.info(`The secret keys (${Object.keys(ctx.source.info.secrets).join(', ')}) are carried to the target`);
    } else {
      ctx.info('The secret keys are not carried (option secretKeys: false): the target keeps its own');
    }
    await addBlock(ctx.target.host, ctx.target.info.location.configFile, 'FerrySystemSettings', lines.join('\n'));
    ctx.info(`Settings copied: ${names.length} settings looked up, written to ${blockFile(ctx.target.info.location.configFile, 'FerrySystemSettings')} (network, host names, database, paths and mail stay the target's)`);
  },
  async undo(ctx) {
    await removeBlock(ctx.target.host, ctx.target.info.location.configFile, 'FerrySystemSettings');
  },
};

interface DbCheckpoint {
  phase: 'stream' | 'place' | 'done';
  size: number;
  sha256: string;
}

/** SQLite: an online-safe copy on the source (the SQLite backup API through PHP), streamed with resume by bytes, moved into place. */
const copyDatabase: SystemOperation = {
  name: 'copy-database',
  label: 'Copies the database',
  // The files copy beside it (they do not depend on each other); update.php waits for both.
  beside: true,
  async estimate(ctx) {
    return ctx.source.info.database.sizeBytes;
  },
  async run(ctx) {
    const src = detailsOf(ctx.source.info);
    const tgt = detailsOf(ctx.target.info);
    if (!src.dbFile || !tgt.dbFile) throw new ConnectorError('Only SQLite MediaWiki databases are copied by this build', { kind: 'config' });
    const backup = join(ctx.sourceWorkDir, 'database.sqlite');
    const incoming = join(dirname(tgt.dbFile), `.ferry-incoming-${basename(tgt.dbFile)}`);
    let cp = parseCheckpoint(await ctx.checkpoint());
    if (!cp) {
      await ctx.source.host.mkdir(ctx.sourceWorkDir);
      await ctx.source.host.remove(`${backup}${PART}`);
      await ctx.source.host.exec(['php', '-r', '$s = new SQLite3($argv[1], SQLITE3_OPEN_READONLY); $s->busyTimeout(60000); $d = new SQLite3($argv[2]); if (!$s->backup($d)) { fwrite(STDERR, $s->lastErrorMsg()); exit(3); } $d->close();', src.dbFile, `${backup}${PART}`], { signal: ctx.signal });
      await ctx.source.host.rename(`${backup}${PART}`, backup);
      const size = (await ctx.source.host.stat(backup))?.size ?? 0;
      cp = { phase: 'stream', size, sha256: await ctx.source.host.sha256(backup) };
      await ctx.target.host.remove(incoming);
      await ctx.saveCheckpoint(JSON.stringify(cp));
      ctx.info(`Online-safe copy of the source database made (${cp.size} bytes, SQLite backup API)`);
      ctx.progress(0, cp.size);
    }
    if (cp.phase === 'stream') {
      let done = (await ctx.target.host.stat(incoming))?.size ?? 0;
      if (done > 0) ctx.info(`Resuming the database copy at byte ${done} of ${cp.size}`);
      ctx.progress(Math.min(done, cp.size), cp.size);
      await copyChecked(ctx.source.host, backup, ctx.target.host, incoming, cp.size, {
        signal: ctx.signal,
        operation: 'copy-database',
        sourceSha: cp.sha256,
        onBytes: (n) => {
          done += n;
          ctx.progress(Math.min(done, cp!.size), cp!.size);
        },
      });
      cp = { ...cp, phase: 'place' };
      await ctx.saveCheckpoint(JSON.stringify(cp));
    }
    if (cp.phase === 'place') {
      for (const suffix of ['-journal', '-wal', '-shm']) await ctx.target.host.remove(`${tgt.dbFile}${suffix}`);
      if (await ctx.target.host.stat(incoming)) {
        await matchOwner(ctx, dirname(tgt.dbFile), [incoming]);
        await ctx.target.host.rename(incoming, tgt.dbFile);
      }
      // The target's object cache (parser output, sessions) describes the database it had.
      const cache = join(dirname(tgt.dbFile), 'wikicache.sqlite');
      if (await ctx.target.host.stat(cache)) {
        await ctx.target.host.exec(['php', '-r', '$d = new SQLite3($argv[1]); $d->busyTimeout(60000); @$d->exec("DELETE FROM objectcache");', cache], { signal: ctx.signal });
      }
      await ctx.source.host.remove(backup);
      cp = { ...cp, phase: 'done' };
      await ctx.saveCheckpoint(JSON.stringify(cp));
      ctx.info(`Database in place on the target (${tgt.dbFile}), SHA-256 checked`);
    }
    ctx.progress(cp.size, cp.size);
  },
};

function parseCheckpoint(value: string | undefined): DbCheckpoint | undefined {
  return value ? (JSON.parse(value) as DbCheckpoint) : undefined;
}

/** The uploads folder: per file size + SHA-256, streamed, resumed inside a file by appending, checkpoint after each file. */
const copyFiles: SystemOperation = {
  name: 'copy-files',
  label: 'Copies the uploaded files',
  besideOk: true,
  async estimate(ctx) {
    return ctx.source.info.uploadsBytes;
  },
  async run(ctx) {
    const { host: sh, info: si } = ctx.source;
    const { host: th, info: ti } = ctx.target;
    // Both listings at once (over SSH each is a command of its own): what to copy, and what the target holds now
    // (part files included; over SSH a stat per file would be a round trip each).
    const listing = async (host: Host, dir: string): Promise<FileEntry[]> => {
      const found: FileEntry[] = [];
      if (await host.stat(dir)) for await (const e of host.list(dir)) found.push(e);
      return found;
    };
    await th.mkdir(ti.uploadsDir);
    const [entries, targetEntries] = await Promise.all([listing(sh, si.uploadsDir), listing(th, ti.uploadsDir)]);
    const total = entries.reduce((n, e) => n + (e.kind === 'file' ? e.size : 0), 0);
    const saved = await ctx.checkpoint();
    const cp = saved ? (JSON.parse(saved) as { next: number; bytes: number }) : { next: 0, bytes: 0 };
    let bytes = cp.bytes;
    let copied = 0;
    let same = 0;
    let savedAt = Date.now();
    ctx.progress(bytes, total);
    const there = new Map<string, FileEntry>(targetEntries.map((e) => [e.path, e]));
    // Up to FILES_AT_ONCE files at once, also over SSH: there a small file costs round trips more than bytes (about
    // ten: stat, open, reads, writes, close, both checksums, rename) and a large one is bound by the flow-control
    // window of its SFTP session; files side by side hide each other's round trips and each stream gets a session
    // of its own (SshHost.onStreamSession).
    // The checkpoint is the longest run of entries all done, so a file finished out of order is only checked again after a kill.
    let contiguous = cp.next;
    const finishedAt = new Map<number, number>();
    const inFlight = new Map<number, number>();
    const report = (): void => {
      let extra = 0;
      for (const n of finishedAt.values()) extra += n;
      for (const n of inFlight.values()) extra += n;
      ctx.progress(Math.min(bytes + extra, total), total);
    };
    let saving = Promise.resolve();
    const finished = (index: number, size: number): void => {
      inFlight.delete(index);
      finishedAt.set(index, size);
      while (finishedAt.has(contiguous)) {
        bytes += finishedAt.get(contiguous) ?? 0;
        finishedAt.delete(contiguous);
        contiguous++;
      }
      // At most every CHECKPOINT_MS: a store write per small file was most of the copy's time.
      // Files copied after the last checkpoint are found equal (size + SHA-256) by a resumed run and not copied again.
      if (Date.now() - savedAt >= CHECKPOINT_MS || contiguous === entries.length) {
        savedAt = Date.now();
        const value = JSON.stringify({ next: contiguous, bytes });
        // The progress that includes these files is shown once their checkpoint is saved: what a kill after it sees is kept.
        saving = saving.then(() => ctx.saveCheckpoint(value)).then(report);
      } else {
        report();
      }
    };
    const copyFile = async (index: number, e: FileEntry, onCopied: () => void): Promise<void> => {
      const from = join(si.uploadsDir, e.path);
      const to = join(ti.uploadsDir, e.path);
      const present = there.get(e.path);
      // Hashed on both hosts only when the target holds a file of the same size; otherwise copied, then checked (transfer.ts).
      const sourceSha = present?.kind === 'file' && present.size === e.size ? await sh.sha256(from) : undefined;
      if (sourceSha && (await th.sha256(to)) === sourceSha) {
        same++;
        return finished(index, e.size);
      }
      const part = `${to}${PART}`;
      let inFile = there.get(`${e.path}${PART}`)?.size ?? 0;
      if (inFile > 0 && inFile <= e.size) ctx.info(`Resuming ${e.path} at byte ${inFile}`);
      else inFile = 0;
      inFlight.set(index, inFile);
      await copyChecked(sh, from, th, part, e.size, {
        signal: ctx.signal,
        operation: 'copy-files',
        onCopied,
        ...(sourceSha ? { sourceSha } : {}),
        onBytes: (n) => {
          inFile = Math.min(inFile + n, e.size);
          inFlight.set(index, inFile);
          report();
        },
      });
      await th.rename(part, to);
      copied++;
      finished(index, e.size);
    };
    const running = new Set<Promise<void>>();
    const copying = new Set<Promise<void>>();
    let failure: unknown;
    for (let i = cp.next; i < entries.length && failure === undefined && !ctx.signal.aborted; i++) {
      const e = entries[i]!;
      const to = join(ti.uploadsDir, e.path);
      if (e.kind === 'dir') {
        // Folders come before their contents in the listing: made before any of their files starts.
        if (there.get(e.path)?.kind !== 'dir') await th.mkdir(to, e.mode);
        finished(i, 0);
      } else if (e.kind === 'symlink') {
        if (there.get(e.path)?.target !== e.target) {
          await th.remove(to);
          await th.symlink(e.target ?? '', to);
        }
        finished(i, 0);
      } else {
        // A slot is a file whose bytes are moving; its check (hashes on the hosts, or the comparison) runs beside the next copy.
        while (copying.size >= FILES_AT_ONCE) await Promise.race(copying);
        if (failure !== undefined) break;
        let copied!: () => void;
        const moving = new Promise<void>((resolve) => (copied = resolve));
        copying.add(moving);
        void moving.then(() => copying.delete(moving));
        const copy: Promise<void> = copyFile(i, e, copied).catch((error: unknown) => {
          failure ??= error;
        }).finally(() => {
          copied();
          running.delete(copy);
        });
        running.add(copy);
      }
    }
    await Promise.all(running);
    await saving;
    if (failure !== undefined) throw failure;
    ctx.signal.throwIfAborted();
    // Files the target had that the source does not: the copied database does not know them. The target's
    // listing from the start is still right: since then only files of the source's listing were written there.
    const wanted = new Set(entries.map((e) => e.path));
    const extra: string[] = [];
    for (const e of targetEntries) if (!wanted.has(e.path) && !extra.some((x) => e.path.startsWith(`${x}/`))) extra.push(e.path);
    for (const path of extra) await th.remove(join(ti.uploadsDir, path));
    await matchOwner(ctx, ti.uploadsDir, [ti.uploadsDir], true);
    ctx.info(`Files: ${copied} copied, ${same} already equal${cp.next > 0 ? ` (resumed at entry ${cp.next} of ${entries.length})` : ''}, ${extra.length} target-only entries removed (they are in the snapshot)`);
  },
};

/** $wgServer to the new URL when one is given. */
const rewriteUrls: SystemOperation = {
  name: 'rewrite-urls',
  label: 'Rewrites the URLs',
  // Only the target's settings file.
  besideOk: true,
  async estimate() {
    return 0;
  },
  async run(ctx) {
    const newUrl = ctx.options.newUrl;
    if (!newUrl) {
      ctx.info(`No new URL given: the target keeps its own $wgServer (${ctx.target.info.url})`);
    } else {
      const server = newUrl.replace(/\/+$/, '');
      await addBlock(ctx.target.host, ctx.target.info.location.configFile, 'FerrySystemUrl', `$wgServer = ${phpString(server)};\n$wgCanonicalServer = $wgServer;`);
      ctx.info(`Target $wgServer set to ${server}`);
    }
    const url = newUrl ?? ctx.target.info.url;
    const ip = ctx.target.info.addresses[0] ?? '(the target\'s address)';
    ctx.action('dns', `DNS: point ${ctx.source.info.domain} at ${ip} (the target, now serving at ${url}) once you switch over; links inside pages that name ${ctx.source.info.url} were not changed`);
  },
  async undo(ctx) {
    await removeBlock(ctx.target.host, ctx.target.info.location.configFile, 'FerrySystemUrl').catch(() => undefined);
  },
};

/** update.php when the target runs a newer MediaWiki than the source. */
const updateSchema: SystemOperation = {
  name: 'update-schema',
  label: 'Updates the database schema (update.php)',
  async estimate() {
    return 0;
  },
  async run(ctx) {
    if (compareVersions(ctx.target.info.version, ctx.source.info.version) <= 0) {
      ctx.info(`Same MediaWiki version on both sides (${ctx.target.info.version}): update.php is not needed`);
      return;
    }
    const tgt = detailsOf(ctx.target.info);
    ctx.info(`The target runs MediaWiki ${ctx.target.info.version}, the source ${ctx.source.info.version}: running update.php`);
    await ctx.target.host.exec(['php', join(tgt.codeDir, 'maintenance', 'update.php'), '--quick'], { env: tgt.env, cwd: tgt.codeDir, signal: ctx.signal });
  },
};

const restartServices: SystemOperation = {
  name: 'restart-services',
  label: 'Restarts the services',
  async estimate() {
    return 0;
  },
  async run(ctx) {
    const command = ctx.options.restartCommand;
    if (!command) return ctx.info('No restart command given (option restartCommand): PHP reads the new settings on the next request');
    await ctx.target.host.exec(command, { signal: ctx.signal });
    ctx.info(`Ran ${command.join(' ')} on ${ctx.target.host.label}`);
  },
};

const copyLogs: SystemOperation = {
  name: 'copy-logs',
  label: 'Copies the logs',
  async estimate(ctx) {
    if (!ctx.options.logs) return 0;
    let total = 0;
    for (const file of ctx.source.info.logFiles) total += (await ctx.source.host.stat(file))?.size ?? 0;
    return total;
  },
  async run(ctx) {
    if (!ctx.options.logs) return ctx.info('Logs are not copied (option logs: false)');
    const into = join(ctx.workDir, 'source-logs');
    await ctx.target.host.mkdir(into);
    let done = 0;
    for (const file of ctx.source.info.logFiles) {
      const entry = await ctx.source.host.stat(file);
      if (entry?.kind !== 'file') continue;
      await copyResumable(ctx.source.host, file, ctx.target.host, join(into, `${sha(file).slice(0, 8)}-${basename(file)}`), entry.size, { signal: ctx.signal, operation: 'copy-logs', onBytes: (n) => ctx.progress((done += n)) });
    }
    ctx.info(`Source logs copied into ${into} on ${ctx.target.host.label}`);
  },
};

/** What the source is left in: maintenance / read-only (the $wgReadOnly file stays) or online (removed). */
const sourceAfter: SystemOperation = {
  name: 'source-after',
  label: 'Sets the source after the copy',
  async estimate() {
    return 0;
  },
  async run(ctx) {
    const { host, info } = ctx.source;
    const url = ctx.options.newUrl ?? ctx.target.info.url;
    if (ctx.options.sourceAfter === 'online') {
      await removeBlock(host, info.location.configFile, 'FerrySystemReadOnly');
      ctx.info('The source is online again (read-only removed)');
    } else {
      await addBlock(host, info.location.configFile, 'FerrySystemReadOnly', `$wgReadOnly = ${phpString(`This wiki has moved to ${url}.`)};`);
      ctx.info(`The source stays read-only (${ctx.options.sourceAfter}), pointing readers to ${url}`);
    }
  },
  async undo(ctx) {
    await removeBlock(ctx.source.host, ctx.source.info.location.configFile, 'FerrySystemReadOnly');
  },
};

/** The target serves its Main Page and a file at its URL over HTTP. */
const finalChecks: SystemOperation = {
  name: 'final-checks',
  label: 'Final checks',
  async estimate() {
    return 0;
  },
  async run(ctx) {
    const tgt = detailsOf(ctx.target.info);
    const base = (ctx.options.newUrl ?? ctx.target.info.url).replace(/\/+$/, '');
    const page = `${base}${tgt.script}?title=${encodeURIComponent(detailsOf(ctx.source.info).mainPage)}`;
    // The page and a file at once: they do not depend on each other.
    const checkPage = async () => {
      const response = await fetchChecked(page, ctx.signal);
      ctx.info(`${page} answered ${response.status} (${(await response.arrayBuffer()).byteLength} bytes)`);
    };
    const checkFile = async () => {
      const file = await firstUpload(ctx);
      if (!file) return ctx.info('The source has no uploaded files to check');
      const url = `${base}${tgt.uploadPath}/${file.path.split('/').map(encodeURIComponent).join('/')}`;
      const [body, expected] = await Promise.all([
        fetchChecked(url, ctx.signal).then(async (response) => Buffer.from(await response.arrayBuffer())),
        ctx.source.host.sha256(join(ctx.source.info.uploadsDir, file.path)),
      ]);
      if (sha256(body) !== expected) throw new ConnectorError(`${url} does not serve the source's file (SHA-256 differs)`, { kind: 'data', hint: 'check the web server\'s upload path ($wgUploadPath) on the target' });
      ctx.info(`${url} serves the source's file (${body.length} bytes, SHA-256 equal)`);
    };
    // Both end before the step does; the page's failure is told first.
    for (const result of await Promise.allSettled([checkPage(), checkFile()])) if (result.status === 'rejected') throw result.reason;
    ctx.action('login', `The target's login page: ${base}${tgt.script}?title=Special:UserLogin`);
  },
};

async function firstUpload(ctx: OperationContext): Promise<{ path: string } | undefined> {
  const { host, info } = ctx.source;
  if (!(await host.stat(info.uploadsDir))) return undefined;
  for await (const e of host.list(info.uploadsDir)) {
    if (e.kind === 'file' && /^[0-9a-f]\/[0-9a-f]{2}\/[^/]+$/.test(e.path)) return e;
  }
  return undefined;
}

async function fetchChecked(url: string, signal: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(60_000)]), redirect: 'follow' });
  } catch (error) {
    throw new ConnectorError(`The target does not answer at ${url}: ${(error as Error).message}`, { kind: 'transient', hint: 'check that the web server serves the target at this URL (option newUrl)' });
  }
  if (response.status !== 200) throw new ConnectorError(`${url} answered HTTP ${response.status}`, { kind: 'data', hint: 'look at the web server\'s error log on the target' });
  return response;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** <0 when a is older than b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function mediawikiOperations(): SystemOperation[] {
  return [snapshotTarget, sourceMaintenance, copySettings, copyDatabase, copyFiles, rewriteUrls, updateSchema, restartServices, copyLogs, sourceAfter, finalChecks];
}

export { treeBytes };
