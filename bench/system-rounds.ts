/**
 * Rounds of a system case: Ferry and the native commands alternate (Ferry, native, Ferry, native...), each
 * side's target put back as it was before its next round, outside the measured time. A single sitting of
 * one round each swung on this shared two-core machine with the memory's state more than with the tools
 * (docs/performance.md: the same build read 0.84x and 0.71x twelve minutes apart); alternating puts both sides under the same passing load, and the median of
 * each side keeps one slow round from deciding the ratio. Every round's seconds are kept in the results.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What every round of either side reports. */
export interface Round {
  seconds: number;
  /** Why the round does not count (its copy failed or the target does not serve the source). */
  problem?: string;
}

export interface Rounds<F extends Round, N extends Round> {
  ferry: F[];
  native: N[];
}

/**
 * Runs `rounds` alternated rounds, Ferry first. `resetFerry` and `resetNative` run before each side's next round
 * (never after its last one). A failed round ends the alternation: the rounds so far are returned.
 */
export async function alternate<F extends Round, N extends Round>(
  rounds: number,
  sides: { ferry: () => Promise<F>; native: () => Promise<N>; resetFerry: (last: F) => Promise<void>; resetNative: () => Promise<void> },
): Promise<Rounds<F, N>> {
  const done: Rounds<F, N> = { ferry: [], native: [] };
  for (let round = 0; round < Math.max(1, rounds); round++) {
    if (round > 0) await sides.resetFerry(done.ferry[done.ferry.length - 1]!);
    const ferry = await sides.ferry();
    done.ferry.push(ferry);
    if (round > 0) await sides.resetNative();
    const native = await sides.native();
    done.native.push(native);
    if (ferry.problem || native.problem) break;
  }
  return done;
}

/** The round with the median seconds (of an even count, the slower of the middle two); a failed round first, so a failure is never hidden. */
export function medianRound<T extends Round>(rounds: T[]): T {
  const failed = rounds.find((r) => r.problem);
  if (failed) return failed;
  const sorted = [...rounds].sort((a, b) => a.seconds - b.seconds);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * A folder and files as they are now, to put back before a native round: files and folders that appear under
 * `dir` later are removed (what the native copy added), and each of `files` gets its content of now again
 * (a config file the native side appended to). Files that were there are left: the native copy overwrites them.
 */
export function freshState(dir: string, files: string[]): { restore(): void } {
  const before = new Set(walk(dir).map((path) => relative(dir, path)));
  const texts = files.map((file) => ({ file, text: readFileSync(file, 'utf8') }));
  return {
    restore() {
      // Deepest first, so a folder that appeared is removed whole before its parent is looked at.
      for (const path of walk(dir).reverse()) if (!before.has(relative(dir, path))) rmSync(path, { recursive: true, force: true });
      for (const { file, text } of texts) writeFileSync(file, text);
    },
  };
}

/** Every file and folder under `dir`, parents before their children. */
function walk(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    found.push(path);
    if (entry.isDirectory()) found.push(...walk(path));
  }
  return found;
}

/** "1.42 / 1.35 / 1.61" */
export function roundsText(seconds: number[]): string {
  return seconds.map((s) => s.toFixed(2)).join(' / ');
}
