import { checkTransition, NOTICE_STATUSES } from './notice-states.js';

describe('notice state machine', () => {
  it('walks the happy path and refuses skips and reversals', () => {
    expect(checkTransition('received', 'triage', false)).toEqual({ ok: true });
    expect(checkTransition('triage', 'member_told', false)).toEqual({ ok: true });
    expect(checkTransition('member_told', 'counter_notice', false)).toEqual({ ok: true });
    expect(checkTransition('counter_notice', 'resolved', false)).toEqual({ ok: true });
    expect(checkTransition('received', 'resolved', false).ok).toBe(false);
    expect(checkTransition('responding', 'triage', false).ok).toBe(false);
    for (const to of NOTICE_STATUSES) expect(checkTransition('resolved', to, false).ok).toBe(false);
  });

  it('keeps a gagged notice from the member, and lets it be answered without telling them', () => {
    expect(checkTransition('triage', 'member_told', true)).toMatchObject({ ok: false, reason: expect.stringMatching(/gag/) });
    expect(checkTransition('triage', 'responding', true)).toEqual({ ok: true });
    expect(checkTransition('triage', 'responding', false).ok).toBe(false);
    expect(checkTransition('responding', 'member_told', true).ok).toBe(false);
    expect(checkTransition('responding', 'member_told', false)).toEqual({ ok: true });
  });
});
