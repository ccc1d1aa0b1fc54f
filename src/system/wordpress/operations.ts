/**
 * The operations that copy one WordPress installation onto another, in
 * execution order (system migration, issue 9). Each one can be run again
 * after a kill: it continues from its checkpoint or redoes idempotent work.
 * The snapshot of the target, taken before anything is written to it, is the
 * way back: undo restores it exactly.
 */
import { createHash } from 'node:crypto';
import { ConnectorError } from '../../sdk/errors.js';
import type { Host } from '../host.js';
import type { InstallationInfo, OperationContext, SystemOperation, SystemOptions } from '../types.js';
import { importFile, importInto, query, streamDump, tableMarkers, tableSizes } from './db.js';
import { compareVersions, folderBytes, readFacts, SALT_NAMES, wordpressOf } from './discover.js';
import { copyFolders, totalBytes, type FileCopyCheckpoint, type FolderPair } from './files.js';
import { setSiteMode } from './maintenance.js';
import { endWordPressPhp, runWordPressPhp } from './php.js';
import { phpLiteral, REWRITE_MARKER, searchReplaceDatabasePhp } from './search-replace-php.js';

/**
 * Options that belong to the host rather than to the site: its address, its
 * mail account and where it keeps files. With settings 'basic' the target
 * keeps its own; with 'swap' the target takes the source's and the source
 * gets the target's former ones (siteurl and home always follow the URLs).
 */
export const HOST_OPTIONS = [
  'siteurl', 'home', 'admin_email', 'new_admin_email',
  'mailserver_url', 'mailserver_login', 'mailserver_pass', 'mailserver_port',
  'upload_path', 'upload_url_path', 'ping_sites',
] as const;

/** Keys and salts WordPress keeps in the database when the config does not define them: part of the "licence". */
export const LICENCE_OPTIONS = ['auth_key', 'auth_salt', 'logged_in_key', 'logged_in_salt', 'nonce_key', 'nonce_salt', 'secure_auth_key', 'secure_auth_salt'] as const;

type OptionRows = Record<string, { value: string; autoload: string } | null>;

const SETTINGS_FILE = 'wordpress-settings.json';
const SNAPSHOT_DIR = 'wordpress-snapshot';

const secretsOf = (ctx: OperationContext): string[] => [
  ctx.source.info.database.password ?? '',
  ctx.target.info.database.password ?? '',
  ...Object.values(ctx.source.info.secrets),
  ...Object.values(ctx.target.info.secrets),
].filter((s) => s.length > 0);

function readOptionsPhp(names: readonly string[]): string {
  return `
global $wpdb;
$ferry_out = [];
foreach ( json_decode( ${phpLiteral(JSON.stringify(names))}, true ) as $ferry_name ) {
	$ferry_row = $wpdb->get_row( $wpdb->prepare( "SELECT option_value, autoload FROM {$wpdb->options} WHERE option_name = %s", $ferry_name ), ARRAY_A );
	$ferry_out[ $ferry_name ] = $ferry_row ? [ 'value' => $ferry_row['option_value'], 'autoload' => $ferry_row['autoload'] ] : null;
}
echo "\\n@@FERRY-JSON@@" . json_encode( $ferry_out ) . "\\n";
`;
}

function writeOptionsPhp(rows: OptionRows): string {
  return `
global $wpdb;
foreach ( json_decode( ${phpLiteral(JSON.stringify(rows))}, true ) as $ferry_name => $ferry_row ) {
	if ( $ferry_row === null ) {
		$wpdb->delete( $wpdb->options, [ 'option_name' => $ferry_name ] );
	} else {
		$wpdb->query( $wpdb->prepare( "INSERT INTO {$wpdb->options} (option_name, option_value, autoload) VALUES (%s, %s, %s) ON DUPLICATE KEY UPDATE option_value = VALUES(option_value), autoload = VALUES(autoload)", $ferry_name, $ferry_row['value'], $ferry_row['autoload'] ) );
	}
}
wp_cache_flush();
echo "\\n@@FERRY-JSON@@" . json_encode( true ) . "\\n";
`;
}

async function readOptions(host: Host, ctxSide: OperationContext['source'], names: readonly string[], secrets: string[]): Promise<OptionRows> {
  return runWordPressPhp<OptionRows>(host, ctxSide.info.location, readOptionsPhp(names), { what: 'Reading settings', secrets });
}

