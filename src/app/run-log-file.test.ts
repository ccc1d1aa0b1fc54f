import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareDataFolder } from './data-folder.js';
import { RunLogFile, runLogName } from './run-log-file.js';

describe('run log files', () => {
  it('are created 0600 in a 0700 logs folder', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ferry-log-')), 'data');
    prepareDataFolder(dir);
    const log = new RunLogFile(runLogName(dir, new Date('2026-01-02T03:04:05Z')));
    log.write({ at: new Date(), level: 'info', message: 'hello' });
    await log.close();
    expect(log.path).toMatch(/Ferry_20260102_030405\.txt$/);
    expect(statSync(log.path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'logs')).mode & 0o777).toBe(0o700);
  });

  it('an existing folder holding other files keeps its mode, with a warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-home-'));
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    chmodSync(dir, 0o755);
    const warnings: string[] = [];
    prepareDataFolder(dir, (w) => warnings.push(w));
    expect(statSync(dir).mode & 0o777).toBe(0o755);
    expect(warnings).toEqual([expect.stringContaining('holds other files')]);
  });
});
