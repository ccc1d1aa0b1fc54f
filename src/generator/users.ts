import type { GeneratedUser } from './content-types.js';
import type { Random } from './prng.js';
import { USER_NAMES } from './vocabulary.js';

/**
 * Groups given to the first users, in order. 'reviewer' is the custom group the
 * test harness defines on every wiki (HARNESS_CUSTOM_GROUP).
 */
const GROUP_PLAN: readonly (readonly string[])[] = [
  ['sysop', 'bureaucrat'],
  ['sysop'],
  ['bot'],
  ['sysop', 'interface-admin'],
  ['reviewer'],
  ['reviewer', 'bot'],
];

export const CUSTOM_GROUP = 'reviewer';

export function generateUsers(random: Random, count: number): GeneratedUser[] {
  const names = random.shuffle(USER_NAMES);
  const users: GeneratedUser[] = [];
  for (let i = 0; i < count; i++) {
    const name = names[i] ?? `Generated user ${i + 1}`;
    users.push({ name, groups: [...(GROUP_PLAN[i] ?? [])] });
  }
  return users;
}
