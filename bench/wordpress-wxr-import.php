<?php
/**
 * The import half of the `wordpress-native` bench case: reads a WXR file (from
 * export_wp()) into the WordPress this process has loaded, the way the
 * WordPress Importer plugin does it.
 *
 * Why our own: the plugin (wordpress-importer) is not installable on this
 * machine (not in Debian, not on npm; only those two registries are reachable).
 * This is our own code, not a copy of the plugin: it follows the plugin's steps
 * and calls the same core functions, so it costs WordPress the same work:
 *  - authors (wp:author) -> wp_insert_user() unless the login exists (no role
 *    in WXR: new users get the default role, as with the plugin);
 *  - categories, tags, other terms (menus) -> wp_insert_term() unless the slug
 *    exists, parents first, term meta;
 *  - items -> wp_insert_post() with import_id (post_exists() first, as the
 *    plugin does), post meta, term relationships (wp_set_post_terms), sticky,
 *    comments (wp_insert_comment(), parents mapped, comment meta);
 *  - attachments: the file fetched over HTTP from the source's URL with
 *    wp_safe_remote_get() into wp_upload_bits()'s place for the post's month,
 *    then wp_insert_attachment() + wp_generate_attachment_metadata() (sizes);
 *  - menu items -> wp_update_nav_menu_item() with their objects remapped,
 *    the ones whose object comes later retried at the end;
 *  - then, as the plugin: parents of posts and comments backfilled, attachment
 *    URLs in content replaced, featured images remapped; term and comment
 *    counting deferred and cache invalidation suspended during the import.
 * Not done (the plugin does not either): users without posts (export_wp()
 * leaves them out), roles, settings, links between posts (URLs keep the
 * source host).
 *
 * Input: FERRY_WXR_FILE (the WXR), FERRY_WXR_SOURCE_PORT (the source's port,
 * allowed for wp_safe_remote_get(): same host 127.0.0.1, other port).
 * Output: one JSON line of counts on stdout.
 */
if ( ! defined( 'ABSPATH' ) ) {
	fwrite( STDERR, "load WordPress first (the harness CLI prelude)\n" );
	exit( 2 );
}
require_once ABSPATH . 'wp-admin/includes/post.php';
require_once ABSPATH . 'wp-admin/includes/image.php';
require_once ABSPATH . 'wp-admin/includes/file.php';
require_once ABSPATH . 'wp-admin/includes/media.php';
require_once ABSPATH . 'wp-admin/includes/taxonomy.php';

final class Ferry_Wxr_Import {
	private $ns = array();
	private $authors = array();       // login -> new user id
	private $author_ids = array();    // old user id -> new user id
	private $terms = array();         // old term id -> new term id
	private $term_slugs = array();    // taxonomy|slug -> new term id
	private $posts = array();         // old post id -> new post id
	private $post_orphans = array();  // new post id -> old parent id
	private $featured = array();      // new post id -> old attachment id
	private $url_remap = array();     // source URL -> target URL
	private $menu_items = array();    // old menu item id -> new
	private $missing_menu_items = array();
	private $comment_orphans = array(); // new comment id -> old parent id
	private $comments = array();      // old comment id -> new comment id
	public $counts = array( 'users' => 0, 'terms' => 0, 'posts' => 0, 'attachments' => 0, 'comments' => 0, 'menuItems' => 0, 'skipped' => 0, 'failed' => 0 );
	public $failures = array();

	public function run( $file ) {
		$xml = simplexml_load_file( $file, 'SimpleXMLElement', LIBXML_PARSEHUGE );
		if ( ! $xml ) {
			throw new RuntimeException( "$file is not readable XML" );
		}
		$this->ns = $xml->getDocNamespaces();
		foreach ( array( 'wp' => 'http://wordpress.org/export/1.2/', 'content' => 'http://purl.org/rss/1.0/modules/content/', 'excerpt' => 'http://wordpress.org/export/1.2/excerpt/', 'dc' => 'http://purl.org/dc/elements/1.1/' ) as $prefix => $uri ) {
			if ( ! isset( $this->ns[ $prefix ] ) ) {
				$this->ns[ $prefix ] = $uri;
			}
		}
		$channel = $xml->channel;
		$wp      = $channel->children( $this->ns['wp'] );

		wp_defer_term_counting( true );
		wp_defer_comment_counting( true );
		wp_suspend_cache_invalidation( true );

		$this->authors( $wp->author );
		$this->categories( $wp->category );
		$this->tags( $wp->tag );
		$this->other_terms( $wp->term );
		foreach ( $channel->item as $item ) {
			$this->item( $item );
		}
		$this->retry_menu_items();

		wp_suspend_cache_invalidation( false );
		$this->backfill_parents();
		$this->backfill_attachment_urls();
		$this->remap_featured_images();
		wp_defer_term_counting( false );
		wp_defer_comment_counting( false );
	}

