/**
 * MediaWiki's own accounts: names in $wgReservedUsernames (1.39 defaults,
 * with the `msg:` entries as English and Wikimedia spell them) and the
 * system users of bundled extensions. They exist on every wiki that ran a
 * maintenance script, cannot be created through the API (`createaccount`
 * answers `invaliduser`), and MediaWiki's importer keeps them as they are
 * (ExternalUserNames::applyPrefix leaves names that are not usable alone).
 * The API does not expose $wgReservedUsernames, hence the list.
 */
const RESERVED: readonly string[] = [
  'MediaWiki default',
  'Conversion script',
  'Maintenance script',
  'Template namespace initialisation script',
  'ScriptImporter',
  'Delete page script',
  'Move page script',
  'Command line script',
  'Unknown user',
  // msg:double-redirect-fixer, msg:usermessage-editor, msg:proxyblocker, msg:sorbs,
  // msg:spambot_username, msg:autochange-username
  'Redirect fixer',
  'System messenger',
  'MediaWiki message delivery',
  'Proxy blocker',
  'DNSBL',
  'MediaWiki spam cleanup',
  'MediaWiki automatic change',
  // Extensions shipped with Debian's mediawiki package.
  'Abuse filter',
];

const RESERVED_SET: ReadonlySet<string> = new Set(RESERVED);

/** True for MediaWiki's own system accounts, which Ferry never creates and never maps. */
export function isReservedUserName(name: string): boolean {
  return RESERVED_SET.has(name.replace(/_/g, ' '));
}

/** Names imported from another wiki ("en>Alice"): not accounts anywhere, kept as they are. */
export function isImportedUserName(name: string): boolean {
  return name.includes('>');
}
