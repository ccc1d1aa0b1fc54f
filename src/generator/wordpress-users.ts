import type { Random } from './prng.js';
import { USER_NAMES } from './vocabulary.js';
import type { GeneratedWpUser, WpRole } from './wordpress-content-types.js';
import { dateBetween, slugify } from './wordpress-text.js';

/** The first five users have one role each; the rest spread as on a busy blog. */
const FIRST_ROLES: readonly WpRole[] = ['administrator', 'editor', 'author', 'contributor', 'subscriber'];
const LATER_ROLES: readonly WpRole[] = ['author', 'subscriber', 'contributor', 'editor', 'author', 'subscriber', 'contributor'];

const BIOS = [
  'Writes about harbours and the people who work there.',
  'Photographer. Café regular ☕.',
  'Rédactrice invitée — histoire locale.',
  'Liest gern Karten und alte Fahrpläne.',
  'כותבת על ערים ונמלים.',
  '',
] as const;

const ALPHANUMERIC = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function password(random: Random): string {
  return Array.from({ length: 16 }, () => random.pick([...ALPHANUMERIC])).join('');
}

/** `count` users over every role, with Unicode display names and ASCII logins. */
export function generateWpUsers(random: Random, count: number): GeneratedWpUser[] {
  const names = random.shuffle(USER_NAMES);
  const logins = new Set<string>(['admin']);
  const users: GeneratedWpUser[] = [];
  for (let i = 0; i < count; i++) {
    const displayName = names[i % names.length] ?? `Writer ${i + 1}`;
    const [firstName = displayName, ...rest] = displayName.split(' ');
    let login = slugify(displayName).replace(/-/g, '.') || `writer${i + 1}`;
    if (i >= names.length) login = `${login}${i + 1}`;
    while (logins.has(login)) login = `${login}${random.int(2, 9)}`;
    logins.add(login);
    users.push({
      key: `user-${i + 1}`,
      login,
      email: `${login}@example.org`,
      password: password(random),
      role: FIRST_ROLES[i] ?? LATER_ROLES[(i - FIRST_ROLES.length) % LATER_ROLES.length] ?? 'subscriber',
      displayName,
      firstName,
      lastName: rest.join(' '),
      description: random.pick(BIOS),
      url: random.chance(0.5) ? `https://example.org/~${login}` : '',
      registered: dateBetween(random, '2018-01-01T00:00:00Z', '2019-12-31T23:59:59Z'),
    });
  }
  return users;
}

/** Roles that may write posts (contributors only as drafts or pending). */
export const WRITING_ROLES: readonly WpRole[] = ['administrator', 'editor', 'author', 'contributor'];

/** Roles that may upload files. */
export const UPLOADING_ROLES: readonly WpRole[] = ['administrator', 'editor', 'author'];
