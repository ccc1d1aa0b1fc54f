import { ConnectorError, type ErrorKind } from '../../sdk/errors.js';

/**
 * WordPress answers failures with `{"code", "message", "data": {"status"}}`
 * and an HTTP status. The status alone misleads the engine: "comments are
 * closed for this item" is a 403, yet it concerns one item, not the
 * account. This maps WordPress's own codes to the engine's error kinds.
 */

const BY_CODE: Record<string, ErrorKind> = {
  // Refusals about one item, not about the account's rights.
  rest_comment_closed: 'data',
  rest_comment_draft_post: 'data',
  rest_comment_trash_post: 'data',
  rest_comment_invalid_post_id: 'data',
  rest_comment_content_invalid: 'data',
  rest_comment_author_invalid: 'data',
  rest_comment_author_data_required: 'data',
  rest_invalid_param: 'data',
  rest_missing_callback_param: 'data',
  rest_invalid_field: 'data',
  rest_user_invalid_role: 'data',
  rest_user_invalid_email: 'data',
  rest_user_invalid_username: 'data',
  rest_invalid_author: 'data',
  rest_upload_sideload_error: 'data',
  rest_upload_unknown_error: 'data',
  comment_flood: 'rate_limited',
  // The target holds something in the way.
  existing_user_login: 'conflict',
  existing_user_email: 'conflict',
  term_exists: 'conflict',
  comment_duplicate: 'conflict',
  menu_exists: 'conflict',
  rest_menu_name_exists: 'conflict',
  // Gone.
  rest_post_invalid_id: 'not_found',
  rest_term_invalid: 'not_found',
  rest_user_invalid_id: 'not_found',
  rest_comment_invalid_id: 'not_found',
  rest_menu_location_invalid: 'data',
  // Limits of the target.
  rest_upload_file_too_big: 'too_large',
  rest_upload_limited_space: 'too_large',
  rest_upload_user_quota_exceeded: 'too_large',
  // Credentials and rights.
  rest_not_logged_in: 'auth',
  incorrect_password: 'auth',
  invalid_username: 'auth',
  invalid_email: 'auth',
  application_passwords_disabled: 'auth',
  rest_forbidden: 'auth',
  rest_cannot_create_user: 'auth',
  rest_cannot_edit_roles: 'auth',
};

export interface WpErrorBody {
  code: string;
  message: string;
  status?: number;
}

/**
 * Reads WordPress's error code and message from a failed call. The HTTP
 * client keeps the start of the answer in its message; WordPress puts the
 * code first, so it is always there.
 *
 * @example
 * wpErrorOf(new Error('x failed: HTTP 403 Forbidden {"code":"rest_comment_closed","message":"Sorry"}'))
 * // => { code: 'rest_comment_closed', message: 'Sorry', status: 403 }
 */
export function wpErrorOf(error: unknown): WpErrorBody | undefined {
  // A remapped error keeps the client's original as its cause.
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const found = parseBody(current.message);
    if (found) return found;
  }
  return typeof error === 'string' ? parseBody(error) : undefined;
}

function parseBody(text: string): WpErrorBody | undefined {
  const code = /"code"\s*:\s*"([a-z0-9_\-]+)"/i.exec(text)?.[1];
  if (!code) return undefined;
  const quoted = /"message"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(text)?.[1];
  let message = '';
  if (quoted) {
    try {
      message = JSON.parse(quoted) as string;
    } catch {
      message = quoted.slice(1, -1);
    }
  }
  message = decodeEntities(message);
  const status = Number(/HTTP (\d{3})/.exec(text)?.[1] ?? /"status"\s*:\s*(\d{3})/.exec(text)?.[1]);
  return { code, message, ...(Number.isFinite(status) ? { status } : {}) };
}

/** True when a failed call carries this WordPress error code. */
export function hasWpCode(error: unknown, ...codes: string[]): boolean {
  const code = wpErrorOf(error)?.code;
  return code !== undefined && codes.includes(code);
}

/**
 * Gives a failed call the kind its WordPress code deserves, and a message
 * a person can read: `creating post "x": Sorry, … (rest_invalid_param, HTTP 400)`.
 */
export function remapWpError(error: unknown, what: string): unknown {
  if (!(error instanceof ConnectorError)) return error;
  const wp = wpErrorOf(error);
  if (!wp) return error;
  const kind = kindOf(wp, error.kind);
  const detail = wp.message ? `${wp.message} ` : '';
  const message = `${what} failed: ${detail}(${wp.code}${wp.status ? `, HTTP ${wp.status}` : ''})`;
  const hint = kind === 'auth' ? authHint(wp.code) : kind === error.kind ? error.hint : undefined;
  return new ConnectorError(message, { kind, ...(hint ? { hint } : {}), ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}), cause: error });
}

function kindOf(wp: WpErrorBody, fallback: ErrorKind): ErrorKind {
  // wp_mkdir_p() checks for the month's upload folder, then creates it: two uploads that are
  // the month's first at the same moment race, and the loser fails with this message though
  // the folder now exists. A retry goes through; a folder that really is not writable fails
  // every retry and still reaches the user with WordPress's message.
  if (wp.code === 'rest_upload_unknown_error' && /Unable to create directory/i.test(wp.message)) return 'transient';
  return BY_CODE[wp.code] ?? (wp.code.startsWith('rest_cannot_') ? 'auth' : fallback);
}

function authHint(code: string): string {
  if (code === 'rest_not_logged_in' || code === 'incorrect_password' || code === 'invalid_username') {
    return 'Check the user name and the Application Password (Users → Profile → Application Passwords in wp-admin); the login password does not work here.';
  }
  if (code === 'application_passwords_disabled') {
    return 'Application Passwords are disabled on this site (they need HTTPS, or WP_ENVIRONMENT_TYPE "local"), or a plugin turned them off.';
  }
  return 'The account must be an administrator of the site.';
}

/** WordPress messages carry HTML entities (&#8217; for an apostrophe). */
function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', quot: '"', lt: '<', gt: '>', apos: "'", nbsp: ' ' };
  return text
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_m, code: string) => String.fromCodePoint(parseInt(code, 16)))
    .replace(/&([a-z]+);/g, (m, name: string) => named[name] ?? m);
}
