/**
 * PHP text the harness writes next to each wiki's LocalSettings.php.
 * Kept apart from the process handling so the settings can be read in one place.
 */

/** Where Debian installs MediaWiki; every wiki shares this code. */
export const MEDIAWIKI_ROOT = '/usr/share/mediawiki';

/** A group that only exists because the harness defines it, to test custom groups. */
export const HARNESS_CUSTOM_GROUP = 'reviewer';

/** App id of the bot password; the login name is `Admin@ferry`. */
export const BOT_APP_ID = 'ferry';

/**
 * Grants of the harness bot password: core grants only, as a user can tick
 * them on Special:BotPasswords. None of them carries the `userrights` right
 * in MediaWiki 1.39, so group memberships cannot be assigned through a bot
 * password; Ferry reports them as post-migration actions.
 */
export const BOT_GRANTS: readonly string[] = [
  'basic',
  'highvolume',
  'import',
  'uploadfile',
  'uploadeditmovefile',
  'createeditmovepage',
  'editpage',
  'editprotected',
  'editinterface',
  'editsiteconfig',
  'createaccount',
  'delete',
  'protect',
  // "View deleted material": lets discover count deleted revisions, which Ferry names as not carried.
  'viewdeleted',
];

/** A PHP single-quoted string literal. */
export function phpString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export interface HarnessSettingsInput {
  name: string;
  dir: string;
  port: number;
  maxUploadBytes: number;
  scribunto: boolean;
}

/**
 * The harness block: per-wiki paths and speed settings that change nothing a
 * migration can see. Rights, grants, throttles and import sources stay as a
 * fresh install has them (the installer makes Admin a sysop and bureaucrat,
 * which already have every right a migration needs); each remaining
 * difference says why it is there.
 */
