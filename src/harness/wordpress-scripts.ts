/**
 * PHP snippets the harness runs through a site's CLI prelude (WordPress is
 * loaded when they start). Values are embedded as PHP literals, never as
 * command-line arguments, so passwords do not show in `ps`.
 */
import { phpString } from './wordpress-settings.js';

/** Name of the admin's Application Password. */
export const APP_PASSWORD_NAME = 'ferry';

/** Pretty permalinks, so /wp-json/ and /slug/ URLs work as on a real site. */
export const PERMALINK_STRUCTURE = '/%postname%/';

/** A PHP expression decoding a JSON value: safe for any string, including quotes and Unicode. */
export function phpJson(value: unknown): string {
  return `json_decode( ${phpString(JSON.stringify(value))}, true )`;
}

/** Shared by the snippets: print an error to stderr and fail the process. */
const FAIL = `function ferry_fail( $message ) {
\tfile_put_contents( 'php://stderr', ( is_wp_error( $message ) ? $message->get_error_message() : (string) $message ) . "\\n" );
\texit( 1 );
}`;

export interface InstallInput {
  title: string;
  user: string;
  email: string;
  password: string;
}

/**
 * Runs with WP_INSTALLING: wp_install() (tables, admin, default content),
 * pretty permalinks, and an Application Password for REST Basic auth.
 * Prints {"userId":1,"appPassword":"..."}.
 */
export function installScript(input: InstallInput): string {
  return `${FAIL}
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
$ferry = ${phpJson(input)};
if ( is_blog_installed() ) {
\tferry_fail( 'WordPress is already installed in this database' );
}
$ferry_result = wp_install( $ferry['title'], $ferry['user'], $ferry['email'], true, '', wp_slash( $ferry['password'] ) );
$ferry_user = (int) $ferry_result['user_id'];
global $wp_rewrite;
$wp_rewrite->set_permalink_structure( ${phpString(PERMALINK_STRUCTURE)} );
flush_rewrite_rules( false );
$ferry_app = WP_Application_Passwords::create_new_application_password( $ferry_user, [ 'name' => ${phpString(APP_PASSWORD_NAME)} ] );
if ( is_wp_error( $ferry_app ) ) {
\tferry_fail( $ferry_app );
}
echo json_encode( [ 'userId' => $ferry_user, 'appPassword' => $ferry_app[0] ] );
`;
}

export interface CreateUserInput {
  login: string;
  email: string;
  role: string;
  password: string;
}

/** wp_insert_user(); prints the new user's id. */
export function createUserScript(input: CreateUserInput): string {
  return `${FAIL}
$ferry = ${phpJson(input)};
if ( get_role( $ferry['role'] ) === null ) {
\tferry_fail( 'no such role: ' . $ferry['role'] );
}
// wp_insert_user() unslashes everything but the password.
$ferry_id = wp_insert_user( [
\t'user_login' => wp_slash( $ferry['login'] ),
\t'user_email' => wp_slash( $ferry['email'] ),
\t'user_pass' => $ferry['password'],
\t'role' => $ferry['role'],
] );
if ( is_wp_error( $ferry_id ) ) {
\tferry_fail( $ferry_id );
}
echo (int) $ferry_id;
`;
}

/** Activates plugins by folder name (their main file is found with get_plugins()). */
export function activatePluginsScript(folders: readonly string[]): string {
  return `${FAIL}
require_once ABSPATH . 'wp-admin/includes/plugin.php';
foreach ( ${phpJson(folders)} as $ferry_folder ) {
\t$ferry_found = get_plugins( '/' . $ferry_folder );
\tif ( count( $ferry_found ) === 0 ) {
\t\tferry_fail( 'no plugin in folder ' . $ferry_folder . ' of ' . WP_PLUGIN_DIR );
\t}
\t$ferry_result = activate_plugin( $ferry_folder . '/' . array_key_first( $ferry_found ) );
\tif ( is_wp_error( $ferry_result ) ) {
\t\tferry_fail( $ferry_result );
\t}
}
`;
}
