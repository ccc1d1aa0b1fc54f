/**
 * PHP that fillSite() runs inside a site (WordPress loaded by the harness's CLI
 * prelude): one step per process, each reading its input from a JSON file and
 * printing the ids it created. WordPress's own functions do the writes, so the
 * rows look as WordPress writes them, at hundreds of items a second.
 *
 * Slashing: wp_insert_post(), wp_insert_comment(), wp_insert_user(),
 * wp_insert_term(), update_post_meta() and wp_update_nav_menu_item() all
 * unslash their input, so everything passed to them goes through wp_slash().
 */
import { FILL_EXTRAS_PHP } from './wordpress-fill-extras-php.js';

export const IDS_MARKER = 'FERRY-IDS:';

export const FILL_LIBRARY_PHP = `<?php
// Written by Ferry's fillSite() for one run; deleted afterwards.
if ( ! defined( 'WP_IMPORTING' ) ) {
\t// No _pingme/_encloseme meta, no pings queued for published posts.
\tdefine( 'WP_IMPORTING', true );
}
require_once ABSPATH . 'wp-admin/includes/image.php';
require_once ABSPATH . 'wp-admin/includes/post.php';

function ferry_fail( $message ) {
\tfile_put_contents( 'php://stderr', ( is_wp_error( $message ) ? $message->get_error_code() . ': ' . $message->get_error_message() : (string) $message ) . "\\n" );
\texit( 1 );
}

function ferry_check( $result, $what ) {
\tif ( is_wp_error( $result ) || $result === 0 || $result === false ) {
\t\tferry_fail( $what . ': ' . ( is_wp_error( $result ) ? $result->get_error_code() . ' ' . $result->get_error_message() : 'failed' ) );
\t}
\treturn $result;
}

function ferry_gmt( $iso ) {
\treturn gmdate( 'Y-m-d H:i:s', strtotime( $iso ) );
}

/** Local time in the site's timezone (set by the settings step first). */
function ferry_local( $iso ) {
\treturn get_date_from_gmt( ferry_gmt( $iso ) );
}

function ferry_id( $ids, $key ) {
\tif ( ! isset( $ids[ $key ] ) ) {
\t\tferry_fail( 'unknown generator key ' . $key );
\t}
\treturn (int) $ids[ $key ];
}

function ferry_resolve( $text, $ids ) {
\treturn preg_replace_callback( '/\\{\\{(site|id|link|file)(?::([a-z0-9-]+))?\\}\\}/', static function ( $m ) use ( $ids ) {
\t\tswitch ( $m[1] ) {
\t\t\tcase 'site':
\t\t\t\treturn untrailingslashit( home_url() );
\t\t\tcase 'id':
\t\t\t\treturn (string) ferry_id( $ids, $m[2] );
\t\t\tcase 'link':
\t\t\t\treturn get_permalink( ferry_id( $ids, $m[2] ) );
\t\t\tdefault:
\t\t\t\treturn wp_get_attachment_url( ferry_id( $ids, $m[2] ) );
\t\t}
\t}, $text );
}

function ferry_settings( $s, $ids ) {
\t// Dates of later steps are converted with this timezone.
\tupdate_option( 'timezone_string', $s['timezone'] );
\tupdate_option( 'gmt_offset', '' );
\tupdate_option( 'blogname', $s['title'] );
\tupdate_option( 'blogdescription', $s['description'] );
\tupdate_option( 'date_format', $s['dateFormat'] );
\tupdate_option( 'time_format', $s['timeFormat'] );
\tupdate_option( 'start_of_week', (int) $s['startOfWeek'] );
\tupdate_option( 'posts_per_page', (int) $s['postsPerPage'] );
\tupdate_option( 'default_comment_status', $s['defaultCommentStatus'] );
\tupdate_option( 'default_ping_status', $s['defaultPingStatus'] );
\tupdate_option( 'use_smilies', $s['useSmilies'] ? '1' : '' );
\tupdate_option( 'thread_comments', '1' );
\tupdate_option( 'thread_comments_depth', (int) $s['threadCommentsDepth'] );
\treturn [];
}

function ferry_users( $users, $ids ) {
\t$out = [];
\tforeach ( $users as $u ) {
\t\t$out[ $u['key'] ] = ferry_check( wp_insert_user( wp_slash( [
\t\t\t'user_login' => $u['login'], 'user_email' => $u['email'], 'user_pass' => $u['password'], 'role' => $u['role'],
\t\t\t'display_name' => $u['displayName'], 'nickname' => $u['displayName'], 'first_name' => $u['firstName'],
\t\t\t'last_name' => $u['lastName'], 'description' => $u['description'], 'user_url' => $u['url'],
\t\t\t'user_registered' => ferry_gmt( $u['registered'] ),
\t\t] ) ), 'user ' . $u['login'] );
\t}
\treturn $out;
}

function ferry_terms( $terms, $ids ) {
\t$out = [];
\tforeach ( $terms as $t ) {
\t\t$args = [ 'slug' => $t['slug'], 'description' => $t['description'] ];
\t\tif ( isset( $t['parentKey'] ) ) {
\t\t\t$args['parent'] = ferry_id( $ids + $out, $t['parentKey'] );
\t\t}
\t\t$result = ferry_check( wp_insert_term( wp_slash( $t['name'] ), $t['taxonomy'], wp_slash( $args ) ), 'term ' . $t['key'] );
\t\t$out[ $t['key'] ] = (int) $result['term_id'];
\t}
\treturn $out;
}

function ferry_media( $media, $ids, $dir ) {
\t$out = [];
\tforeach ( $media as $m ) {
\t\t// The uploads/YYYY/MM folder follows the item's own date, not today's.
\t\t$upload = wp_upload_bits( $m['fileName'], null, file_get_contents( $dir . '/' . $m['key'] ), substr( str_replace( '-', '/', ferry_gmt( $m['date'] ) ), 0, 7 ) );
\t\tif ( $upload['error'] ) {
\t\t\tferry_fail( 'upload ' . $m['key'] . ': ' . $upload['error'] );
\t\t}
\t\t$id = ferry_check( wp_insert_attachment( wp_slash( [
\t\t\t'post_mime_type' => $m['mime'], 'post_title' => $m['title'], 'post_content' => $m['description'] ?? '',
\t\t\t'post_excerpt' => $m['caption'] ?? '', 'post_status' => 'inherit', 'post_author' => ferry_id( $ids, $m['authorKey'] ),
\t\t\t'post_date' => ferry_local( $m['date'] ), 'post_date_gmt' => ferry_gmt( $m['date'] ), 'guid' => $upload['url'],
\t\t] ), $upload['file'], 0, true ), 'attachment ' . $m['key'] );
\t\t// Thumbnails included: GD resizes these small images in milliseconds.
\t\twp_update_attachment_metadata( $id, wp_generate_attachment_metadata( $id, $upload['file'] ) );
\t\tif ( isset( $m['alt'] ) ) {
\t\t\tupdate_post_meta( $id, '_wp_attachment_image_alt', wp_slash( $m['alt'] ) );
\t\t}
\t\t$out[ $m['key'] ] = $id;
\t}
\treturn $out;
}

/** Posts and pages with their first text; links need every id, so the final text comes in ferry_links(). */
function ferry_posts( $posts, $ids ) {
\t$out = [];
\tforeach ( $posts as $p ) {
\t\t$known = $ids + $out;
\t\t$arr = [
\t\t\t'post_type' => $p['type'], 'post_title' => $p['title'], 'post_content' => $p['history'][0] ?? '',
\t\t\t'post_excerpt' => $p['excerpt'], 'post_status' => $p['status'], 'post_author' => ferry_id( $known, $p['authorKey'] ),
\t\t\t'post_date' => ferry_local( $p['date'] ), 'post_date_gmt' => ferry_gmt( $p['date'] ), 'menu_order' => $p['menuOrder'],
\t\t\t'comment_status' => $p['commentStatus'], 'ping_status' => $p['pingStatus'], 'post_password' => $p['password'] ?? '',
\t\t\t'post_parent' => isset( $p['parentKey'] ) ? ferry_id( $known, $p['parentKey'] ) : 0, 'meta_input' => $p['meta'],
\t\t];
\t\tif ( isset( $p['slug'] ) ) {
\t\t\t$arr['post_name'] = $p['slug'];
\t\t}
\t\tif ( isset( $p['template'] ) ) {
\t\t\t$arr['page_template'] = $p['template'];
\t\t}
\t\t$id = ferry_check( wp_insert_post( wp_slash( $arr ), true ), 'post ' . $p['key'] );
\t\tif ( $p['type'] === 'post' ) {
\t\t\tferry_check( wp_set_object_terms( $id, array_map( static fn ( $k ) => ferry_id( $known, $k ), $p['categoryKeys'] ), 'category' ), 'categories of ' . $p['key'] );
\t\t\tferry_check( wp_set_object_terms( $id, array_map( static fn ( $k ) => ferry_id( $known, $k ), $p['tagKeys'] ), 'post_tag' ), 'tags of ' . $p['key'] );
\t\t\tif ( $p['format'] !== 'standard' ) {
\t\t\t\tset_post_format( $id, $p['format'] );
\t\t\t}
\t\t}
\t\tif ( $p['sticky'] ) {
\t\t\tstick_post( $id );
\t\t}
\t\t$out[ $p['key'] ] = $id;
\t}
\treturn $out;
}

/** Second pass: final texts with real links, revisions, featured images, attachment parents, front page. */
function ferry_links( $input, $ids ) {
\tglobal $wpdb;
\tforeach ( $input['posts'] as $p ) {
\t\t$id = ferry_id( $ids, $p['key'] );
\t\t$content = ferry_resolve( $p['content'], $ids );
\t\tif ( count( $p['history'] ) > 0 ) {
\t\t\t// Each update saves a revision, as an author's edits would.
\t\t\tforeach ( array_slice( $p['history'], 1 ) as $text ) {
\t\t\t\tferry_check( wp_update_post( wp_slash( [ 'ID' => $id, 'post_content' => $text ] ), true ), 'update ' . $p['key'] );
\t\t\t}
\t\t\tferry_check( wp_update_post( wp_slash( [ 'ID' => $id, 'post_content' => $content ] ), true ), 'update ' . $p['key'] );
\t\t\t// Updates stamp the current time; keep generated dates repeatable.
\t\t\t$wpdb->update( $wpdb->posts, [ 'post_modified' => ferry_local( $p['date'] ), 'post_modified_gmt' => ferry_gmt( $p['date'] ) ], [ 'ID' => $id ] );
\t\t} else {
\t\t\t// No edit history: write the text in place, without a revision.
\t\t\t$wpdb->update( $wpdb->posts, [ 'post_content' => $content ], [ 'ID' => $id ] );
\t\t}
\t\tif ( isset( $p['featuredMediaKey'] ) ) {
\t\t\tset_post_thumbnail( $id, ferry_id( $ids, $p['featuredMediaKey'] ) );
\t\t}
\t\tclean_post_cache( $id );
\t}
\tforeach ( $input['media'] as $m ) {
\t\tif ( isset( $m['parentKey'] ) ) {
\t\t\t$wpdb->update( $wpdb->posts, [ 'post_parent' => ferry_id( $ids, $m['parentKey'] ) ], [ 'ID' => ferry_id( $ids, $m['key'] ) ] );
\t\t\tclean_post_cache( ferry_id( $ids, $m['key'] ) );
\t\t}
\t}
\t$s = $input['settings'];
\tif ( $s['frontPageKey'] !== '' && $s['postsPageKey'] !== '' ) {
\t\tupdate_option( 'show_on_front', 'page' );
\t\tupdate_option( 'page_on_front', ferry_id( $ids, $s['frontPageKey'] ) );
\t\tupdate_option( 'page_for_posts', ferry_id( $ids, $s['postsPageKey'] ) );
\t}
\tif ( $s['defaultCategoryKey'] !== '' ) {
\t\tupdate_option( 'default_category', ferry_id( $ids, $s['defaultCategoryKey'] ) );
\t}
\treturn [];
}

function ferry_comments( $comments, $ids ) {
\t$out = [];
\tforeach ( $comments as $c ) {
\t\t$known = $ids + $out;
\t\t$id = ferry_check( wp_insert_comment( wp_slash( [
\t\t\t'comment_post_ID' => ferry_id( $known, $c['postKey'] ), 'comment_parent' => isset( $c['parentKey'] ) ? ferry_id( $known, $c['parentKey'] ) : 0,
\t\t\t'user_id' => isset( $c['userKey'] ) ? ferry_id( $known, $c['userKey'] ) : 0, 'comment_author' => $c['authorName'],
\t\t\t'comment_author_email' => $c['authorEmail'], 'comment_author_url' => ferry_resolve( $c['authorUrl'], $known ),
\t\t\t'comment_author_IP' => $c['authorIp'], 'comment_content' => ferry_resolve( $c['content'], $known ), 'comment_type' => $c['type'],
\t\t\t'comment_approved' => $c['status'] === 'hold' ? 0 : 1, 'comment_date' => ferry_local( $c['date'] ),
\t\t\t'comment_date_gmt' => ferry_gmt( $c['date'] ), 'comment_agent' => $c['userAgent'] ?? 'Mozilla/5.0 (Ferry generator)',
\t\t] ) ), 'comment ' . $c['key'] );
\t\t// As WordPress's own actions do: the status before is kept in comment meta.
\t\tif ( $c['status'] === 'spam' ) {
\t\t\tferry_check( wp_spam_comment( $id ), 'spam ' . $c['key'] );
\t\t} elseif ( $c['status'] === 'trash' ) {
\t\t\tferry_check( wp_trash_comment( $id ), 'trash ' . $c['key'] );
\t\t}
\t\t$out[ $c['key'] ] = $id;
\t}
\treturn $out;
}

function ferry_menus( $menus, $ids ) {
\t$out = [];
\tforeach ( $menus as $menu ) {
\t\t$menu_id = ferry_check( wp_create_nav_menu( wp_slash( $menu['name'] ) ), 'menu ' . $menu['key'] );
\t\t$out[ $menu['key'] ] = $menu_id;
\t\tforeach ( $menu['items'] as $position => $item ) {
\t\t\t$target = $item['target'];
\t\t\t$args = [
\t\t\t\t'menu-item-title' => $item['title'], 'menu-item-status' => 'publish', 'menu-item-position' => $position + 1,
\t\t\t\t'menu-item-parent-id' => isset( $item['parentKey'] ) ? ferry_id( $out, $item['parentKey'] ) : 0,
\t\t\t\t'menu-item-target' => $item['openInNewTab'] ? '_blank' : '', 'menu-item-classes' => implode( ' ', $item['classes'] ),
\t\t\t\t'menu-item-description' => $item['description'],
\t\t\t];
\t\t\tif ( $target['kind'] === 'custom' ) {
\t\t\t\t$args += [ 'menu-item-type' => 'custom', 'menu-item-url' => ferry_resolve( $target['url'], $ids ) ];
\t\t\t} elseif ( $target['kind'] === 'post' || $target['kind'] === 'page' ) {
\t\t\t\t$args += [ 'menu-item-type' => 'post_type', 'menu-item-object' => $target['kind'], 'menu-item-object-id' => ferry_id( $ids, $target['postKey'] ) ];
\t\t\t} else {
\t\t\t\t$args += [ 'menu-item-type' => 'taxonomy', 'menu-item-object' => $target['kind'] === 'tag' ? 'post_tag' : 'category', 'menu-item-object-id' => ferry_id( $ids, $target['termKey'] ) ];
\t\t\t}
\t\t\t$out[ $item['key'] ] = ferry_check( wp_update_nav_menu_item( $menu_id, 0, wp_slash( $args ) ), 'menu item ' . $item['key'] );
\t\t}
\t}
\treturn $out;
}

/** Entry point of one step: input {admin, ids, data, dir}; prints the ids it made after ${IDS_MARKER}. */
function ferry_run( $step, $input_file ) {
\t$input = json_decode( file_get_contents( $input_file ), true, 512, JSON_THROW_ON_ERROR );
\t$admin = get_user_by( 'login', $input['admin'] );
\tif ( ! $admin ) {
\t\tferry_fail( 'no admin user ' . $input['admin'] );
\t}
\t// The admin has unfiltered_html: content is stored exactly as generated, as an editor would save it.
\twp_set_current_user( $admin->ID );
\tkses_remove_filters();
\t$ids = $input['ids'] + [ 'admin' => $admin->ID ];
\twp_defer_term_counting( true );
\twp_defer_comment_counting( true );
\t$functions = [ 'settings' => 'ferry_settings', 'users' => 'ferry_users', 'terms' => 'ferry_terms', 'posts' => 'ferry_posts',
\t\t'links' => 'ferry_links', 'comments' => 'ferry_comments', 'menus' => 'ferry_menus', 'extras' => 'ferry_extras' ];
\t$out = $step === 'media' ? ferry_media( $input['data'], $ids, $input['dir'] ) : $functions[ $step ]( $input['data'], $ids );
\t// Counts (terms per post, comments per post) are written once, here.
\twp_defer_term_counting( false );
\twp_defer_comment_counting( false );
\techo "\\n${IDS_MARKER}" . json_encode( (object) $out ) . "\\n";
}
${FILL_EXTRAS_PHP}`;
