import { HARNESS_CUSTOM_GROUP } from '../harness/mediawiki-settings.js';
import type { GeneratedUser } from './content-types.js';
import type { Random } from './prng.js';
import { USER_NAMES } from './vocabulary.js';

/** Groups given to the first users, in order; the custom group is one the test harness defines on every wiki. */
const GROUP_PLAN: readonly (readonly string[])[] = [
  ['sysop', 'bureaucrat'],
  ['sysop'],
  ['bot'],
  ['sysop', 'interface-admin'],
  [HARNESS_CUSTOM_GROUP],
  [HARNESS_CUSTOM_GROUP, 'bot'],
];

export function generateUsers(random: Random, count: number): GeneratedUser[] {
  const names = random.shuffle(USER_NAMES);
  const users: GeneratedUser[] = [];
  for (let i = 0; i < count; i++) {
    const name = names[i] ?? `Generated user ${i + 1}`;
    users.push({ name, groups: [...(GROUP_PLAN[i] ?? [])] });
  }
  return users;
}
