import { describe, expect, it } from 'vitest';

import { timeLeft } from './BuildStep';

describe('the time left of a build', () => {
  it('estimates only once the pace means something', () => {
    expect(timeLeft(0, 1000, 0)).toBe('estimating…');
    // 1% read: the time so far was mostly spent reading the consent data.
    expect(timeLeft(10, 1000, 5000)).toBe('estimating…');
    // 50% read but under 1.5 s: too soon.
    expect(timeLeft(500, 1000, 1000)).toBe('estimating…');
  });

  it('projects the pace so far, in whole seconds or more', () => {
    expect(timeLeft(250, 1000, 10_000)).toBe('about 30 s');
    expect(timeLeft(999, 1000, 60_000)).toBe('about 1 s');
  });

  it('says finishing once the source is read, never "about 0 ms"', () => {
    expect(timeLeft(1000, 1000, 60_000)).toBe('finishing…');
  });
});
