<?php
/**
 * The export half of the `wordpress-native` bench case: WordPress's own
 * export_wp() (what Tools > Export runs), everything ('content' => 'all'),
 * written to the file named by FERRY_WXR_FILE instead of a download.
 *
 * Run with the site's WordPress already loaded (bench/wordpress-native.ts
 * writes a wrapper that requires the harness's CLI prelude, then this file).
 */
if ( ! defined( 'ABSPATH' ) ) {
	fwrite( STDERR, "load WordPress first (the harness CLI prelude)\n" );
	exit( 2 );
}
$ferry_wxr_file = getenv( 'FERRY_WXR_FILE' );
if ( ! $ferry_wxr_file ) {
	fwrite( STDERR, "FERRY_WXR_FILE must name the file to write\n" );
	exit( 2 );
}
require_once ABSPATH . 'wp-admin/includes/export.php';

$ferry_wxr_out = fopen( $ferry_wxr_file, 'wb' );
if ( ! $ferry_wxr_out ) {
	fwrite( STDERR, "cannot write $ferry_wxr_file\n" );
	exit( 1 );
}
// export_wp() echoes the XML (and sends download headers, which CLI ignores): stream it to the file.
ob_start(
	static function ( $chunk ) use ( $ferry_wxr_out ) {
		fwrite( $ferry_wxr_out, $chunk );
		return '';
	},
	1 << 20
);
export_wp( array( 'content' => 'all' ) );
ob_end_flush();
fclose( $ferry_wxr_out );
echo wp_json_encode( array( 'file' => $ferry_wxr_file, 'bytes' => filesize( $ferry_wxr_file ) ) ), "\n";
