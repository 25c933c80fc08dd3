import { daysCovered, dayOfFirstLine, HeldFile, localDay, oldestKeptDay, retentionPlan } from './log-retention.js';

const now = new Date(2026, 10, 26, 12, 0, 0);
const at = (day: string) => new Date(`${day}T12:00:00`);

function perDay(name: string, day: string): HeldFile {
  return { name, bytes: 10, modifiedAt: at(day), nameDay: day };
}

describe('log retention', () => {
  it('keeps retentionDays calendar days, today included', () => {
    expect(oldestKeptDay(now, 1)).toBe('2026-11-26');
    expect(oldestKeptDay(now, 7)).toBe('2026-11-20');
    expect(oldestKeptDay(new Date(2026, 0, 3), 7)).toBe('2025-12-28');
  });

  it('full: drops per-day files (rotated and compressed too) older than the retention, keeps the rest', () => {
    const files = [
      perDay('access-2020-01-01.log', '2020-01-01'),
      perDay('access-2026-11-19.log.1', '2026-11-19'),
      perDay('access-2026-11-19.log.2.gz', '2026-11-19'),
      perDay('access-2026-11-20.log', '2026-11-20'),
      perDay('access-2026-11-26.log', '2026-11-26'),
    ];
    const plan = retentionPlan('full', 7, files, now);
    expect(plan.remove.map((f) => f.name)).toEqual(['access-2020-01-01.log', 'access-2026-11-19.log.1', 'access-2026-11-19.log.2.gz']);
    expect(plan.empty).toEqual([]);
  });

  it('full: empties the live error log once its first line is too old, and removes stale undated files', () => {
    const files: HeldFile[] = [
      { name: 'error.log', bytes: 100, modifiedAt: now, firstLineDay: '2026-11-01' },
      { name: 'error.log.1', bytes: 100, modifiedAt: at('2026-11-02') },
      { name: 'other.log', bytes: 100, modifiedAt: now },
    ];
    const plan = retentionPlan('full', 7, files, now);
    expect(plan.empty.map((f) => f.name)).toEqual(['error.log']);
    expect(plan.remove.map((f) => f.name)).toEqual(['error.log.1']);
  });

  it('anonymized: per-day files by retention, anything else at once (it can only hold full addresses)', () => {
    const files = [perDay('access-2026-11-26.log', '2026-11-26'), { name: 'error.log', bytes: 5, modifiedAt: now }];
    expect(retentionPlan('anonymized', 7, files, now).remove.map((f) => f.name)).toEqual(['error.log']);
  });

  it('off: everything goes', () => {
    const files = [perDay('access-2026-11-26.log', '2026-11-26'), { name: 'x', bytes: 0, modifiedAt: now }];
    expect(retentionPlan('off', 90, files, now).remove).toHaveLength(2);
  });

  it('reads the days a file covers from its name, else its first line and last write', () => {
    expect(daysCovered(perDay('access-2026-11-20.log.gz', '2026-11-20'))).toEqual({ firstDay: '2026-11-20', lastDay: '2026-11-20' });
    expect(daysCovered({ name: 'error.log', bytes: 1, modifiedAt: now, firstLineDay: '2026-11-02' })).toEqual({
      firstDay: '2026-11-02',
      lastDay: localDay(now),
    });
    expect(dayOfFirstLine('2026/11/02 10:00:00 [error] 12#12: ...')).toBe('2026-11-02');
    expect(dayOfFirstLine('garbage')).toBeUndefined();
  });
});
