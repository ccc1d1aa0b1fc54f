/**
 * Maintenance and read-only modes of one WordPress site, as a must-use plugin
 * in the site's own WP_CONTENT_DIR/mu-plugins.
 *
 * Why not WordPress's own switch (ABSPATH/.maintenance): Debian's package
 * shares one WordPress tree, /usr/share/wordpress, between every site of the
 * host, so a .maintenance file there would take all of them down, not just the
 * one being moved. A must-use plugin is per site (its content folder), loads
 * on every request before any theme or plugin, and needs no web server change.
 *
 * PHP on the command line is let through: Ferry's own PHP runs (discovery,
 * the final settings) and the site's cron or CLI tools still work; only web
 * visitors get the 503 (with Retry-After, so crawlers come back later).
 */
import type { Host } from '../host.js';
import { MAINTENANCE_PLUGIN } from './discover.js';

export type SiteMode = 'maintenance' | 'read-only';

export function maintenancePluginPhp(mode: SiteMode): string {
  const block = mode === 'maintenance'
    ? 'true'
    : "! in_array( strtoupper( $_SERVER['REQUEST_METHOD'] ?? 'GET' ), [ 'GET', 'HEAD', 'OPTIONS' ], true )";
  return `<?php
/**
 * Plugin Name: Ferry system migration: ${mode}
 * Description: Written by Ferry while this site is copied to another server; Ferry removes it (ferry undo too). Deleting this file takes the site out of ${mode}.
 * FERRY_MODE: ${mode}
 */
// A per-site switch: Debian shares ABSPATH (/usr/share/wordpress) between sites, so ABSPATH/.maintenance would stop them all.
if ( PHP_SAPI === 'cli' ) {
	return;
}
if ( ${block} ) {
	http_response_code( 503 );
	header( 'Retry-After: 600' );
	header( 'Content-Type: text/html; charset=utf-8' );
	header( 'Cache-Control: no-store' );
	echo '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Maintenance</title></head><body><h1>Briefly unavailable for scheduled maintenance.</h1><p>${mode === 'maintenance' ? 'Check back in a few minutes.' : 'This site is read-only while it moves to a new server: changes cannot be saved now.'}</p></body></html>';
	exit;
}
`;
}

export async function setSiteMode(host: Host, muPluginsDir: string, mode: SiteMode | 'online'): Promise<void> {
  const file = `${muPluginsDir}/${MAINTENANCE_PLUGIN}`;
  if (mode === 'online') {
    await host.remove(file);
    return;
  }
  await host.mkdir(muPluginsDir);
  await host.writeFile(file, maintenancePluginPhp(mode), 0o644);
}
