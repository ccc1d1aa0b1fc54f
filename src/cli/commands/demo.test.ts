import { describe, expect, it } from 'vitest';
import { DEMO_PLATFORMS } from '../demo-platforms.js';
import { demoCommand, DEMO_PLATFORM_NAMES } from './demo.js';

describe('ferry demo', () => {
  it('offers exactly the platforms the demo can start (its list is kept apart so the CLI starts without the generator)', () => {
    expect([...DEMO_PLATFORM_NAMES].sort()).toEqual(Object.keys(DEMO_PLATFORMS).sort());
    const platform = demoCommand().options.find((o) => o.long === '--platform');
    expect(platform?.argChoices).toEqual(['mediawiki', 'wordpress']);
  });
});