	private function authors( $authors ) {
		foreach ( $authors as $a ) {
			$login = (string) $a->author_login;
			$user  = get_user_by( 'login', $login );
			if ( $user ) {
				$id = $user->ID;
			} else {
				$id = wp_insert_user(
					array(
						'user_login'   => $login,
						'user_pass'    => wp_generate_password(),
						'user_email'   => (string) $a->author_email,
						'display_name' => (string) $a->author_display_name,
						'first_name'   => (string) $a->author_first_name,
						'last_name'    => (string) $a->author_last_name,
					)
				);
				if ( is_wp_error( $id ) ) {
					$this->fail( "user $login", $id );
					continue;
				}
				$this->counts['users']++;
			}
			$this->authors[ $login ]                     = (int) $id;
			$this->author_ids[ (int) $a->author_id ] = (int) $id;
		}
	}

	private function categories( $categories ) {
		foreach ( $categories as $c ) {
			$this->term( 'category', (int) $c->term_id, (string) $c->category_nicename, (string) $c->cat_name, (string) $c->category_description, (string) $c->category_parent, $c->termmeta );
		}
	}

	private function tags( $tags ) {
		foreach ( $tags as $t ) {
			$this->term( 'post_tag', (int) $t->term_id, (string) $t->tag_slug, (string) $t->tag_name, (string) $t->tag_description, '', $t->termmeta );
		}
	}

	private function other_terms( $terms ) {
		foreach ( $terms as $t ) {
			$this->term( (string) $t->term_taxonomy, (int) $t->term_id, (string) $t->term_slug, (string) $t->term_name, (string) $t->term_description, (string) $t->term_parent, $t->termmeta );
		}
	}

	private function term( $taxonomy, $old_id, $slug, $name, $description, $parent_slug, $meta ) {
		if ( ! taxonomy_exists( $taxonomy ) ) {
			$this->counts['skipped']++;
			return;
		}
		$existing = term_exists( $slug, $taxonomy );
		if ( $existing ) {
			$id = (int) ( is_array( $existing ) ? $existing['term_id'] : $existing );
		} else {
			$parent = 0;
			if ( '' !== $parent_slug ) {
				$parent = $this->term_slugs[ "$taxonomy|$parent_slug" ] ?? 0;
			}
			$made = wp_insert_term( $name, $taxonomy, array( 'slug' => $slug, 'description' => $description, 'parent' => $parent ) );
			if ( is_wp_error( $made ) ) {
				$this->fail( "$taxonomy $slug", $made );
				return;
			}
			$id = (int) $made['term_id'];
			$this->counts['terms']++;
			foreach ( $meta as $m ) {
				add_term_meta( $id, (string) $m->meta_key, maybe_unserialize( (string) $m->meta_value ) );
			}
		}
		$this->terms[ $old_id ]                  = $id;
		$this->term_slugs[ "$taxonomy|$slug" ] = $id;
	}

