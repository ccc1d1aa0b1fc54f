import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from './errors.js';

/** Files of the data folder that hold secrets or migrated content; only their owner may read them. */
const PRIVATE_FILES = ['ferry.sqlite', 'ferry.sqlite-wal', 'ferry.sqlite-shm', 'ferry.sqlite-journal', 'secret.key', 'ferry-process.log'];

/**
 * Makes sure `dir` is a folder only its owner can enter (0700), with `logs/`
 * likewise, and tightens files an older Ferry left readable by others. What
 * cannot be tightened (a file owned by someone else) is reported through
 * `warn`, not ignored.
 */
export function prepareDataFolder(dir: string, warn: (message: string) => void = (m) => process.stderr.write(`warning: ${m}\n`)): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new UserError(`The data folder ${dir} is a file, not a folder`, { hint: 'give --data-dir (or FERRY_HOME) a folder path; Ferry creates the folder when it does not exist' });
  }
  const logs = join(dir, 'logs');
  try {
    mkdirSync(logs, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`Cannot create the data folder ${dir} (${code ?? 'error'})`, {
      hint: code === 'ENOTDIR' || code === 'EEXIST' ? 'a part of that path is a file: give --data-dir a folder path' : 'choose a folder you can write to with --data-dir or FERRY_HOME',
    });
  }
  const tighten = (path: string, mode: number) => {
    if (!existsSync(path)) return;
    if ((statSync(path).mode & 0o077) === 0) return;
    try {
      chmodSync(path, mode);
    } catch {
      warn(`${path} can be read by other users and Ferry cannot change that (mode ${(statSync(path).mode & 0o777).toString(8)}): run \`chmod ${mode.toString(8)} ${path}\``);
    }
  };
  // A folder that holds more than Ferry's files (a home folder given by mistake) is not ours to lock.
  const ours = readdirSync(dir).every((name) => name === 'logs' || PRIVATE_FILES.includes(name) || name.startsWith('secret.key.'));
  if (ours) tighten(dir, 0o700);
  else if ((statSync(dir).mode & 0o077) !== 0) warn(`the data folder ${dir} can be entered by other users and holds other files, so Ferry leaves its mode as it is: use a folder of its own`);
  tighten(logs, 0o700);
  for (const name of PRIVATE_FILES) tighten(join(dir, name), 0o600);
  for (const name of readdirSync(logs)) tighten(join(logs, name), 0o600);
}