/** `shortInit`: in the SHORTINIT process (php.ts), for the target while its plugins copy (the PHP is $wpdb's alone). */
async function writeOptions(host: Host, ctxSide: OperationContext['source'], rows: OptionRows, secrets: string[], shortInit = false): Promise<void> {
  await runWordPressPhp<boolean>(host, ctxSide.info.location, writeOptionsPhp(rows), { what: 'Writing settings', secrets, shortInit });
}

/** Beside the file copy, WordPress loaded only as far as its database: not when the target has drop-ins (they load even then). */
const besideFilesWithoutDropIns = ({ target }: { target: InstallationInfo }): boolean => wordpressOf(target).dropIns.length === 0;

interface SavedSettings {
  source: OptionRows;
  target: OptionRows;
}

async function readJson<T>(host: Host, path: string): Promise<T | undefined> {
  if (!(await host.stat(path))) return undefined;
  return JSON.parse((await host.readFile(path)).toString('utf8')) as T;
}

const newUrlOf = (ctx: OperationContext): string => (ctx.options.newUrl ?? ctx.target.info.url).replace(/\/+$/, '');

// ---------------------------------------------------------------- settings

const copySettings: SystemOperation = {
  name: 'copy-settings',
  label: 'Copies the site settings',
  estimate: async () => 0,
  async run(ctx) {
    await ctx.target.host.mkdir(ctx.workDir, 0o700);
    const file = `${ctx.workDir}/${SETTINGS_FILE}`;
    // Read once: after the database copy the target's own values are gone, a resumed run must keep the first reading.
    if (await ctx.target.host.stat(file)) return;
    const names = [...HOST_OPTIONS, ...LICENCE_OPTIONS];
    const [source, target] = await Promise.all([readOptions(ctx.source.host, ctx.source, names, secretsOf(ctx)), readOptions(ctx.target.host, ctx.target, names, secretsOf(ctx))]);
    const saved: SavedSettings = { source, target };
    await ctx.target.host.writeFile(file, JSON.stringify(saved), 0o600);
    ctx.info(ctx.options.settings === 'basic'
      ? `the site's settings come with the database; the target keeps its own ${HOST_OPTIONS.filter((n) => n !== 'siteurl' && n !== 'home').join(', ')}`
      : `settings swap: the target takes the source's ${HOST_OPTIONS.join(', ')} (URLs rewritten), the source gets the target's former ones`);
  },
};

// ---------------------------------------------------------------- maintenance

const sourceMaintenance: SystemOperation = {
  name: 'source-maintenance',
  label: 'Puts the source in maintenance',
  estimate: async () => 0,
  async run(ctx) {
    const facts = await readFacts(ctx.source.host, ctx.source.info.location);
    await setSiteMode(ctx.source.host, facts.muPluginsDir, 'maintenance');
    ctx.info(`the source answers 503 (Retry-After) to visitors: ${facts.muPluginsDir}/ferry-maintenance.php`);
  },
  async undo(ctx) {
    const facts = await readFacts(ctx.source.host, ctx.source.info.location);
    await setSiteMode(ctx.source.host, facts.muPluginsDir, 'online');
  },
};

// ---------------------------------------------------------------- snapshot

interface SnapshotManifest {
  database: string;
  dirs: Array<{ path: string; saved: string; existed: boolean }>;
  configFiles: Array<{ path: string; saved: string; mode: number }>;
}

