/**
 * The URL rewrite of a copied WordPress database, as PHP text run on the
 * target host (system migration, issue 9). WordPress keeps many values as
 * PHP-serialized strings (options, widget settings, post meta): a plain SQL
 * REPLACE of a URL with one of another length breaks their `s:N:"..."`
 * lengths and WordPress then silently drops the whole value. So, as WP-CLI's
 * `search-replace` does: unserialize, replace in every string recursively,
 * serialize again (which writes the right lengths).
 *
 * Choices, and why:
 * - Besides the URL itself, its JSON-escaped form (`http:\/\/host`) is
 *   replaced: block attributes in post content and JSON kept in meta hold it.
 * - A URL is replaced only where it ends (not followed by a letter, digit, `_`,
 *   `-`, `:` or `.`+letter), so `http://host:80` never eats `http://host:8080`.
 * - Only stdClass objects are rebuilt: unserializing any other class would run
 *   its code (__wakeup, __destruct) inside WordPress. Other objects stay as
 *   they are and are reported, so is a value that looks serialized but does
 *   not unserialize (already broken): it is left alone, never half-fixed.
 */

/** Option that marks a committed rewrite (removed by the next operation, update-config). */
export const REWRITE_MARKER = 'ferry_system_url_rewrite';

/** The library: no WordPress needed (the unit tests run it on its own). */
export const SEARCH_REPLACE_LIBRARY = String.raw`
// Declared once: a PHP process that stays up between requests (php.ts) may run the rewrite twice.
if ( ! class_exists( 'Ferry_Search_Replace', false ) ) {
final class Ferry_Search_Replace {
	/** @var array<int, array{0: string, 1: string, 2: string}> [regex, replacement, plain needle] */
	private $rules = [];
	/** @var int */
	public $replacements = 0;
	/** @var string[] where a serialized value did not unserialize */
	public $broken = [];
	/** @var string[] where an object of a class other than stdClass was left alone */
	public $skipped = [];

	/** @param array<int, array{0: string, 1: string}> $pairs [from, to] URLs */
	public function __construct( array $pairs ) {
		foreach ( $pairs as $pair ) {
			list( $from, $to ) = $pair;
			if ( $from === '' || $from === $to ) {
				continue;
			}
			foreach ( [ [ $from, $to ], [ str_replace( '/', '\\/', $from ), str_replace( '/', '\\/', $to ) ] ] as $form ) {
				$regex = '~' . preg_quote( $form[0], '~' ) . '(?![A-Za-z0-9_:\-]|\.[A-Za-z0-9])~';
				$this->rules[] = [ $regex, $form[1], $form[0] ];
			}
		}
	}

	/** Whether a text holds any of the URLs (cheap test before any work). */
	public function mentions( $text ) {
		if ( ! is_string( $text ) ) {
			return false;
		}
		foreach ( $this->rules as $rule ) {
			if ( strpos( $text, $rule[2] ) !== false ) {
				return true;
			}
		}
		return false;
	}

	public static function looks_serialized( $text ) {
		if ( ! is_string( $text ) ) {
			return false;
		}
		$text = trim( $text );
		if ( $text === 'N;' ) {
			return true;
		}
		if ( strlen( $text ) < 4 || $text[1] !== ':' ) {
			return false;
		}
		$last = substr( $text, -1 );
		if ( $last !== ';' && $last !== '}' ) {
			return false;
		}
		switch ( $text[0] ) {
			case 's':
				return (bool) preg_match( '/^s:[0-9]+:".*";$/s', $text );
			case 'a':
			case 'O':
			case 'C':
				return (bool) preg_match( '/^' . $text[0] . ':[0-9]+:/s', $text );
			case 'b':
			case 'i':
			case 'd':
				return (bool) preg_match( '/^' . $text[0] . ':[0-9.E+-]+;$/', $text );
		}
		return false;
	}

	private function replace_text( $text ) {
		foreach ( $this->rules as $rule ) {
			$count = 0;
			$text = preg_replace( $rule[0], $this->escape_replacement( $rule[1] ), $text, -1, $count );
			$this->replacements += $count;
		}
		return $text;
	}

	private function escape_replacement( $text ) {
		return str_replace( [ '\\', '$' ], [ '\\\\', '\\$' ], $text );
	}

	/** Unserializes without running any class's code; false when the text is broken. */
	private static function parse( $text, &$ok ) {
		if ( trim( $text ) === 'b:0;' ) {
			$ok = true;
			return false;
		}
		$value = @unserialize( $text, [ 'allowed_classes' => [ 'stdClass' ] ] );
		$ok = $value !== false;
		return $value;
	}

	/** One database value (or any string): the new value, or the same one when nothing changes or it cannot be rewritten. */
	public function value( $value, $where = '' ) {
		if ( ! $this->mentions( $value ) ) {
			return $value;
		}
		return $this->walk( $value, $where );
	}

	private function walk( $data, $where ) {
		if ( is_string( $data ) ) {
			if ( ! $this->mentions( $data ) ) {
				return $data;
			}
			if ( self::looks_serialized( $data ) ) {
				$ok = false;
				$inner = self::parse( $data, $ok );
				if ( ! $ok ) {
					$this->broken[] = $where;
					return $data;
				}
				return serialize( $this->walk( $inner, $where ) );
			}
			return $this->replace_text( $data );
		}
		if ( is_array( $data ) ) {
			foreach ( $data as $key => $item ) {
				$data[ $key ] = $this->walk( $item, $where );
			}
			return $data;
		}
		if ( $data instanceof \stdClass ) {
			foreach ( get_object_vars( $data ) as $key => $item ) {
				$data->$key = $this->walk( $item, $where );
			}
			return $data;
		}
		if ( is_object( $data ) ) {
			$this->skipped[] = $where;
		}
		return $data;
	}
}
}
`;