	private function item( $item ) {
		$wp      = $item->children( $this->ns['wp'] );
		$old_id  = (int) $wp->post_id;
		$type    = (string) $wp->post_type;
		$status  = (string) $wp->status;
		if ( 'auto-draft' === $status || ! post_type_exists( $type ) ) {
			$this->counts['skipped']++;
			return;
		}
		if ( isset( $this->posts[ $old_id ] ) ) {
			return;
		}
		if ( 'nav_menu_item' === $type ) {
			$this->menu_item( $item );
			return;
		}
		$title = (string) $item->title;
		$date  = (string) $wp->post_date;
		$found = post_exists( $title, '', $date, $type );
		if ( $found && get_post_type( $found ) === $type ) {
			$this->posts[ $old_id ] = (int) $found;
			$this->counts['skipped']++;
			return;
		}
		$login  = (string) $item->children( $this->ns['dc'] )->creator;
		$parent = (int) $wp->post_parent;
		$data   = array(
			'import_id'      => $old_id,
			'post_author'    => $this->authors[ $login ] ?? get_current_user_id(),
			'post_date'      => $date,
			'post_date_gmt'  => (string) $wp->post_date_gmt,
			'post_content'   => (string) $item->children( $this->ns['content'] )->encoded,
			'post_excerpt'   => (string) $item->children( $this->ns['excerpt'] )->encoded,
			'post_title'     => $title,
			'post_status'    => $status,
			'post_name'      => (string) $wp->post_name,
			'comment_status' => (string) $wp->comment_status,
			'ping_status'    => (string) $wp->ping_status,
			'guid'           => (string) $item->guid,
			'post_parent'    => 0,
			'menu_order'     => (int) $wp->menu_order,
			'post_type'      => $type,
			'post_password'  => (string) $wp->post_password,
		);
		if ( $parent ) {
			if ( isset( $this->posts[ $parent ] ) ) {
				$data['post_parent'] = $this->posts[ $parent ];
			}
		}
		if ( 'attachment' === $type ) {
			$id = $this->attachment( $data, (string) $wp->attachment_url );
		} else {
			$id = wp_insert_post( wp_slash( $data ), true );
			if ( ! is_wp_error( $id ) ) {
				$this->counts['posts']++;
			}
		}
		if ( is_wp_error( $id ) ) {
			$this->fail( "$type $old_id", $id );
			return;
		}
		$this->posts[ $old_id ] = $id;
		if ( $parent && ! $data['post_parent'] ) {
			$this->post_orphans[ $id ] = $parent;
		}
		if ( '1' === (string) $wp->is_sticky ) {
			stick_post( $id );
		}
		$this->post_terms( $item, $id );
		foreach ( $wp->postmeta as $m ) {
			$key = (string) $m->meta_key;
			if ( '_edit_lock' === $key || ( 'attachment' === $type && ( '_wp_attached_file' === $key || '_wp_attachment_metadata' === $key ) ) ) {
				continue;
			}
			$value = maybe_unserialize( (string) $m->meta_value );
			if ( '_thumbnail_id' === $key ) {
				$this->featured[ $id ] = (int) $value;
			}
			add_post_meta( $id, wp_slash( $key ), wp_slash_strings_only( $value ) );
		}
		$this->comments( $wp->comment, $id );
	}

	private function post_terms( $item, $id ) {
		$by_taxonomy = array();
		foreach ( $item->category as $c ) {
			$taxonomy = (string) $c['domain'];
			$slug     = (string) $c['nicename'];
			if ( '' === $taxonomy || ! taxonomy_exists( $taxonomy ) ) {
				continue;
			}
			$term = $this->term_slugs[ "$taxonomy|$slug" ] ?? null;
			if ( null === $term ) {
				$made = wp_insert_term( (string) $c, $taxonomy, array( 'slug' => $slug ) );
				if ( is_wp_error( $made ) ) {
					$this->fail( "$taxonomy $slug", $made );
					continue;
				}
				$term                                  = (int) $made['term_id'];
				$this->term_slugs[ "$taxonomy|$slug" ] = $term;
				$this->counts['terms']++;
			}
			$by_taxonomy[ $taxonomy ][] = $term;
		}
		foreach ( $by_taxonomy as $taxonomy => $ids ) {
			$set = wp_set_post_terms( $id, $ids, $taxonomy );
			if ( is_wp_error( $set ) ) {
				$this->fail( "terms of post $id", $set );
			}
		}
	}

	private function comments( $comments, $post_id ) {
		$ordered = array();
		foreach ( $comments as $c ) {
			$ordered[ (int) $c->comment_id ] = $c;
		}
		ksort( $ordered );
		foreach ( $ordered as $old_id => $c ) {
			$parent  = (int) $c->comment_parent;
			$user_id = (int) $c->comment_user_id;
			$data    = array(
				'comment_post_ID'      => $post_id,
				'comment_author'       => (string) $c->comment_author,
				'comment_author_email' => (string) $c->comment_author_email,
				'comment_author_IP'    => (string) $c->comment_author_IP,
				'comment_author_url'   => (string) $c->comment_author_url,
				'comment_date'         => (string) $c->comment_date,
				'comment_date_gmt'     => (string) $c->comment_date_gmt,
				'comment_content'      => (string) $c->comment_content,
				'comment_approved'     => (string) $c->comment_approved,
				'comment_type'         => (string) $c->comment_type,
				'comment_parent'       => $parent ? ( $this->comments[ $parent ] ?? 0 ) : 0,
				'user_id'              => $user_id ? ( $this->author_ids[ $user_id ] ?? 0 ) : 0,
			);
			$id = wp_insert_comment( wp_slash( $data ) );
			if ( ! $id ) {
				$this->fail( "comment $old_id", new WP_Error( 'comment', 'wp_insert_comment returned false' ) );
				continue;
			}
			$this->counts['comments']++;
			$this->comments[ $old_id ] = $id;
			if ( $parent && ! $data['comment_parent'] ) {
				$this->comment_orphans[ $id ] = $parent;
			}
			foreach ( $c->commentmeta as $m ) {
				add_comment_meta( $id, wp_slash( (string) $m->meta_key ), wp_slash_strings_only( maybe_unserialize( (string) $m->meta_value ) ) );
			}
		}
	}

