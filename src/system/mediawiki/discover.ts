/**
 * Reads a MediaWiki installation through its host: PHP loads the
 * installation's own settings (maintenance/eval.php with MW_CONFIG_FILE
 * pointing at the config file) and prints what Ferry needs as JSON.
 * Nothing is assumed about where the wiki lives beyond its config file.
 */
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { ConnectorError } from '../../sdk/errors.js';
import { redact } from '../../sdk/redact.js';
import type { Host } from '../host.js';
import { endPhpSessions, phpRequest, renamePhpSession, requestLoopPhp } from '../php-session.js';
import { treeBytes } from '../transfer.js';
import type { InstallationInfo, InstallationLocation } from '../types.js';

/** Debian's mediawiki package puts the code here. */
const DEBIAN_CODE_DIR = '/usr/share/mediawiki';
const MARKER = 'FERRYJSON:';

export interface MediaWikiDetails {
  codeDir: string;
  env: Record<string, string>;
  scriptPath: string;
  script: string;
  uploadPath: string;
  mainPage: string;
  sitename: string;
  /** The SQLite data folder's main database file (engine sqlite). */
  dbFile?: string;
  /** Extensions and skins loaded, by name. */
  extensions: string[];
  skins: string[];
}

export type MediaWikiInfo = InstallationInfo & { mediawiki: MediaWikiDetails };

export function detailsOf(info: InstallationInfo): MediaWikiDetails {
  const details = (info as Partial<MediaWikiInfo>).mediawiki;
  if (!details) throw new ConnectorError('not a MediaWiki installation description', { kind: 'bug' });
  return details;
}

/** Where the MediaWiki code may be: given, else next to the config, then Debian's folder. */
function codeDirCandidates(location: InstallationLocation): string[] {
  return location.codeDir ? [location.codeDir] : [dirname(location.configFile), DEBIAN_CODE_DIR];
}

/** Where the MediaWiki code is: the first candidate with maintenance/eval.php. */
async function findCodeDir(host: Host, location: InstallationLocation): Promise<string> {
  const candidates = codeDirCandidates(location);
  const found = await Promise.all(candidates.map((dir) => host.stat(join(dir, 'maintenance', 'eval.php'))));
  const at = found.findIndex((entry) => entry !== undefined);
  if (at >= 0) return candidates[at] as string;
  throw new ConnectorError(`No MediaWiki code found on ${host.label} (looked for maintenance/eval.php in ${candidates.join(', ')})`, {
    kind: 'config',
    hint: 'set codeDir: in the plan to the folder holding MediaWiki (index.php, maintenance/)',
  });
}

function sessionKey(codeDir: string, env: Record<string, string>): string {
  return `mediawiki:${JSON.stringify([codeDir, Object.entries(env).sort()])}`;
}

export function phpEnv(location: InstallationLocation): Record<string, string> {
  return { MW_CONFIG_FILE: location.configFile, ...location.env };
}

/**
 * Runs one line of PHP in the installation's context and returns the JSON it
 * printed after MARKER.
 */
export async function evalJson<T>(host: Host, codeDir: string, env: Record<string, string>, code: string, secrets: readonly string[] = []): Promise<T> {
  const evalPhp = join(codeDir, 'maintenance', 'eval.php');
  return evalJsonWith<T>(host, sessionKey(codeDir, env), { argv: ['php', evalPhp], cwd: codeDir, label: evalPhp }, env, code, secrets);
}

/**
 * evalJson for a code folder not known yet: the first of `candidates` holding maintenance/eval.php, found
 * by the shell that starts PHP (as findCodeDir would find it), under the session key `key`.
 */
function evalJsonFirst<T>(host: Host, key: string, candidates: readonly string[], env: Record<string, string>, code: string): Promise<T> {
  const pick = 'for d in "$@"; do if [ -f "$d/maintenance/eval.php" ]; then cd "$d" && exec php maintenance/eval.php; fi; done; echo "no maintenance/eval.php in $*" >&2; exit 97';
  return evalJsonWith<T>(host, key, { argv: ['sh', '-c', pick, 'sh', ...candidates], label: `maintenance/eval.php (the first found in ${candidates.join(', ')})` }, env, code, []);
}

