/**
 * System migration (issue 9, seed 003): a whole installation — database,
 * uploaded files, configuration — copied from one host to another as a run of
 * operations on the same engine as item migrations (runs, steps, statuses,
 * the run's log file, stop, resume, undo, the dashboard).
 *
 * A platform brings a SystemAdapter: it discovers an installation on a host
 * and lists the operations that copy one onto another. The system runner
 * (runner.ts) makes each operation a step, shows its bytes as a bar with an
 * ETA, keeps its checkpoint in the store so a resumed run continues inside
 * the operation that was running, and calls the operations' undo in reverse.
 */
import type { Host } from './host.js';

/** Where an installation is on its host. Anything not given is discovered. */
export interface InstallationLocation {
  /** MediaWiki: LocalSettings.php; WordPress: wp-config.php (or the per-site config file Debian's wp-config.php loads). */
  configFile: string;
  /** The platform's code folder when it is not next to the config (Debian: /usr/share/mediawiki, /usr/share/wordpress). */
  codeDir?: string;
  /** Environment the platform's PHP needs to pick this installation (e.g. MW_CONFIG_FILE), for hosts running several. */
  env?: Record<string, string>;
}

export interface DatabaseInfo {
  engine: 'sqlite' | 'mariadb' | 'mysql' | 'postgres';
  /** sqlite: the data folder; others: host:port or socket. */
  location: string;
  name: string;
  user?: string;
  /** Never logged; redacted from every message. */
  password?: string;
  /** WordPress table prefix. */
  tablePrefix?: string;
  sizeBytes: number;
  /** Replicated database (a replica or a primary with replicas): the seed's high-availability warning. */
  replicated: boolean;
}

/** What seed 003's "Source info" step shows, and what the operations need. */
export interface InstallationInfo {
  platform: 'mediawiki' | 'wordpress';
  version: string;
  location: InstallationLocation;
  /** The public URL the installation answers at ($wgServer, siteurl/home). */
  url: string;
  hostName: string;
  domain: string;
  addresses: string[];
  database: DatabaseInfo;
  /** Uploaded files: MediaWiki $wgUploadDirectory, WordPress wp-content/uploads. */
  uploadsDir: string;
  uploadsBytes: number;
  /** Other folders copied with the uploads (WordPress: plugins and themes under wp-content). */
  extraDirs: string[];
  /** The platform's own log files, when configured. */
  logFiles: string[];
  /** The "licence" equivalents, by setting name ($wgSecretKey, AUTH_KEY...); values never logged. */
  secrets: Record<string, string>;
  serverRole: 'standalone' | 'replicated';
  /** Whether the installation is in maintenance / read-only now. */
  inMaintenance: boolean;
}

export interface SystemOptions {
  /** 'basic': copy the site's settings but leave the target's network, host names, mail and backup settings; 'swap': exchange settings between the two. */
  settings: 'basic' | 'swap';
  /** Carry the secret keys (the licence) to the target. */
  secretKeys: boolean;
  /** Copy the platform's logs and the web server's access logs. */
  logs: boolean;
  /** The target's public URL; default: the target's own URL as discovered. */
  newUrl?: string;
  /** What the source is left in after the copy. */
  sourceAfter: 'maintenance' | 'read-only' | 'online';
  /** A command run on the target host to restart what serves it (e.g. systemctl reload apache2); none by default. */
  restartCommand?: string[];
}

export interface OperationContext {
  source: { host: Host; info: InstallationInfo };
  target: { host: Host; info: InstallationInfo };
  options: SystemOptions;
  /** A folder on the target host for the snapshot (the way back) and copy state. */
  workDir: string;
  /** A folder on the source host for copy state (an online-safe database copy before it is streamed). */
  sourceWorkDir: string;
  signal: AbortSignal;
  /** Bytes (or units) done so far in this operation; the runner turns it into a bar and an ETA. */
  progress(done: number, total?: number): void;
  /** The operation's checkpoint from an earlier attempt of this run (resume), or undefined. */
  checkpoint(): Promise<string | undefined>;
  /** Saved in the store: a resumed run reads it back. */
  saveCheckpoint(value: string): Promise<void>;
  info(message: string): void;
  warn(message: string): void;
  /** A post-migration action (DNS changes to make, a setting left for the user). */
  action(code: string, message: string): void;
}

export interface SystemOperation {
  /** Step name in the store and the log: 'copy-settings', 'copy-database'... */
  name: string;
  /** Seed-style label: "Copies the database". */
  label: string;
  /** Total units (bytes) for the bar; 0 when the operation has no size. */
  estimate(ctx: OperationContext): Promise<number>;
  /** Must be safe to call again after a kill (continues from its checkpoint or starts over idempotently). */
  run(ctx: OperationContext): Promise<void>;
  /** Reverses what run did (called in reverse order by `ferry undo`); absent when there is nothing to reverse. */
  undo?(ctx: OperationContext): Promise<void>;
  /**
   * Runs beside the operations after it: the run starts it and goes on with the next ones that are marked
   * `besideOk`, and waits for it before the first one that is not (MediaWiki: the database copy, beside the
   * file copy; WordPress: the file copy, beside the database copy and the URL rewrite).
   */
  beside?: boolean;
  /**
   * May run while a `beside` operation is still running (touches nothing that one writes or reads); a
   * function decides from the two installations (WordPress's URL rewrite: not when the target has drop-ins).
   */
  besideOk?: boolean | ((sides: { source: InstallationInfo; target: InstallationInfo }) => boolean);
}

export interface SystemAdapter {
  platform: 'mediawiki' | 'wordpress';
  /** Reads the installation through its host; ConnectorError 'config' with a hint when it is not one. */
  discover(host: Host, location: InstallationLocation): Promise<InstallationInfo>;
  /** Findings that must stop the run before anything is written (versions, disk space...). */
  precheck(source: InstallationInfo, target: InstallationInfo, ctx: Pick<OperationContext, 'source' | 'target' | 'options' | 'workDir' | 'sourceWorkDir'>): Promise<Array<{ level: 'error' | 'warning'; message: string }>>;
  /** The operations in execution order. */
  operations(options: SystemOptions): SystemOperation[];
}