	/** The file over HTTP from the source into this month's upload folder of the post's date, then the attachment and its sizes. */
	private function attachment( $data, $url ) {
		if ( '' === $url ) {
			return new WP_Error( 'attachment', 'no attachment_url in the WXR' );
		}
		$name   = basename( wp_parse_url( $url, PHP_URL_PATH ) );
		$upload = wp_upload_bits( $name, null, '', substr( $data['post_date'], 0, 7 ) === '0000-00' ? null : str_replace( '-', '/', substr( $data['post_date'], 0, 7 ) ) );
		if ( $upload['error'] ) {
			return new WP_Error( 'upload_dir', $upload['error'] );
		}
		$response = wp_safe_remote_get( $url, array( 'timeout' => 300, 'stream' => true, 'filename' => $upload['file'] ) );
		$code     = is_wp_error( $response ) ? 0 : (int) wp_remote_retrieve_response_code( $response );
		if ( 200 !== $code || ! filesize( $upload['file'] ) ) {
			@unlink( $upload['file'] );
			return is_wp_error( $response ) ? $response : new WP_Error( 'download', "$url: HTTP $code" );
		}
		$this->url_remap[ $url ] = $upload['url'];
		$type                   = wp_check_filetype( $upload['file'] );
		$data['post_mime_type'] = $type['type'];
		$data['guid']           = $upload['url'];
		$id                     = wp_insert_attachment( wp_slash( $data ), $upload['file'], 0, true );
		if ( is_wp_error( $id ) ) {
			return $id;
		}
		wp_update_attachment_metadata( $id, wp_generate_attachment_metadata( $id, $upload['file'] ) );
		// Sized versions (name-WxH.ext) are found by the URL without its extension, as the plugin does.
		$this->url_remap[ preg_replace( '/\.[^.\/]+$/', '', $url ) ] = preg_replace( '/\.[^.\/]+$/', '', $upload['url'] );
		$this->counts['attachments']++;
		return $id;
	}

	private function menu_item( $item ) {
		$wp   = $item->children( $this->ns['wp'] );
		$menu = null;
		foreach ( $item->category as $c ) {
			if ( 'nav_menu' === (string) $c['domain'] ) {
				$menu = $this->term_slugs[ 'nav_menu|' . (string) $c['nicename'] ] ?? null;
			}
		}
		if ( null === $menu ) {
			$this->counts['skipped']++;
			return;
		}
		$meta = array();
		foreach ( $wp->postmeta as $m ) {
			$meta[ (string) $m->meta_key ] = (string) $m->meta_value;
		}
		$kind      = $meta['_menu_item_type'] ?? 'custom';
		$object_id = (int) ( $meta['_menu_item_object_id'] ?? 0 );
		if ( 'taxonomy' === $kind ) {
			$object_id = $this->terms[ $object_id ] ?? null;
		} elseif ( 'post_type' === $kind ) {
			$object_id = $this->posts[ $object_id ] ?? null;
		}
		if ( null === $object_id ) {
			$this->missing_menu_items[] = $item;
			return;
		}
		$old_parent = (int) ( $meta['_menu_item_menu_item_parent'] ?? 0 );
		$old_id     = (int) $wp->post_id;
		$id         = wp_update_nav_menu_item(
			$menu,
			0,
			array(
				'menu-item-object-id'   => $object_id,
				'menu-item-object'      => $meta['_menu_item_object'] ?? '',
				'menu-item-parent-id'   => $this->menu_items[ $old_parent ] ?? 0,
				'menu-item-position'    => (int) $wp->menu_order,
				'menu-item-type'        => $kind,
				'menu-item-title'       => (string) $item->title,
				'menu-item-url'         => $meta['_menu_item_url'] ?? '',
				'menu-item-description' => (string) $item->children( $this->ns['content'] )->encoded,
				'menu-item-attr-title'  => (string) $item->children( $this->ns['excerpt'] )->encoded,
				'menu-item-target'      => $meta['_menu_item_target'] ?? '',
				'menu-item-classes'     => implode( ' ', (array) maybe_unserialize( $meta['_menu_item_classes'] ?? '' ) ),
				'menu-item-xfn'         => $meta['_menu_item_xfn'] ?? '',
				'menu-item-status'      => (string) $wp->status,
			)
		);
		if ( is_wp_error( $id ) ) {
			$this->fail( "menu item $old_id", $id );
			return;
		}
		$this->menu_items[ $old_id ] = $id;
		$this->posts[ $old_id ]      = $id;
		$this->counts['menuItems']++;
	}