async function evalJsonWith<T>(host: Host, key: string, start: { argv: string[]; cwd?: string; label?: string }, env: Record<string, string>, code: string, secrets: readonly string[]): Promise<T> {
  const evalPhp = start.label ?? start.argv.slice(1).join(' ');
  // eval.php reads its input 1024 bytes a line: the code travels in the environment, the line only runs it.
  // Kept for the run (php-session.ts): the line starts a loop that answers requests, MediaWiki loaded once.
  const kept = await phpRequest(host, key, () => ({ argv: start.argv, env: { ...env, FERRY_PHP: requestLoopPhp() }, ...(start.cwd ? { cwd: start.cwd } : {}), prelude: "eval(getenv('FERRY_PHP'));\n" }), code);
  if (kept && kept.code !== 0) {
    const detail = redact((kept.stderr.trim() || kept.stdout.trim()).slice(-4000), secrets);
    throw new ConnectorError(`php ${evalPhp} exited with ${kept.code} on ${host.label}: ${detail}`, { kind: 'config' });
  }
  const { stdout } = kept ?? (await host.exec(start.argv, { input: "eval(getenv('FERRY_PHP'));\n", env: { ...env, FERRY_PHP: code }, ...(start.cwd ? { cwd: start.cwd } : {}), secrets }));
  const at = stdout.indexOf(MARKER);
  if (at < 0) {
    throw new ConnectorError(`MediaWiki's eval.php on ${host.label} printed no answer: ${stdout.trim().slice(0, 500) || '(nothing)'}`, { kind: 'config', hint: 'check that the config file loads: php maintenance/eval.php with MW_CONFIG_FILE set to it' });
  }
  const end = stdout.indexOf('\n', at);
  try {
    return JSON.parse(stdout.slice(at + MARKER.length, end < 0 ? undefined : end)) as T;
  } catch {
    // Not quoted: the answer holds the installation's keys and database password.
    throw new ConnectorError(`MediaWiki's eval.php on ${host.label} printed an answer Ferry cannot read`, { kind: 'bug' });
  }
}

const DISCOVER_PHP = `
$ferryThings = ExtensionRegistry::getInstance()->getAllThings();
$ferryExt = []; $ferrySkins = [];
foreach ($ferryThings as $ferryName => $ferryThing) { if (strpos($ferryThing['path'] ?? '', '/skins/') !== false) { $ferrySkins[] = $ferryName; } else { $ferryExt[] = $ferryName; } }
$ferryLogs = [];
foreach ([$wgDebugLogFile, $wgDBerrorLog, $wgRateLimitLog ?? null] as $ferryLog) { if (is_string($ferryLog) && $ferryLog !== '') $ferryLogs[] = $ferryLog; }
foreach ($wgDebugLogGroups as $ferryLog) { if (is_string($ferryLog) && $ferryLog !== '') $ferryLogs[] = $ferryLog; elseif (is_array($ferryLog) && is_string($ferryLog['destination'] ?? null)) $ferryLogs[] = $ferryLog['destination']; }
echo "${MARKER}" . json_encode([
 'version' => MW_VERSION, 'server' => $wgServer, 'canonicalServer' => $wgCanonicalServer, 'scriptPath' => $wgScriptPath, 'script' => $wgScript,
 'dbType' => $wgDBtype, 'dbServer' => $wgDBserver, 'dbName' => $wgDBname, 'dbUser' => $wgDBuser, 'dbPassword' => $wgDBpassword,
 'sqliteDir' => $wgSQLiteDataDir, 'replicated' => (is_array($wgDBservers) && count($wgDBservers) > 1) || !empty($wgLBFactoryConf['sectionLoads'] ?? null),
 'uploadDir' => $wgUploadDirectory, 'uploadPath' => $wgUploadPath, 'secretKey' => $wgSecretKey, 'upgradeKey' => $wgUpgradeKey,
 'readOnly' => $wgReadOnly, 'readOnlyFile' => $wgReadOnlyFile, 'logs' => array_values(array_unique($ferryLogs)), 'sitename' => $wgSitename,
 'mainPage' => Title::newMainPage()->getPrefixedDBkey(), 'extensions' => $ferryExt, 'skins' => $ferrySkins,
], JSON_UNESCAPED_SLASHES) . "\\n";
`;