const snapshotTarget: SystemOperation = {
  name: 'snapshot-target',
  label: 'Snapshots the target (the way back)',
  async estimate(ctx) {
    return ctx.target.info.database.sizeBytes + ctx.target.info.uploadsBytes;
  },
  async run(ctx) {
    const host = ctx.target.host;
    const dir = `${ctx.workDir}/${SNAPSHOT_DIR}`;
    const manifestFile = `${dir}/manifest.json`;
    // A finished snapshot is never taken again: by then the target may hold the copy.
    if (await host.stat(manifestFile)) return;
    await host.remove(dir);
    await host.mkdir(`${dir}/content`, 0o700);
    await host.mkdir(`${dir}/config`, 0o700);
    const db = ctx.target.info.database;
    const total = db.sizeBytes + ctx.target.info.uploadsBytes;
    // The site's tables only (its prefix): other sites sharing the database are none of this migration's business.
    const tables = (await tableSizes(host, db, db.tablePrefix ?? 'wp_')).map((t) => t.name);
    const sink = host.createWriteStream(`${dir}/database.sql.part`, 'w', 0o600);
    await streamDump({
      host,
      db,
      tables,
      into: { writable: sink },
      signal: ctx.signal,
      onBytes: (n) => ctx.progress(Math.min(n, db.sizeBytes), total),
    });
    await host.rename(`${dir}/database.sql.part`, `${dir}/database.sql`);
    const manifest: SnapshotManifest = { database: `${dir}/database.sql`, dirs: [], configFiles: [] };
    const folders = [ctx.target.info.uploadsDir, ...ctx.target.info.extraDirs];
    for (const [index, path] of folders.entries()) {
      const saved = `${dir}/content/${index}`;
      const existed = (await host.stat(path)) !== undefined;
      if (existed) await host.exec(['cp', '-a', '--', path, saved], { signal: ctx.signal });
      manifest.dirs.push({ path, saved, existed });
    }
    const facts = await readFacts(host, ctx.target.info.location);
    for (const [index, path] of facts.configFiles.entries()) {
      const saved = `${dir}/config/${index}`;
      const stat = await host.stat(path);
      await host.writeFile(saved, await host.readFile(path), 0o600);
      manifest.configFiles.push({ path, saved, mode: stat?.mode ?? 0o644 });
    }
    await host.writeFile(manifestFile, JSON.stringify(manifest), 0o600);
    ctx.progress(total, total);
    ctx.info(`target snapshot in ${dir}: database (${tables.length} tables), ${manifest.dirs.filter((d) => d.existed).length} folders, ${manifest.configFiles.length} config files`);
  },
  async undo(ctx) {
    const host = ctx.target.host;
    const dir = `${ctx.workDir}/${SNAPSHOT_DIR}`;
    const manifest = await readJson<SnapshotManifest>(host, `${dir}/manifest.json`);
    if (!manifest) {
      ctx.warn('no complete target snapshot: the target was not written to, nothing to restore');
      return;
    }
    const db = ctx.target.info.database;
    const tables = (await tableSizes(host, db, db.tablePrefix ?? 'wp_')).map((t) => t.name);
    if (tables.length > 0) {
      await query(host, db, `SET FOREIGN_KEY_CHECKS = 0; DROP TABLE IF EXISTS ${tables.map((t) => `\`${t.replace(/`/g, '``')}\``).join(', ')};`);
    }
    await importFile(host, db, manifest.database);
    // A WordPress loaded before the restore holds the copy's settings.
    await endWordPressPhp(host);
    for (const folder of manifest.dirs) {
      await host.remove(folder.path);
      if (folder.existed) await host.exec(['cp', '-a', '--', folder.saved, folder.path]);
    }
    for (const file of manifest.configFiles) await host.writeFile(file.path, await host.readFile(file.saved), file.mode);
    ctx.info(`target restored from ${dir}`);
  },
};

// ---------------------------------------------------------------- database

interface DatabaseCheckpoint {
  done: string[];
}

const copyDatabase: SystemOperation = {
  name: 'copy-database',
  // Beside the file copy (which runs beside this and the URL rewrite after it).
  besideOk: true,
  label: 'Copies the database',
  async estimate(ctx) {
    const prefix = ctx.source.info.database.tablePrefix ?? 'wp_';
    return (await tableSizes(ctx.source.host, ctx.source.info.database, prefix)).reduce((sum, t) => sum + t.bytes, 0);
  },
  async run(ctx) {
    const source = ctx.source.info.database;
    const target = ctx.target.info.database;
    const prefix = source.tablePrefix ?? 'wp_';
    if ((target.tablePrefix ?? 'wp_') !== prefix) {
      throw new ConnectorError(`the source's tables start with ${prefix} and the target's with ${target.tablePrefix ?? 'wp_'}`, { kind: 'config', hint: `set $table_prefix = '${prefix}'; in the target's config` });
    }
    const tables = await tableSizes(ctx.source.host, source, prefix);
    const total = tables.reduce((sum, t) => sum + t.bytes, 0);
    const saved = await ctx.checkpoint();
    const done = new Set(saved ? (JSON.parse(saved) as DatabaseCheckpoint).done : []);
    let finished = tables.filter((t) => done.has(t.name)).reduce((sum, t) => sum + t.bytes, 0);
    ctx.progress(finished, total);
    if (done.size > 0) ctx.info(`continuing the database copy: ${done.size} of ${tables.length} tables were copied before`);
    const remaining = tables.filter((t) => !done.has(t.name));
    if (remaining.length > 0) {
      // One dump and one import for all remaining tables; the import confirms each table (tableMarkers), then its checkpoint is saved.
      const sizes = new Map(remaining.map((t) => [t.name, t.bytes]));
      let saving = Promise.resolve();
      let streamed = 0;
      let streamedAtTableEnd = 0;
      const confirmed = (name: string): void => {
        if (!sizes.has(name) || done.has(name)) return;
        done.add(name);
        finished += sizes.get(name) ?? 0;
        streamedAtTableEnd = streamed;
        const value = JSON.stringify({ done: [...done] } satisfies DatabaseCheckpoint);
        saving = saving.then(() => ctx.saveCheckpoint(value));
        ctx.progress(finished, total);
        ctx.info(`copied table ${name}`);
      };
      const copying = streamDump({
        host: ctx.source.host,
        db: source,
        tables: remaining.map((t) => t.name),
        into: importInto(ctx.target.host, target, confirmed),
        through: tableMarkers(),
        signal: ctx.signal,
        // Dump text and table pages differ in size: the bar stays below the next confirmed table's share.
        onBytes: (n) => {
          streamed = n;
          const next = remaining.find((t) => !done.has(t.name));
          ctx.progress(finished + Math.min(n - streamedAtTableEnd, Math.max(0, (next?.bytes ?? 1) - 1)), total);
        },
      });
      // Even when the copy is stopped, the tables the target confirmed are kept in the checkpoint.
      await copying.finally(() => saving);
      await saving;
      const missing = remaining.filter((t) => !done.has(t.name)).map((t) => t.name);
      if (missing.length > 0) {
        throw new ConnectorError(`the import on ${ctx.target.host.label} did not confirm the tables ${missing.join(', ')}`, { kind: 'transient', hint: 'run the migration again: the copy continues with those tables' });
      }
    }
    // The target's WordPress loaded before the copy (discovery, settings, snapshot) holds the old database's settings
    // (permalinks, active plugins): the next request loads it again.
    await endWordPressPhp(ctx.target.host);
    // Tables of the target's own site that the source does not have (a plugin of the target's) would be left half-related.
    const names = new Set(tables.map((t) => t.name));
    const stale = (await tableSizes(ctx.target.host, target, prefix)).filter((t) => !names.has(t.name));
    if (stale.length > 0) {
      await query(ctx.target.host, target, `DROP TABLE IF EXISTS ${stale.map((t) => `\`${t.name.replace(/`/g, '``')}\``).join(', ')};`);
      ctx.info(`dropped the target's own tables the source does not have: ${stale.map((t) => t.name).join(', ')}`);
    }
  },
};

