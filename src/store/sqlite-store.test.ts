import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from './sqlite-store.js';
import { Store } from './store.js';
import { storeSuite } from './store-suite.js';

storeSuite('SQLite', async () => new Store(await openSqlite(join(mkdtempSync(join(tmpdir(), 'ferry-suite-')), 'ferry.sqlite'))));