/**
 * The database pass, run with WordPress loaded on the target: every table
 * with the site's prefix, every text column of every row that mentions a URL,
 * updated by primary key. Prints one JSON report line.
 */
export function searchReplaceDatabasePhp(pairs: ReadonlyArray<readonly [string, string]>): string {
  return `${SEARCH_REPLACE_LIBRARY}
$ferry_pairs = json_decode( ${phpLiteral(JSON.stringify(pairs))}, true );
$ferry_sr = new Ferry_Search_Replace( $ferry_pairs );
global $wpdb;
$ferry_report = [ 'tables' => [], 'rows' => 0, 'replacements' => 0, 'broken' => [], 'skipped' => [], 'noKey' => [], 'failed' => [] ];
// One transaction, with a marker row: a run killed half-way leaves nothing changed, and a run that
// committed is not applied twice (a new URL that extends the old one would otherwise grow again).
$ferry_marker = ${phpLiteral(REWRITE_MARKER)};
$ferry_signature = json_encode( $ferry_pairs );
$wpdb->query( 'START TRANSACTION' );
if ( $wpdb->get_var( $wpdb->prepare( "SELECT option_value FROM {$wpdb->options} WHERE option_name = %s", $ferry_marker ) ) === $ferry_signature ) {
	$wpdb->query( 'ROLLBACK' );
	echo "\n@@FERRY-JSON@@" . json_encode( [ 'tables' => (object) [], 'rows' => 0, 'replacements' => 0, 'broken' => [], 'skipped' => [], 'noKey' => [], 'failed' => [], 'already' => true ] ) . "\n";
	exit( 0 );
}
$ferry_tables = $wpdb->get_col( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $wpdb->prefix ) . '%' ) );
foreach ( $ferry_tables as $ferry_table ) {
	$ferry_keys = [];
	$ferry_text = [];
	foreach ( $wpdb->get_results( "DESCRIBE \`$ferry_table\`", ARRAY_A ) as $ferry_column ) {
		if ( $ferry_column['Key'] === 'PRI' ) {
			$ferry_keys[] = $ferry_column['Field'];
		}
		if ( preg_match( '/^(var)?char|text$/i', preg_replace( '/\\(.*$/', '', $ferry_column['Type'] ) ) ) {
			$ferry_text[] = $ferry_column['Field'];
		}
	}
	if ( ! $ferry_text ) {
		continue;
	}
	$ferry_likes = [];
	$ferry_args = [];
	foreach ( $ferry_text as $ferry_name ) {
		foreach ( $ferry_pairs as $ferry_pair ) {
			foreach ( [ $ferry_pair[0], str_replace( '/', '\\\\/', $ferry_pair[0] ) ] as $ferry_needle ) {
				$ferry_likes[] = "\`$ferry_name\` LIKE %s";
				$ferry_args[] = '%' . $wpdb->esc_like( $ferry_needle ) . '%';
			}
		}
	}
	$ferry_where = implode( ' OR ', $ferry_likes );
	if ( ! $ferry_keys ) {
		$ferry_count = (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM \`$ferry_table\` WHERE $ferry_where", $ferry_args ) );
		if ( $ferry_count > 0 ) {
			$ferry_report['noKey'][] = $ferry_table;
		}
		continue;
	}
	$ferry_key_list = implode( ', ', array_map( function ( $k ) { return "\`$k\`"; }, $ferry_keys ) );
	$ferry_ids = $wpdb->get_results( $wpdb->prepare( "SELECT $ferry_key_list FROM \`$ferry_table\` WHERE $ferry_where", $ferry_args ), ARRAY_A );
	$ferry_changed = 0;
	foreach ( $ferry_ids as $ferry_id ) {
		$ferry_cond = implode( ' AND ', array_map( function ( $k ) { return "\`$k\` = %s"; }, $ferry_keys ) );
		$ferry_row = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM \`$ferry_table\` WHERE $ferry_cond", array_values( $ferry_id ) ), ARRAY_A );
		if ( ! $ferry_row ) {
			continue;
		}
		$ferry_update = [];
		foreach ( $ferry_text as $ferry_name ) {
			$ferry_old = $ferry_row[ $ferry_name ];
			if ( ! is_string( $ferry_old ) ) {
				continue;
			}
			$ferry_where_label = $ferry_table . '.' . $ferry_name . ' ' . json_encode( $ferry_id );
			$ferry_new = $ferry_sr->value( $ferry_old, $ferry_where_label );
			if ( $ferry_new !== $ferry_old ) {
				$ferry_update[ $ferry_name ] = $ferry_new;
			}
		}
		if ( $ferry_update ) {
			if ( $wpdb->update( $ferry_table, $ferry_update, $ferry_id ) === false ) {
				$ferry_report['failed'][] = $ferry_table . ' ' . json_encode( $ferry_id ) . ': ' . $wpdb->last_error;
			} else {
				$ferry_changed++;
			}
		}
	}
	$ferry_report['tables'][ $ferry_table ] = $ferry_changed;
	$ferry_report['rows'] += $ferry_changed;
}
if ( $ferry_report['failed'] ) {
	$wpdb->query( 'ROLLBACK' );
} else {
	$wpdb->query( $wpdb->prepare( "INSERT INTO {$wpdb->options} (option_name, option_value, autoload) VALUES (%s, %s, 'no') ON DUPLICATE KEY UPDATE option_value = VALUES(option_value)", $ferry_marker, $ferry_signature ) );
	$wpdb->query( 'COMMIT' );
}
$ferry_report['replacements'] = $ferry_sr->replacements;
$ferry_report['broken'] = $ferry_sr->broken;
$ferry_report['skipped'] = $ferry_sr->skipped;
wp_cache_flush();
echo "\\n@@FERRY-JSON@@" . json_encode( $ferry_report ) . "\\n";
`;
}

/** A PHP single-quoted string literal. */
export function phpLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
