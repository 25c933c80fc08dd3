import { selectRetention } from './retention.js';

const at = (iso: string) => ({ time: new Date(iso), name: iso });
const names = (items: { name: string }[]) => items.map((i) => i.name).sort();

describe('selectRetention', () => {
  it('keeps the newest item of each of the last N days', () => {
    const items = [at('2026-03-03T10:00:00Z'), at('2026-03-03T03:00:00Z'), at('2026-03-02T03:00:00Z'), at('2026-03-01T03:00:00Z')];
    const { keep, remove } = selectRetention(items, { keepDaily: 2, keepWeekly: 0, keepMonthly: 0 });
    expect(names(keep)).toEqual(['2026-03-02T03:00:00Z', '2026-03-03T10:00:00Z']);
    expect(names(remove)).toEqual(['2026-03-01T03:00:00Z', '2026-03-03T03:00:00Z']);
  });

  it('uses ISO weeks (Monday to Sunday) and calendar months, in UTC', () => {
    const items = [
      at('2026-03-09T01:00:00Z'), // Monday, week 11
      at('2026-03-08T23:00:00Z'), // Sunday, week 10
      at('2026-03-02T01:00:00Z'), // Monday, week 10
      at('2026-02-27T01:00:00Z'), // week 9, February
      at('2026-01-31T01:00:00Z'), // January
      at('2026-01-05T01:00:00Z'), // January
    ];
    expect(names(selectRetention(items, { keepDaily: 0, keepWeekly: 2, keepMonthly: 0 }).keep)).toEqual([
      '2026-03-08T23:00:00Z',
      '2026-03-09T01:00:00Z',
    ]);
    expect(names(selectRetention(items, { keepDaily: 0, keepWeekly: 0, keepMonthly: 3 }).keep)).toEqual([
      '2026-01-31T01:00:00Z',
      '2026-02-27T01:00:00Z',
      '2026-03-09T01:00:00Z',
    ]);
  });

  it('keeps the union of all rules', () => {
    const items = [at('2026-03-09T01:00:00Z'), at('2026-03-08T01:00:00Z'), at('2026-02-10T01:00:00Z'), at('2026-01-10T01:00:00Z')];
    const { keep, remove } = selectRetention(items, { keepDaily: 1, keepWeekly: 0, keepMonthly: 2 });
    expect(names(keep)).toEqual(['2026-02-10T01:00:00Z', '2026-03-09T01:00:00Z']);
    expect(remove).toHaveLength(2);
  });

  it('never deletes everything: no rule at all keeps every item', () => {
    const items = [at('2026-03-09T01:00:00Z'), at('2026-03-08T01:00:00Z')];
    expect(selectRetention(items, { keepDaily: 0, keepWeekly: 0, keepMonthly: 0 }).remove).toEqual([]);
  });
});