interface DiscoverJson {
  version: string;
  server: string;
  canonicalServer: string;
  scriptPath: string;
  script: string;
  dbType: string;
  dbServer: string | null;
  dbName: string;
  dbUser: string | null;
  dbPassword: string | null;
  sqliteDir: string | null;
  replicated: boolean;
  uploadDir: string;
  uploadPath: string;
  secretKey: string | null;
  upgradeKey: string | null;
  readOnly: string | boolean | null;
  readOnlyFile: string | false | null;
  logs: string[];
  sitename: string;
  mainPage: string;
  extensions: string[];
  skins: string[];
}

export async function discoverMediaWiki(host: Host, location: InstallationLocation): Promise<MediaWikiInfo> {
  // What does not depend on each other is asked at once: over SSH each question is a round trip.
  const hostInfo = host.info();
  hostInfo.catch(() => undefined);
  const env = phpEnv(location);
  const candidates = codeDirCandidates(location);
  // Discovery reads the installation as its config is now: a MediaWiki kept loaded from before loads again.
  await Promise.all(candidates.map((dir) => endPhpSessions(host, sessionKey(dir, env))));
  // PHP starts at once, beside the look-ups of the config and the code folder, and finds that folder itself:
  // over SSH each is a session to start (the login shell), and the look-ups wait for SFTP's.
  const probe = `mediawiki-discover:${randomUUID()}`;
  const answer = evalJsonFirst<DiscoverJson>(host, probe, candidates, env, DISCOVER_PHP);
  answer.catch(() => undefined);
  const [config, codeDir] = await Promise.all([host.stat(location.configFile), findCodeDir(host, location).catch((error: unknown) => error as Error)]);
  if (!config || codeDir instanceof Error) {
    await endPhpSessions(host, probe);
    if (!config) throw new ConnectorError(`The config file ${location.configFile} does not exist on ${host.label}`, { kind: 'config', hint: 'set configFile: to the wiki\'s LocalSettings.php (Debian: /etc/mediawiki/LocalSettings.php)' });
    throw codeDir;
  }
  const j = await answer.catch(async (error: unknown) => {
    await endPhpSessions(host, probe);
    throw error;
  });
  // The later requests of the run find this PHP under the folder's key.
  await renamePhpSession(host, probe, sessionKey(codeDir, env));
  const engine = j.dbType === 'sqlite' ? 'sqlite' : j.dbType === 'postgres' ? 'postgres' : 'mariadb';
  const dbFile = engine === 'sqlite' && j.sqliteDir ? join(j.sqliteDir, `${j.dbName}.sqlite`) : undefined;
  const [dbStat, uploadsBytes, readOnlyFile] = await Promise.all([
    dbFile ? host.stat(dbFile) : undefined,
    treeBytes(host, j.uploadDir),
    typeof j.readOnlyFile === 'string' ? host.stat(j.readOnlyFile) : undefined,
  ]);
  const dbSize = dbStat?.size ?? 0;
  const url = j.server.startsWith('//') ? `http:${j.server}` : j.server;
  const secrets: Record<string, string> = {};
  if (j.secretKey) secrets.$wgSecretKey = j.secretKey;
  if (j.upgradeKey) secrets.$wgUpgradeKey = j.upgradeKey;
  const { hostname: hostName, fqdn, addresses } = await hostInfo;
  let domain = fqdn;
  try {
    domain = new URL(url).hostname;
  } catch {
    // $wgServer is not a URL: the host's name stands in.
  }
  return {
    platform: 'mediawiki',
    version: j.version,
    location: { ...location, codeDir },
    url,
    hostName,
    domain,
    addresses,
    database: {
      engine,
      location: engine === 'sqlite' ? (j.sqliteDir ?? '') : (j.dbServer ?? ''),
      name: j.dbName,
      ...(j.dbUser ? { user: j.dbUser } : {}),
      ...(j.dbPassword ? { password: j.dbPassword } : {}),
      sizeBytes: dbSize,
      replicated: j.replicated,
    },
    uploadsDir: j.uploadDir,
    uploadsBytes,
    extraDirs: [],
    logFiles: j.logs,
    secrets,
    serverRole: j.replicated ? 'replicated' : 'standalone',
    inMaintenance: Boolean(j.readOnly) || readOnlyFile !== undefined,
    mediawiki: {
      codeDir,
      env,
      scriptPath: j.scriptPath,
      script: j.script,
      uploadPath: j.uploadPath,
      mainPage: j.mainPage,
      sitename: j.sitename,
      ...(dbFile ? { dbFile } : {}),
      extensions: j.extensions,
      skins: j.skins,
    },
  };
}
