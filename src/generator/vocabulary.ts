/** Word lists the generator draws from; changing them changes every generated wiki. */

export const ADJECTIVES = [
  'Ancient', 'Blue', 'Quiet', 'Northern', 'Golden', 'Hidden', 'Silver', 'Rapid', 'Western', 'Bright',
  'Frozen', 'Green', 'Lost', 'Misty', 'Old', 'Red', 'Small', 'Southern', 'Tall', 'Wild',
  'Amber', 'Broken', 'Crimson', 'Distant', 'Eastern', 'Fallen', 'Gentle', 'High', 'Iron', 'Lonely',
  'Narrow', 'Open', 'Pale', 'Royal', 'Sacred', 'Silent', 'Stone', 'Sunken', 'Twin', 'White',
] as const;

export const NOUNS = [
  'river', 'mountain', 'harbor', 'forest', 'bridge', 'valley', 'castle', 'lake', 'tower', 'island',
  'garden', 'library', 'market', 'station', 'canyon', 'desert', 'glacier', 'meadow', 'village', 'lighthouse',
  'archive', 'cathedral', 'citadel', 'delta', 'estuary', 'fjord', 'grove', 'highway', 'lagoon', 'monastery',
  'observatory', 'orchard', 'plateau', 'quarry', 'reef', 'ridge', 'square', 'tunnel', 'vineyard', 'waterfall',
] as const;

export const TOPICS = [
  'history', 'geography', 'architecture', 'ecology', 'economy', 'culture', 'transport', 'climate',
  'geology', 'music', 'literature', 'sport', 'festival', 'cuisine', 'folklore', 'industry',
] as const;

export const SENTENCE_PARTS = {
  subjects: ['The area', 'This place', 'The old road', 'A local legend', 'The community', 'The first survey',
    'Visitors', 'The council', 'A later study', 'The northern side'],
  verbs: ['was first described', 'became known', 'was rebuilt', 'is often visited', 'was mapped',
    'grew quickly', 'changed hands', 'was restored', 'is documented', 'was renamed'],
  endings: ['in the early records.', 'after the great flood.', 'during the long winter.', 'by travelling merchants.',
    'according to the archives.', 'with help from volunteers.', 'in several older maps.', 'before the railway came.',
    'as the town expanded.', 'over many decades.'],
} as const;

export const SUMMARIES = [
  'Initial version', 'Expand history section', 'Fix typo', 'Add reference', 'Copyedit', 'Update infobox',
  'Add category', 'Reword introduction', 'Remove duplicated sentence', 'Add see also', 'Clarify dates',
  'Révision du texte', 'Kleine Korrektur', 'תיקון קטן', 'تحديث', '更新', 'Tidy up 🧹', '',
] as const;

/** Names for generated users: several scripts, spaces, accents, no characters MediaWiki refuses. */
export const USER_NAMES = [
  'Alice Example', 'Bob Builder', 'Chloé Martin', 'Dmitri Ivanov', 'Eve Adams', 'Fatima Zahra',
  'Gustav Öberg', 'Hiroshi Tanaka', 'Ingrid Solberg', 'José Núñez', 'Kwame Mensah', 'Liu Yang',
  'Марина Соколова', 'Noa Levi', 'Olusegun Ade', 'Priya Nair', 'Quentin Blake', 'Rosa Álvarez',
  'Søren Kierkegaard', 'Tamar כהן', 'Umar Farouk', 'Valentina Rossi', 'Wiremu Tane', 'Xu Ming',
  'Yasmin علي', 'Zoë Field',
] as const;

/** Titles in other scripts and with emoji (all valid, canonical MediaWiki titles). */
export const UNICODE_TITLES = [
  'שלום עולם', // Hebrew, right to left
  'ירושלים/היסטוריה', // Hebrew subpage
  'مرحبا بالعالم', // Arabic, right to left
  'القاهرة', // Arabic
  'Café au lait',
  'Москва',
  '東京タワー',
  'Rocket launch 🚀',
  'Smile 😀 and wave 👋',
  'Ελληνικά',
  'Ñandú',
  'Zürich (city)',
  // Characters real titles hold that need escaping in URLs, XML or wikitext.
  'AT&T history',
  'C++ (language)',
  'What is "quoted"?',
  "Rock 'n' roll",
  '100% cotton',
  'Ça va; ça ne va pas',
  'Dots... and more',
] as const;

/** Anonymous editors, from the documentation range 192.0.2.0/24. */
export const IP_EDITORS = ['192.0.2.17', '192.0.2.42', '192.0.2.101'] as const;

/**
 * MediaWiki's own accounts ($wgReservedUsernames) that real dumps are full of:
 * the installer's Main Page, maintenance scripts, the 1.2 -> 1.3 conversion.
 */
export const SYSTEM_AUTHORS = ['Maintenance script', 'MediaWiki default', 'Conversion script'] as const;

/** An anonymous IPv6 editor (documentation range 2001:db8::/32), as MediaWiki stores it. */
export const IPV6_EDITOR = '2001:DB8:0:0:0:0:0:7';

/** Interwiki prefix of authors imported from another wiki ("oldwiki>Name"). */
export const IMPORTED_PREFIX = 'oldwiki';