	private function retry_menu_items() {
		$missing                  = $this->missing_menu_items;
		$this->missing_menu_items = array();
		foreach ( $missing as $item ) {
			$this->menu_item( $item );
		}
		// What still points at nothing (a dangling item in the source) is left out, as the plugin does.
		$this->counts['skipped'] += count( $this->missing_menu_items );
	}

	private function backfill_parents() {
		global $wpdb;
		foreach ( $this->post_orphans as $id => $old_parent ) {
			if ( isset( $this->posts[ $old_parent ] ) ) {
				$wpdb->update( $wpdb->posts, array( 'post_parent' => $this->posts[ $old_parent ] ), array( 'ID' => $id ), '%d', '%d' );
				clean_post_cache( $id );
			}
		}
		foreach ( $this->comment_orphans as $id => $old_parent ) {
			if ( isset( $this->comments[ $old_parent ] ) ) {
				$wpdb->update( $wpdb->comments, array( 'comment_parent' => $this->comments[ $old_parent ] ), array( 'comment_ID' => $id ), '%d', '%d' );
			}
		}
	}

	private function backfill_attachment_urls() {
		global $wpdb;
		// Longest first, so a full URL is replaced before its extension-less prefix.
		uksort( $this->url_remap, static fn ( $a, $b ) => strlen( $b ) - strlen( $a ) );
		foreach ( $this->url_remap as $from => $to ) {
			$wpdb->query( $wpdb->prepare( "UPDATE {$wpdb->posts} SET post_content = REPLACE(post_content, %s, %s)", $from, $to ) );
			$wpdb->query( $wpdb->prepare( "UPDATE {$wpdb->postmeta} SET meta_value = REPLACE(meta_value, %s, %s) WHERE meta_key = 'enclosure'", $from, $to ) );
		}
	}

	private function remap_featured_images() {
		foreach ( $this->featured as $post_id => $old ) {
			if ( isset( $this->posts[ $old ] ) && $this->posts[ $old ] !== $old ) {
				update_post_meta( $post_id, '_thumbnail_id', $this->posts[ $old ] );
			}
		}
	}

	private function fail( $what, $error ) {
		$this->counts['failed']++;
		if ( count( $this->failures ) < 10 ) {
			$this->failures[] = "$what: " . $error->get_error_message();
		}
	}
}

$ferry_wxr_file = getenv( 'FERRY_WXR_FILE' );
if ( ! $ferry_wxr_file || ! is_readable( $ferry_wxr_file ) ) {
	fwrite( STDERR, "FERRY_WXR_FILE must name a readable WXR file\n" );
	exit( 2 );
}
$ferry_source_port = (int) getenv( 'FERRY_WXR_SOURCE_PORT' );
if ( $ferry_source_port ) {
	// The source is this machine's 127.0.0.1 on another port: let wp_safe_remote_get() fetch from it.
	add_filter( 'http_allowed_safe_ports', static fn ( $ports ) => array_merge( $ports, array( $ferry_source_port ) ) );
}
// The plugin runs as the logged-in administrator (so content is not filtered by kses).
$ferry_admins = get_users( array( 'role' => 'administrator', 'number' => 1, 'fields' => 'ID' ) );
wp_set_current_user( (int) ( $ferry_admins[0] ?? 1 ) );

$ferry_import = new Ferry_Wxr_Import();
$ferry_import->run( $ferry_wxr_file );
echo wp_json_encode( array( 'counts' => $ferry_import->counts, 'failures' => $ferry_import->failures ) ), "\n";