// ---------------------------------------------------------------- files

function folderPairs(ctx: OperationContext): FolderPair[] {
  const pairs: FolderPair[] = [{ from: ctx.source.info.uploadsDir, to: ctx.target.info.uploadsDir, mirror: true }];
  // plugins, then themes: the target keeps extra ones of its own (they are inactive once the source's options are in).
  ctx.source.info.extraDirs.forEach((from, index) => {
    const to = ctx.target.info.extraDirs[index];
    if (to) pairs.push({ from, to, mirror: false });
  });
  return pairs;
}

/** Test hook: observes a file continued from a part copy. */
export const fileCopyHooks: { resumedFile?: (path: string, fromByte: number) => void } = {};

/** The estimate's total, reused by run (the runner calls both with one context): one listing of the source less. */
const estimatedFiles = new WeakMap<OperationContext, number>();

const copyFiles: SystemOperation = {
  name: 'copy-files',
  // The database copy and the URL rewrite run beside it; nothing that loads WordPress's plugins runs before it
  // ends (plugins and themes copy with the files).
  beside: true,
  label: 'Copies the uploads, plugins and themes',
  async estimate(ctx) {
    const total = await totalBytes(ctx.source.host, folderPairs(ctx));
    estimatedFiles.set(ctx, total);
    return total;
  },
  async run(ctx) {
    const total = estimatedFiles.get(ctx) ?? (await totalBytes(ctx.source.host, folderPairs(ctx)));
    const saved = await ctx.checkpoint();
    const result = await copyFolders({
      source: ctx.source.host,
      target: ctx.target.host,
      folders: folderPairs(ctx),
      signal: ctx.signal,
      ...(saved ? { checkpoint: JSON.parse(saved) as FileCopyCheckpoint } : {}),
      save: (checkpoint) => ctx.saveCheckpoint(JSON.stringify(checkpoint)),
      progress: (bytes) => ctx.progress(bytes, total),
      resumedFile: (path, from) => {
        ctx.info(`continuing ${path} from byte ${from}`);
        fileCopyHooks.resumedFile?.(path, from);
      },
    });
    ctx.info(`copied ${result.files} files (${result.bytes} bytes in all)${result.removed > 0 ? `, removed ${result.removed} uploads the source does not have` : ''}`);
  },
};