export function harnessSettingsPhp(input: HarnessSettingsInput): string {
  const dir = input.dir;
  const lines = [
    '<?php',
    '// Written by the Ferry test harness on every start; edits are lost.',
    '',
    `$wgServer = ${phpString(`http://127.0.0.1:${input.port}`)};`,
    '$wgCanonicalServer = $wgServer;',
    `$wgSitename = ${phpString(input.name)};`,
    ...(/^[\p{L}\p{N} _-]+$/u.test(input.name) ? [`$wgMetaNamespace = ${phpString(input.name.replace(/ /g, '_'))};`] : []),
    '',
    '// The installer wrote absolute paths; pointing them at this folder again',
    '// lets a stopped wiki folder be copied and started elsewhere.',
    `$wgSQLiteDataDir = ${phpString(`${dir}/db`)};`,
    "$wgObjectCaches[CACHE_DB]['server']['dbDirectory'] = $wgSQLiteDataDir;",
    "$wgLocalisationCacheConf['storeServer']['dbDirectory'] = $wgSQLiteDataDir;",
    "$wgJobTypeConf['default']['server']['dbDirectory'] = $wgSQLiteDataDir;",
    '',
    "// Debian's PlatformSettings.php points these at shared system folders.",
    `$wgCacheDirectory = ${phpString(`${dir}/cache`)};`,
    `$wgTmpDirectory = ${phpString(`${dir}/tmp`)};`,
    `$wgDBerrorLog = ${phpString(`${dir}/logs/dberror.log`)};`,
    `$wgDebugLogGroups['exception'] = ${phpString(`${dir}/logs/exception.log`)};`,
    `$wgDebugLogGroups['error'] = ${phpString(`${dir}/logs/error.log`)};`,
    `$wgDebugLogGroups['fatal'] = ${phpString(`${dir}/logs/fatal.log`)};`,
    `$wgUploadDirectory = ${phpString(`${dir}/images`)};`,
    "$wgUploadPath = '/images';",
    '',
    '// Caches every process shares (php -S workers and maintenance scripts alike),',
    '// so a change made by a maintenance script is seen by the next request and',
    '// login sessions survive a server restart.',
    '$wgMainCacheType = CACHE_DB;',
    '$wgSessionCacheType = CACHE_DB;',
    '',
    '// Test wikis need no durability, and an fsync per write makes SQLite on disk',
    '// several times slower than on tmpfs.',
    "$wgDBservers = [ [ 'type' => 'sqlite', 'host' => '', 'dbname' => $wgDBname, 'user' => '', 'password' => '',",
    "\t'load' => 1, 'flags' => DBO_DEFAULT, 'variables' => [ 'synchronous' => 'OFF' ] ] ];",
    "$wgObjectCaches[CACHE_DB]['server']['variables']['synchronous'] = 'OFF';",
    "$wgLocalisationCacheConf['storeServer']['variables']['synchronous'] = 'OFF';",
    "$wgJobTypeConf['default']['server']['variables']['synchronous'] = 'OFF';",
    '',
    '// A fresh install has uploads off; every wiki that holds files has them on.',
    '$wgEnableUploads = true;',
    "// The generator and fixtures upload PDFs and SVGs beside the default image types.",
    "$wgFileExtensions = [ 'png', 'gif', 'jpg', 'jpeg', 'webp', 'pdf', 'svg' ];",
    '// Tests vary the upload limit to exercise the size pre-checks and chunked uploads.',
    `$wgMaxUploadSize = ${Math.floor(input.maxUploadBytes)};`,
    '// The installer enables an ImageMagick path that does not exist; GD is installed.',
    '$wgUseImageMagick = false;',
    '$wgSVGNativeRendering = true;',
    '',
    '// Repeatable tests: jobs run only when a test asks (runJobs.php), not at random requests.',
    '$wgJobRunRate = 0;',
    '// Stack traces in API errors, so a failing test says what broke; changes no behaviour.',
    '$wgShowExceptionDetails = true;',
    '',
    '// A group a real wiki would define for itself: tests need one that is not built in.',
    `$wgGroupPermissions[${phpString(HARNESS_CUSTOM_GROUP)}]['patrol'] = true;`,
    `$wgGroupPermissions[${phpString(HARNESS_CUSTOM_GROUP)}]['autopatrol'] = true;`,
  ];
  if (input.scribunto) {
    lines.push(
      '',
      "wfLoadExtension( 'Scribunto' );",
      "// Debian's Scribunto runs the lua5.1 binary (package lua5.1).",
      "$wgScribuntoDefaultEngine = 'luastandalone';",
      "$wgScribuntoEngineConf['luastandalone']['luaPath'] = '/usr/bin/lua5.1';",
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Router for `php -S`: /images/* comes from this wiki's own upload folder
 * (the Debian tree has a shared images symlink); everything else goes to MediaWiki.
 */
export function routerPhp(imagesDir: string): string {
  return `<?php
// Written by the Ferry test harness.
$ferryPath = rawurldecode( parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH ) ?? '/' );
if ( strncmp( $ferryPath, '/images/', 8 ) !== 0 ) {
\treturn false;
}
$ferryRoot = realpath( ${phpString(imagesDir)} );
$ferryFile = $ferryRoot === false ? false : realpath( $ferryRoot . substr( $ferryPath, 7 ) );
if ( $ferryFile === false || strncmp( $ferryFile, $ferryRoot . '/', strlen( $ferryRoot ) + 1 ) !== 0 || !is_file( $ferryFile ) ) {
\thttp_response_code( 404 );
\theader( 'Content-Type: text/plain' );
\techo "Not found\\n";
\treturn true;
}
$ferryTypes = [ 'png' => 'image/png', 'gif' => 'image/gif', 'jpg' => 'image/jpeg', 'jpeg' => 'image/jpeg',
\t'webp' => 'image/webp', 'svg' => 'image/svg+xml', 'pdf' => 'application/pdf' ];
$ferryExt = strtolower( pathinfo( $ferryFile, PATHINFO_EXTENSION ) );
header( 'Content-Type: ' . ( $ferryTypes[$ferryExt] ?? 'application/octet-stream' ) );
header( 'Content-Length: ' . filesize( $ferryFile ) );
if ( $_SERVER['REQUEST_METHOD'] !== 'HEAD' ) {
\treadfile( $ferryFile );
}
return true;
`;
}

/** What LocalSettings.php gets appended once, after the installer's text. */
export function localSettingsTail(): string {
  return `
# Ferry test harness: generated settings, the caller's extra settings, then the
# overrides block that setSettings() replaces.
require __DIR__ . '/ferry-harness.php';
require __DIR__ . '/ferry-extra.php';
require __DIR__ . '/ferry-overrides.php';
`;
}

/** A PHP file holding caller-supplied lines. */
export function phpFile(comment: string, body: string): string {
  return `<?php\n// ${comment}\n${body}\n`;
}
