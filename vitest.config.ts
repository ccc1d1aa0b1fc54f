import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './test/sequencer.js';

// Integration tests start real wikis; two cores, so at most two files at once.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    // Integration tests drive whole migrations between real wikis.
    testTimeout: 600_000,
    hookTimeout: 300_000,
    reporters: ['default'],
    globalSetup: ['test/global-setup.ts'],
    // Longest files first (test/durations.json), so that no long file starts last and runs on alone.
    sequence: { sequencer: LongestFirstSequencer },
  },
});