// ---------------------------------------------------------------- URLs

interface RewriteReport {
  rows: number;
  replacements: number;
  tables: Record<string, number>;
  broken: string[];
  skipped: string[];
  noKey: string[];
  failed: string[];
  already?: boolean;
}

const rewriteUrls: SystemOperation = {
  name: 'rewrite-urls',
  label: 'Rewrites the URLs',
  // After the database copy, beside the file copy: the rewrite loads WordPress only as far as its database
  // (SHORTINIT: no plugin, no theme, which are still copying). Not when the target has drop-ins: they load
  // even then, and one may include the files of a plugin being replaced; the rewrite then waits for the copy.
  besideOk: besideFilesWithoutDropIns,
  estimate: async () => 0,
  async run(ctx) {
    const from = ctx.source.info.url.replace(/\/+$/, '');
    const to = newUrlOf(ctx);
    if (from === to) {
      ctx.info('the target keeps the source URL: nothing to rewrite');
      return;
    }
    // Run again after a kill: the rewrite is one transaction with a marker (see searchReplaceDatabasePhp): applied once.
    const report = await runWordPressPhp<RewriteReport>(ctx.target.host, ctx.target.info.location, searchReplaceDatabasePhp([[from, to]]), { what: 'Rewriting URLs', secrets: secretsOf(ctx), shortInit: true });
    if (report.already) {
      ctx.info(`${from} → ${to}: already done by an earlier attempt`);
      return;
    }
    ctx.info(`${from} → ${to}: ${report.replacements} replacements in ${report.rows} rows`);
    if (report.broken.length > 0) ctx.warn(`${report.broken.length} values look PHP-serialized but do not unserialize (already broken on the source); left as they were: ${report.broken.slice(0, 10).join('; ')}`);
    if (report.skipped.length > 0) ctx.warn(`${report.skipped.length} serialized values hold objects of classes Ferry does not unserialize (their code would run); the URL inside them is unchanged: ${report.skipped.slice(0, 10).join('; ')}`);
    if (report.noKey.length > 0) ctx.warn(`tables without a primary key mention the old URL and were not rewritten: ${report.noKey.join(', ')}`);
    if (report.failed.length > 0) {
      throw new ConnectorError(`${report.failed.length} rows could not be updated with the new URL (nothing was changed): ${report.failed.slice(0, 5).join('; ')}`, { kind: 'data', hint: 'see the rows named; run the migration again to retry' });
    }
  },
};

// ---------------------------------------------------------------- configuration

function replaceDefine(text: string, name: string, value: string): string {
  const pattern = new RegExp(`define\\s*\\(\\s*(['"])${name}\\1\\s*,\\s*(['"])(?:\\\\.|(?!\\2)[\\s\\S])*?\\2\\s*\\)`, 'g');
  return text.replace(pattern, () => `define( '${name}', ${phpLiteral(value)} )`);
}

