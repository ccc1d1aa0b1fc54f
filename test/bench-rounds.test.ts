import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alternate, freshState, medianRound } from '../bench/system-rounds.js';

describe('the system bench rounds', () => {
  it('alternate the two sides, putting each target back before its next round only', async () => {
    const calls: string[] = [];
    let n = 0;
    const rounds = await alternate(3, {
      ferry: async () => (calls.push('ferry'), { seconds: ++n }),
      native: async () => (calls.push('native'), { seconds: ++n }),
      resetFerry: async (last) => void calls.push(`undo ${last.seconds}`),
      resetNative: async () => void calls.push('restore'),
    });
    expect(calls).toEqual(['ferry', 'native', 'undo 1', 'ferry', 'restore', 'native', 'undo 3', 'ferry', 'restore', 'native']);
    expect(rounds.ferry.map((r) => r.seconds)).toEqual([1, 3, 5]);
    expect(rounds.native.map((r) => r.seconds)).toEqual([2, 4, 6]);
  });

  it('stop after a round where either side failed, and report that round', async () => {
    let round = 0;
    const rounds = await alternate(3, {
      ferry: async () => ({ seconds: 2 }),
      native: async () => (++round === 2 ? { seconds: 0.1, problem: 'the target does not serve the source' } : { seconds: 1 }),
      resetFerry: async () => undefined,
      resetNative: async () => undefined,
    });
    expect(rounds.native).toHaveLength(2);
    expect(medianRound(rounds.native).problem).toBe('the target does not serve the source');
  });

  it('take the median round of each side (of an even count, the slower middle one)', () => {
    expect(medianRound([{ seconds: 3 }, { seconds: 1 }, { seconds: 2 }]).seconds).toBe(2);
    expect(medianRound([{ seconds: 4 }, { seconds: 1 }, { seconds: 3 }, { seconds: 2 }]).seconds).toBe(3);
    expect(medianRound([{ seconds: 9 }]).seconds).toBe(9);
  });

  it('put a native target back: what the copy added goes, what was there stays, the config is restored', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-rounds-'));
    const uploads = join(dir, 'images');
    mkdirSync(join(uploads, 'kept'), { recursive: true });
    writeFileSync(join(uploads, 'kept', 'logo.png'), 'fresh');
    writeFileSync(join(dir, 'LocalSettings.php'), '<?php // fresh\n');
    const fresh = freshState(uploads, [join(dir, 'LocalSettings.php')]);
    // What a native copy does: new folders and files, an existing file overwritten, the config appended to.
    mkdirSync(join(uploads, 'a', 'ab'), { recursive: true });
    writeFileSync(join(uploads, 'a', 'ab', 'photo.jpg'), 'copied');
    writeFileSync(join(uploads, 'kept', 'new.txt'), 'copied');
    writeFileSync(join(uploads, 'kept', 'logo.png'), 'overwritten');
    writeFileSync(join(dir, 'LocalSettings.php'), "<?php // fresh\nrequire_once 'NativeSettings.php';\n");
    fresh.restore();
    expect(existsSync(join(uploads, 'a'))).toBe(false);
    expect(existsSync(join(uploads, 'kept', 'new.txt'))).toBe(false);
    expect(readFileSync(join(uploads, 'kept', 'logo.png'), 'utf8')).toBe('overwritten');
    expect(readFileSync(join(dir, 'LocalSettings.php'), 'utf8')).toBe('<?php // fresh\n');
  });
});
