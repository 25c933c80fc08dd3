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
    ['30 2 31 * *', 31 * 24 * 60],
    ['0 0 29 2 *', 1461 * 24 * 60],
    ['0 12 1 1 *', 365 * 24 * 60],
    ['0 0,12 * * 1', 12 * 60],
    ['0 23 * * 1', 7 * 24 * 60],
    ['0 0,23 * * 1', 23 * 60],
    ['0 22 * * 1,2', 24 * 60],
    ['*/7 * * * *', 4],
  ])('%s → %d', (schedule, minutes) => {
    expect(shortestGapMinutes(schedule)).toBe(minutes);
  });

  it('answers within milliseconds for rare and dense schedules alike (it runs on the request thread)', () => {
    const started = process.hrtime.bigint();
    for (const schedule of ['0 0 29 2 *', '0 0 L * *', '0 0 * * 5#2', '* * * * *', '0 0 13 * 5', '0 3 * * *', '0 0 1 1 *']) shortestGapMinutes(schedule);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1_000);
  });
});