const updateConfig: SystemOperation = {
  name: 'update-config',
  label: "Updates the target's configuration",
  // After the URL rewrite (it removes the rewrite's marker), beside the file copy: its writes to the target
  // are SQL through $wpdb (SHORTINIT) and the config file, which the copy does not touch.
  besideOk: besideFilesWithoutDropIns,
  estimate: async () => 0,
  async run(ctx) {
    const saved = await readJson<SavedSettings>(ctx.target.host, `${ctx.workDir}/${SETTINGS_FILE}`);
    if (!saved) throw new ConnectorError('the settings read before the copy are missing', { kind: 'bug', hint: 'run the migration from its first operation' });
    const secrets = secretsOf(ctx);
    const keep: OptionRows = {};
    const url = newUrlOf(ctx);
    if (ctx.options.settings === 'basic') {
      for (const name of HOST_OPTIONS) if (name !== 'siteurl' && name !== 'home') keep[name] = saved.target[name] ?? null;
    } else {
      const toSource: OptionRows = {};
      for (const name of HOST_OPTIONS) if (name !== 'siteurl' && name !== 'home') toSource[name] = saved.target[name] ?? null;
      await writeOptions(ctx.source.host, ctx.source, toSource, secrets);
      ctx.info('the source now has the target\'s former host settings (mail, admin address, upload paths)');
    }
    keep.home = { value: url, autoload: saved.target.home?.autoload ?? 'yes' };
    keep.siteurl = { value: url, autoload: saved.target.siteurl?.autoload ?? 'yes' };
    if (!ctx.options.secretKeys) {
      for (const name of LICENCE_OPTIONS) keep[name] = saved.target[name] ?? null;
    }
    keep[REWRITE_MARKER] = null;
    await writeOptions(ctx.target.host, ctx.target, keep, secrets, true);
    if (ctx.options.secretKeys) {
      const { saltsFile } = wordpressOf(ctx.target.info);
      const wanted = SALT_NAMES.filter((name) => ctx.source.info.secrets[name] !== undefined);
      if (saltsFile && wanted.length > 0) {
        let text = (await ctx.target.host.readFile(saltsFile)).toString('utf8');
        for (const name of wanted) text = replaceDefine(text, name, ctx.source.info.secrets[name] ?? '');
        const mode = (await ctx.target.host.stat(saltsFile))?.mode ?? 0o640;
        await ctx.target.host.writeFile(saltsFile, text, mode);
        ctx.info(`the source's ${wanted.length} keys and salts written to ${saltsFile}: logins and cookies of the source stay valid on the target`);
      } else {
        ctx.info('the keys and salts came with the database (the config defines none)');
      }
    } else {
      ctx.info('the target keeps its own keys and salts: users log in again');
    }
  },
  async undo(ctx) {
    if (ctx.options.settings !== 'swap') return;
    const saved = await readJson<SavedSettings>(ctx.target.host, `${ctx.workDir}/${SETTINGS_FILE}`);
    if (!saved) return;
    const back: OptionRows = {};
    for (const name of HOST_OPTIONS) if (name !== 'siteurl' && name !== 'home') back[name] = saved.source[name] ?? null;
    await writeOptions(ctx.source.host, ctx.source, back, secretsOf(ctx));
  },
};

// ---------------------------------------------------------------- upgrade

const upgradeDatabase: SystemOperation = {
  name: 'upgrade-database',
  label: 'Upgrades the database (newer WordPress on the target)',
  estimate: async () => 0,
  async run(ctx) {
    const newer = compareVersions(ctx.target.info.version, ctx.source.info.version) > 0;
    // Asked first without loading the plugins (SHORTINIT reads version.php and the options): a schema at the
    // code's db_version needs no wp_upgrade(), and no load of the whole WordPress here.
    const versions = await runWordPressPhp<{ code: string; db: string }>(ctx.target.host, ctx.target.info.location, `
global $wp_db_version;
echo "\\n@@FERRY-JSON@@" . json_encode( [ 'code' => (string) $wp_db_version, 'db' => (string) get_option( 'db_version' ) ] ) . "\\n";
`, { what: 'Reading the database schema version', secrets: secretsOf(ctx), shortInit: true });
    if (versions.code === versions.db) {
      ctx.info(`database schema ${versions.db} is current${newer ? '' : ' (same WordPress version on both sides)'}`);
      return;
    }
    // wp_upgrade() does nothing when the database is already at the code's db_version: safe to run again.
    const result = await runWordPressPhp<{ before: string; after: string }>(ctx.target.host, ctx.target.info.location, `
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
$ferry_before = (string) get_option( 'db_version' );
wp_upgrade();
wp_cache_flush();
echo "\\n@@FERRY-JSON@@" . json_encode( [ 'before' => $ferry_before, 'after' => (string) get_option( 'db_version' ) ] ) . "\\n";
`, { what: 'Upgrading the database', secrets: secretsOf(ctx) });
    ctx.info(result.before === result.after
      ? `database schema ${result.after} is current${newer ? '' : ' (same WordPress version on both sides)'}`
      : `database upgraded from schema ${result.before} to ${result.after} (WordPress ${ctx.source.info.version} → ${ctx.target.info.version})`);
  },
};

