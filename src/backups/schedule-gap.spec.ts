import { shortestGapMinutes } from './schedule-gap.js';

describe('shortestGapMinutes', () => {
  it.each([
    ['* * * * *', 1],
    ['*/5 * * * *', 5],
    ['0,30 3 * * *', 30],
    ['0 * * * *', 60],
    ['0 23,0 * * *', 60],
    ['0 3 * * *', 24 * 60],
    ['59 23 * * 0,1', 24 * 60],
    ['58,59 23 * * *', 1],
    ['0 3 1 * *', 28 * 24 * 60],
  ])('%s → %d', (schedule, minutes) => {
    expect(shortestGapMinutes(schedule)).toBe(minutes);
  });
});
