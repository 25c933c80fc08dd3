import { SlidingWindow } from './sliding-window.js';

describe('SlidingWindow', () => {
  it('allows the limit, then says how long until the oldest event ages out', () => {
    const window = new SlidingWindow(3, 60_000);
    for (const at of [0, 10_000, 20_000]) {
      expect(window.retryAfter('a', at)).toBe(0);
      window.record('a', at);
    }
    expect(window.retryAfter('a', 30_000)).toBe(30);
    expect(window.retryAfter('b', 30_000)).toBe(0);
    expect(window.retryAfter('a', 60_001)).toBe(0);
  });
});
