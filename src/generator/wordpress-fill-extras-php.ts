/**
 * The fill's "extras" step (PHP, appended to the fill library): what a real
 * site holds besides posts and pages: a plugin with its own post type and
 * taxonomy, block-theme objects saved in the Site Editor, a reusable block
 * and a post that embeds it, a block navigation menu, a trashed post, an
 * auto-draft, and a menu item whose post was deleted without WordPress's
 * hooks (as a database import or a clean-up plugin leaves it). Input: a
 * GeneratedExtras; output ids under 'extra-*' keys.
 */
export const FILL_EXTRAS_PHP = `
function ferry_extras_plugin( $p ) {
\trequire_once ABSPATH . 'wp-admin/includes/plugin.php';
\t$dir = WP_PLUGIN_DIR . '/' . $p['folder'];
\tif ( ! is_dir( $dir ) ) {
\t\tmkdir( $dir, 0755, true );
\t}
\t$type = var_export( $p['postType'], true );
\t$tax = var_export( $p['taxonomy'], true );
\tfile_put_contents( $dir . '/' . $p['folder'] . '.php', "<?php\\n/**\\n * Plugin Name: Ferry Shop (generated)\\n * Description: A plugin's post type and taxonomy, both in the REST API.\\n */\\n"
\t\t. "function ferry_shop_register() {\\n"
\t\t. "\\tregister_post_type( $type, [ 'label' => 'Products', 'public' => true, 'show_in_rest' => true, 'rest_base' => 'ferry-products', 'supports' => [ 'title', 'editor' ] ] );\\n"
\t\t. "\\tregister_taxonomy( $tax, [ $type ], [ 'label' => 'Product categories', 'public' => true, 'show_in_rest' => true, 'rest_base' => 'ferry-product-cats' ] );\\n"
\t\t. "}\\nadd_action( 'init', 'ferry_shop_register' );\\n" );
\tferry_check( activate_plugin( $p['folder'] . '/' . $p['folder'] . '.php' ) === null ? 1 : 0, 'activating ' . $p['folder'] );
\t// This process ran init before the plugin was active.
\tferry_shop_register();
\t$out = [];
\tforeach ( $p['terms'] as $i => $name ) {
\t\t$term = ferry_check( wp_insert_term( wp_slash( $name ), $p['taxonomy'] ), 'term ' . $name );
\t\t$out[ 'extra-product-term-' . ( $i + 1 ) ] = (int) $term['term_id'];
\t}
\tforeach ( $p['products'] as $i => $title ) {
\t\t$id = ferry_check( wp_insert_post( wp_slash( [ 'post_type' => $p['postType'], 'post_title' => $title, 'post_status' => 'publish', 'post_content' => '<p>' . esc_html( $title ) . '</p>' ] ), true ), 'product ' . $title );
\t\twp_set_object_terms( $id, [ $out['extra-product-term-1'] ], $p['taxonomy'] );
\t\t$out[ 'extra-product-' . ( $i + 1 ) ] = $id;
\t}
\treturn $out;
}

function ferry_extras_theme_object( $type, $slug, $title, $content, $area = null ) {
\t$id = ferry_check( wp_insert_post( wp_slash( [ 'post_type' => $type, 'post_name' => $slug, 'post_title' => $title, 'post_status' => 'publish', 'post_content' => $content ] ), true ), $type . ' ' . $slug );
\twp_set_post_terms( $id, [ get_stylesheet() ], 'wp_theme' );
\tif ( $area !== null ) {
\t\twp_set_post_terms( $id, [ $area ], 'wp_template_part_area' );
\t}
\treturn $id;
}

function ferry_extras( $x, $ids ) {
\tglobal $wpdb;
\t$out = ferry_extras_plugin( $x['plugin'] );
\t$b = $x['reusableBlock'];
\t$block = ferry_check( wp_insert_post( wp_slash( [ 'post_type' => 'wp_block', 'post_title' => $b['title'], 'post_status' => 'publish', 'post_content' => $b['content'] ] ), true ), 'reusable block' );
\t$out['extra-block'] = $block;
\t$out['extra-block-post'] = ferry_check( wp_insert_post( wp_slash( [ 'post_type' => 'post', 'post_title' => $b['postTitle'], 'post_name' => $b['postSlug'], 'post_status' => 'publish',
\t\t'post_content' => "<!-- wp:paragraph -->\\n<p>Before the notice.</p>\\n<!-- /wp:paragraph -->\\n\\n<!-- wp:block {\\"ref\\":$block} /-->" ] ), true ), 'post with a reusable block' );
\tforeach ( $x['templates'] as $t ) {
\t\t$out[ 'extra-' . $t['type'] . '-' . $t['slug'] ] = ferry_extras_theme_object( $t['type'], $t['slug'], $t['title'], $t['content'], $t['type'] === 'wp_template_part' ? $t['slug'] : null );
\t}
\t// The user's styles of the active theme: the post WordPress itself creates on first use.
\t$styles = WP_Theme_JSON_Resolver::get_user_data_from_wp_global_styles( wp_get_theme(), true );
\tferry_check( wp_update_post( wp_slash( [ 'ID' => $styles['ID'], 'post_content' => wp_json_encode( $x['globalStyles'] ) ] ), true ), 'global styles' );
\t$out['extra-global-styles'] = (int) $styles['ID'];
\t$n = $x['navigation'];
\t$out['extra-navigation'] = ferry_check( wp_insert_post( wp_slash( [ 'post_type' => 'wp_navigation', 'post_title' => $n['title'], 'post_status' => 'publish', 'post_content' => $n['content'] ] ), true ), 'navigation' );
\t$trashed = ferry_check( wp_insert_post( wp_slash( [ 'post_type' => 'post', 'post_title' => $x['trashedTitle'], 'post_status' => 'publish', 'post_content' => '<p>Gone soon.</p>' ] ), true ), 'trashed post' );
\twp_trash_post( $trashed );
\t$out['extra-trashed'] = $trashed;
\t$out['extra-auto-draft'] = ferry_check( wp_insert_post( [ 'post_type' => 'post', 'post_title' => $x['autoDraftTitle'], 'post_status' => 'auto-draft' ], true ), 'auto-draft' );
\tif ( isset( $x['danglingMenuItem'] ) ) {
\t\t$d = $x['danglingMenuItem'];
\t\t$gone = ferry_check( wp_insert_post( wp_slash( [ 'post_type' => 'post', 'post_title' => 'A story that was deleted', 'post_status' => 'publish', 'post_content' => '<p>Deleted.</p>' ] ), true ), 'post to delete' );
\t\t$menu = ferry_id( $ids, $d['menuKey'] );
\t\t$position = count( wp_get_nav_menu_items( $menu ) ) + 1;
\t\t$out['extra-dangling-item'] = ferry_check( wp_update_nav_menu_item( $menu, 0, wp_slash( [ 'menu-item-title' => $d['title'], 'menu-item-status' => 'publish', 'menu-item-position' => $position,
\t\t\t'menu-item-type' => 'post_type', 'menu-item-object' => 'post', 'menu-item-object-id' => $gone ] ) ), 'dangling menu item' );
\t\t// Straight from the table: wp_delete_post() would remove the menu item too.
\t\twp_delete_object_term_relationships( $gone, [ 'category', 'post_tag' ] );
\t\t$wpdb->delete( $wpdb->posts, [ 'ID' => $gone ] );
\t\t$wpdb->delete( $wpdb->postmeta, [ 'post_id' => $gone ] );
\t\tclean_post_cache( $gone );
\t}
\treturn $out;
}
`;