// ---------------------------------------------------------------- restart, logs

const restart: SystemOperation = {
  name: 'restart',
  label: 'Restarts the services of the target',
  estimate: async () => 0,
  async run(ctx) {
    const command = ctx.options.restartCommand ?? [];
    if (command.length === 0) return;
    await ctx.target.host.exec(command, { signal: ctx.signal });
    ctx.info(`ran ${command.join(' ')} on ${ctx.target.host.label}`);
  },
};

const copyLogs: SystemOperation = {
  name: 'copy-logs',
  label: 'Copies the logs',
  estimate: async (ctx) => {
    let bytes = 0;
    for (const file of ctx.source.info.logFiles) bytes += (await ctx.source.host.stat(file))?.size ?? 0;
    return bytes;
  },
  async run(ctx) {
    const dir = `${ctx.workDir}/source-logs`;
    await ctx.target.host.mkdir(dir, 0o700);
    const pairs = ctx.source.info.logFiles.map((from, index) => ({ from, to: `${dir}/${index}-${from.split('/').pop() ?? 'log'}` }));
    let done = 0;
    for (const { from, to } of pairs) {
      const data = await ctx.source.host.readFile(from);
      await ctx.target.host.writeFile(to, data, 0o600);
      done += data.length;
      ctx.progress(done);
    }
    ctx.info(pairs.length === 0 ? 'the source has no WordPress log (WP_DEBUG_LOG) to copy' : `copied ${pairs.length} log files to ${dir}`);
  },
  async undo(ctx) {
    await ctx.target.host.remove(`${ctx.workDir}/source-logs`);
  },
};

const sourceAfter: SystemOperation = {
  name: 'source-after',
  label: 'Leaves the source in its final state',
  estimate: async () => 0,
  async run(ctx) {
    const facts = await readFacts(ctx.source.host, ctx.source.info.location);
    await setSiteMode(ctx.source.host, facts.muPluginsDir, ctx.options.sourceAfter);
    ctx.info(`the source is now ${ctx.options.sourceAfter}`);
  },
  async undo(ctx) {
    const facts = await readFacts(ctx.source.host, ctx.source.info.location);
    await setSiteMode(ctx.source.host, facts.muPluginsDir, 'online');
  },
};

// ---------------------------------------------------------------- final checks

async function fetchChecked(url: string, what: string): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    throw new ConnectorError(`final check: ${what} at ${url} cannot be fetched: ${(error as Error).message}`, { kind: 'transient', hint: 'check that the web server of the target serves its new URL (restart command option)' });
  }
  if (response.status !== 200) {
    throw new ConnectorError(`final check: ${what} at ${url} answers ${response.status}`, { kind: 'data', hint: 'look at the web server log of the target' });
  }
  return Buffer.from(await response.arrayBuffer());
}

export interface Sample {
  post: string | null;
  file: string | null;
  fileUrl: string | null;
}

/** The newest published post's permalink and the newest attachment's file and URL, as an installation's WordPress names them. */
function sampleOf(host: Host, location: InstallationInfo['location'], secrets: string[]): Promise<Sample> {
  return runWordPressPhp<Sample>(host, location, `
$ferry_post = get_posts( [ 'post_type' => 'post', 'post_status' => 'publish', 'numberposts' => 1, 'orderby' => 'ID', 'order' => 'DESC' ] );
$ferry_media = get_posts( [ 'post_type' => 'attachment', 'post_status' => 'inherit', 'numberposts' => 1, 'orderby' => 'ID', 'order' => 'DESC' ] );
echo "\\n@@FERRY-JSON@@" . json_encode( [
	'post' => $ferry_post ? get_permalink( $ferry_post[0] ) : null,
	'file' => $ferry_media ? get_post_meta( $ferry_media[0]->ID, '_wp_attached_file', true ) : null,
	'fileUrl' => $ferry_media ? wp_get_attachment_url( $ferry_media[0]->ID ) : null,
] ) . "\\n";
`, { what: 'Reading a post and a file to check', secrets });
}

