/**
 * A maintenance script that creates many users and sets their groups in one
 * PHP process: createAndPromote.php costs a full MediaWiki start per user and
 * only knows four groups.
 *
 * Input: a JSON file, [{ "name": "Alice", "groups": ["sysop"] }, ...].
 * Existing users are kept; their listed groups are added.
 */
export const CREATE_USERS_PHP = `<?php
require_once '/usr/share/mediawiki/maintenance/Maintenance.php';

use MediaWiki\\MediaWikiServices;

class FerryCreateUsers extends Maintenance {
	public function __construct() {
		parent::__construct();
		$this->addDescription( 'Create users and add them to groups (Ferry generator)' );
		$this->addArg( 'file', 'JSON list of { name, groups }' );
	}

	public function execute() {
		$services = MediaWikiServices::getInstance();
		$groupManager = $services->getUserGroupManager();
		$known = $groupManager->listAllGroups();
		$entries = json_decode( file_get_contents( $this->getArg( 0 ) ), true, 16, JSON_THROW_ON_ERROR );
		$created = 0;
		foreach ( $entries as $entry ) {
			$unknown = array_diff( $entry['groups'], $known );
			if ( $unknown ) {
				$this->fatalError( "Unknown groups for {$entry['name']}: " . implode( ', ', $unknown ) );
			}
			$user = User::newFromName( $entry['name'] );
			if ( !$user ) {
				$this->fatalError( "Invalid user name: {$entry['name']}" );
			}
			if ( $user->getId() === 0 ) {
				$user = User::createNew( $entry['name'] );
				if ( !$user ) {
					$this->fatalError( "Could not create user {$entry['name']}" );
				}
				$created++;
			}
			foreach ( $entry['groups'] as $group ) {
				$groupManager->addUserToGroup( $user, $group );
			}
		}
		$this->output( "created $created of " . count( $entries ) . " users\\n" );
	}
}

$maintClass = FerryCreateUsers::class;
require_once RUN_MAINTENANCE_IF_MAIN;
`;
