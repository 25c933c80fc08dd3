import { lifetimeMoment, nextAriCheck, renewalMoment } from './renewal-schedule.js';

const HOUR = 3_600_000;
const at = (hours: number) => new Date(Date.UTC(2026, 11, 1) + hours * HOUR);

describe('renewal timing (RFC 9773)', () => {
  const window = { start: at(10), end: at(20) };

  it('picks a moment inside the window, spread by the random draw', () => {
    expect(renewalMoment(window, at(0), undefined, () => 0)).toEqual(at(10));
    expect(renewalMoment(window, at(0), undefined, () => 0.5)).toEqual(at(15));
    expect(renewalMoment(window, at(0), undefined, () => 0.999999).getTime()).toBeLessThan(at(20).getTime());
  });

  it('renews at once when the window has passed, and never picks a moment already behind us', () => {
    expect(renewalMoment(window, at(21))).toEqual(at(21));
    expect(renewalMoment(window, at(15), undefined, () => 0)).toEqual(at(15));
  });

  it('keeps an earlier choice that is still inside the window, and draws again when the window moved', () => {
    expect(renewalMoment(window, at(1), at(12), () => 0)).toEqual(at(12));
    expect(renewalMoment({ start: at(2), end: at(4) }, at(1), at(12), () => 0)).toEqual(at(2));
  });

  it('falls back to a share of the lifetime without ARI', () => {
    expect(lifetimeMoment(at(0), at(90), 1 / 3)).toEqual(at(60));
  });

  it("asks again when the CA's Retry-After says, within a minute and a day; every 6 hours without one", () => {
    expect(nextAriCheck(at(0), 3600)).toEqual(at(1));
    expect(nextAriCheck(at(0), 0).getTime()).toBe(at(0).getTime() + 60_000);
    expect(nextAriCheck(at(0), 10 * 86_400)).toEqual(at(24));
    expect(nextAriCheck(at(0))).toEqual(at(6));
  });
});