/**
 * What to fetch from the target: the source's sample at its rewritten URLs (what rewrite-urls made of them), so
 * the check asks whether the target serves what the source served. The source's WordPress has been loaded since
 * discovery, so this costs no load of its own; loading the target's here (it must wait for the plugins and
 * themes to be copied) took longer than the page views themselves. A source URL that does not start with the
 * rewritten one (a home URL on another domain than the site URL) leaves the choice to the target's WordPress.
 */
async function targetSample(ctx: OperationContext, url: string): Promise<Sample> {
  const source = await sampleOf(ctx.source.host, ctx.source.info.location, secretsOf(ctx));
  return rewrittenSample(source, ctx.source.info.url, url) ?? sampleOf(ctx.target.host, ctx.target.info.location, secretsOf(ctx));
}

/** A source's sample with its URLs moved from `from` to `to` as rewrite-urls moves them; undefined when one is not under `from`. */
export function rewrittenSample(sample: Sample, from: string, to: string): Sample | undefined {
  const base = from.replace(/\/+$/, '');
  const rewrite = (value: string | null): string | null | undefined => (value === null ? null : value === base || value.startsWith(`${base}/`) ? `${to}${value.slice(base.length)}` : undefined);
  const post = rewrite(sample.post);
  const fileUrl = rewrite(sample.fileUrl);
  return post === undefined || fileUrl === undefined ? undefined : { post, file: sample.file, fileUrl };
}

const finalChecks: SystemOperation = {
  name: 'final-checks',
  label: 'Final checks',
  estimate: async () => 3,
  async run(ctx) {
    const url = newUrlOf(ctx);
    // What does not depend on each other runs at once, and every check ends before the step does (the first failure in this order is told).
    let checked = 0;
    const home = fetchChecked(`${url}/`, 'the home page').then(() => ctx.progress(++checked, 3));
    const sampled = targetSample(ctx, url);
    const post = sampled.then(async (sample) => {
      if (sample.post) await fetchChecked(sample.post, 'a post');
      ctx.progress(++checked, 3);
    });
    const file = sampled.then(async (sample) => {
      if (sample.file && sample.fileUrl) {
        const [body, want] = await Promise.all([fetchChecked(sample.fileUrl, 'an uploaded file'), ctx.source.host.sha256(`${ctx.source.info.uploadsDir}/${sample.file}`)]);
        const got = createHash('sha256').update(body).digest('hex');
        if (got !== want) throw new ConnectorError(`final check: ${sample.fileUrl} serves other bytes than the source's ${sample.file}`, { kind: 'data', hint: 'run the file copy again' });
      }
      ctx.progress(++checked, 3);
    });
    for (const result of await Promise.allSettled([home, sampled, post, file])) if (result.status === 'rejected') throw result.reason;
    const sample = await sampled;
    ctx.info(`the target serves its home page, ${sample.post ?? 'no post'} and ${sample.fileUrl ?? 'no file'} at ${url}`);
    ctx.action('login', `log in to the target at ${url}/wp-login.php`);
    if (ctx.source.info.serverRole === 'replicated') {
      ctx.action('dns', `the source database is replicated: point ${ctx.source.info.domain} (and any load-balancing name) at ${ctx.target.info.addresses[0] ?? 'the target'} and take ${ctx.source.info.addresses[0] ?? 'the source'} out of the round robin`);
    } else if (new URL(url).hostname !== ctx.source.info.domain) {
      ctx.action('dns', `if visitors should keep using ${ctx.source.info.url}, point ${ctx.source.info.domain} at ${ctx.target.info.addresses[0] ?? 'the target'} and run the URL rewrite back, or redirect it to ${url}`);
    }
  },
};

export function wordpressOperations(options: SystemOptions): SystemOperation[] {
  return [
    copySettings,
    sourceMaintenance,
    snapshotTarget,
    copyFiles,
    copyDatabase,
    rewriteUrls,
    updateConfig,
    upgradeDatabase,
    ...(options.restartCommand && options.restartCommand.length > 0 ? [restart] : []),
    ...(options.logs ? [copyLogs] : []),
    sourceAfter,
    finalChecks,
  ];
}

export { folderBytes };
