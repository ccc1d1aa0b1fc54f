import { ConnectorError, type ErrorKind } from '../../sdk/errors.js';

/**
 * MediaWiki reports most failures as `{"error": {"code", "info"}}` in an HTTP
 * 200 answer. This maps its codes to the engine's error kinds, so the one
 * retry policy works for MediaWiki too.
 */

const BY_CODE: Record<string, ErrorKind> = {
  // Rights and blocks: the account or its bot password grants.
  permissiondenied: 'auth',
  cantimport: 'auth',
  'cantimport-upload': 'auth',
  protectedpage: 'auth',
  cascadeprotected: 'auth',
  protectednamespace: 'auth',
  'protectednamespace-interface': 'auth',
  protectedtitle: 'auth',
  customcssprotected: 'auth',
  customjsprotected: 'auth',
  customjsonprotected: 'auth',
  mustbeloggedin: 'auth',
  notloggedin: 'auth',
  assertuserfailed: 'auth',
  assertbotfailed: 'auth',
  readapidenied: 'auth',
  writeapidenied: 'auth',
  blocked: 'auth',
  autoblocked: 'auth',
  cantcreate: 'auth',
  'cantcreate-anon': 'auth',
  nocreate: 'auth',
  // Slow down.
  ratelimited: 'rate_limited',
  maxlag: 'rate_limited',
  acct_creation_throttle_hit: 'rate_limited',
  actionthrottledtext: 'rate_limited',
  // Try again.
  readonly: 'transient',
  badtoken: 'transient',
  stashfailed: 'transient',
  'uploadstash-exception': 'transient',
  'chunk-too-small': 'bug',
  // Limits of the target.
  'file-too-large': 'too_large',
  filetoobig: 'too_large',
  contenttoobig: 'too_large',
  // Missing things.
  missingtitle: 'not_found',
  nosuchpageid: 'not_found',
  nosuchuser: 'not_found',
  nosuchrevid: 'not_found',
  // The target has something in the way.
  articleexists: 'conflict',
  editconflict: 'conflict',
  userexists: 'conflict',
  'fileexists-forbidden': 'conflict',
  'fileexists-shared-forbidden': 'conflict',
  // Set-up of the wiki.
  uploaddisabled: 'config',
  unknown_action: 'config',
  'import-noarticle': 'data',
};

const HINTS: Record<string, string> = {
  permissiondenied: 'Give the account the missing right, or the bot password the grant (Special:BotPasswords).',
  cantimport:
    'The account needs the "import" and "importupload" rights (group sysop) and the bot password the grant "Import revisions".',
  'cantimport-upload': 'The account needs the "importupload" right and the bot password the grant "Import revisions".',
  uploaddisabled: 'Set $wgEnableUploads = true; in the target wiki\'s LocalSettings.php.',
  'file-too-large': 'Raise $wgMaxUploadSize in LocalSettings.php and upload_max_filesize / post_max_size in php.ini.',
  filetoobig: 'Raise upload_max_filesize and post_max_size in the target\'s php.ini.',
  maxlag: 'The wiki\'s database replicas lag behind; Ferry waits and retries.',
  readonly: 'The wiki is in read-only mode ($wgReadOnly); try again when it is writable.',
  'filetype-banned': 'Allow the file extension on the target ($wgFileExtensions in LocalSettings.php).',
  'verification-error': 'The target refused the file content (MIME type check); see $wgVerifyMimeType.',
  acct_creation_throttle_hit:
    'Give the account the "noratelimit" right (bot password grant "High-volume editing") or raise $wgAccountCreationThrottle.',
};

/** The error kind of a MediaWiki API error code. */
export function kindForApiCode(code: string): ErrorKind {
  const known = BY_CODE[code];
  if (known) return known;
  // Database locks (SQLite "database is locked") and other server faults.
  if (code.startsWith('internal_api_error_')) return 'transient';
  if (code.startsWith('backend-fail-') || code.startsWith('lockmanager-fail-')) return 'transient';
  if (code.startsWith('filetype-') || code === 'verification-error' || code === 'empty-file') return 'data';
  return 'data';
}

export interface ApiErrorInfo {
  code: string;
  info: string;
  /** Seconds from a Retry-After header or a maxlag answer. */
  retryAfterSeconds?: number;
  /** The rest of MediaWiki's error object ("size" of a refused upload...). */
  details?: Record<string, unknown>;
}

/** A ConnectorError that remembers MediaWiki's own error code. */
export class MediaWikiApiError extends ConnectorError {
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(what: string, error: ApiErrorInfo) {
    const kind = kindForApiCode(error.code);
    const retryAfterMs =
      error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : kind === 'rate_limited' ? 5_000 : undefined;
    super(`${what} failed: ${error.info} (MediaWiki error "${error.code}")`, { kind, hint: HINTS[error.code], retryAfterMs });
    this.name = 'MediaWikiApiError';
    this.code = error.code;
    this.details = error.details ?? {};
  }
}

/** Whether `error` is a MediaWiki API error with one of these codes. */
export function isApiCode(error: unknown, ...codes: string[]): error is MediaWikiApiError {
  return error instanceof MediaWikiApiError && codes.includes(error.code);
}
