import { startMariaDb, socketPathFor, type MariaDbServer } from './mariadb.js';
import { PortInUseError } from './php-server.js';
import { findFreePort } from './ports.js';

export interface SiteDatabaseFolders {
  /** The site folder; the socket goes there when its path is short enough. */
  dir: string;
  dataDir: string;
  logFile: string;
  tmpDir: string;
}

/** Starts the site's private mariadbd on a free loopback port. */
export async function startDatabase(folders: SiteDatabaseFolders): Promise<MariaDbServer> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startMariaDb({
        dataDir: folders.dataDir,
        socket: socketPathFor(folders.dir),
        port: await findFreePort(),
        logFile: folders.logFile,
        tmpDir: folders.tmpDir,
      });
    } catch (error) {
      // Another process took the free port between probe and bind: pick again.
      if (!(error instanceof PortInUseError) || attempt >= 4) throw error;
    }
  }
}

export interface DatabaseAccount {
  name: string;
  user: string;
  /** Letters and digits only (it is written into SQL as is). */
  password: string;
}

/** An empty database and the account WordPress uses, over the socket and over TCP. */
export async function createDatabase(db: MariaDbServer, account: DatabaseAccount): Promise<void> {
  const { name, user, password } = account;
  if (![name, user, password].every((value) => /^[A-Za-z0-9_]+$/.test(value))) {
    throw new Error('database name, user and password must be letters, digits and _');
  }
  const grants = ['localhost', '127.0.0.1'].map(
    (host) => `CREATE USER IF NOT EXISTS '${user}'@'${host}' IDENTIFIED BY '${password}';
ALTER USER '${user}'@'${host}' IDENTIFIED BY '${password}';
GRANT ALL PRIVILEGES ON \`${name}\`.* TO '${user}'@'${host}';`,
  );
  // A previous install that died half-way left tables behind: start clean.
  await db.sql(`DROP DATABASE IF EXISTS \`${name}\`;
CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
${grants.join('\n')}
FLUSH PRIVILEGES;`);
}

const sqlString = (value: string): string => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export interface Relocation {
  database: string;
  from: string;
  to: string;
}

/**
 * Content written for one URL names it in links, image sources, GUIDs and
 * custom menu links. A site reopened on another port (or a copied folder) gets
 * them rewritten, in columns that hold plain text only (rewriting serialized
 * PHP values with a URL of another length would break them).
 */
export async function relocate(db: MariaDbServer, relocation: Relocation): Promise<void> {
  const from = sqlString(relocation.from);
  const to = sqlString(relocation.to);
  const replace = (column: string): string => `${column} = REPLACE(${column}, ${from}, ${to})`;
  await db.sql(`USE \`${relocation.database}\`;
UPDATE wp_posts SET ${['post_content', 'post_excerpt', 'guid'].map(replace).join(', ')};
UPDATE wp_postmeta SET ${replace('meta_value')} WHERE meta_key = '_menu_item_url';
UPDATE wp_comments SET ${['comment_content', 'comment_author_url'].map(replace).join(', ')};
UPDATE wp_options SET option_value = ${to} WHERE option_name IN ('home', 'siteurl');`);
}
