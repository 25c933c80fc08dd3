export interface KeepRules {
  keepDaily: number;
  keepWeekly: number;
  keepMonthly: number;
}

export interface Dated {
  time: Date;
}

type Bucket = (time: Date) => string;

const day: Bucket = (t) => t.toISOString().slice(0, 10);
const month: Bucket = (t) => t.toISOString().slice(0, 7);

/** ISO 8601 week, in UTC: weeks start on Monday and belong to the year of their Thursday. */
const week: Bucket = (t) => {
  const d = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()));
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const weekNo = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(weekNo).padStart(2, '0')}`;
};

/** True when no rule keeps anything: like restic, that means "keep everything", never "delete everything". */
export function keepsEverything(rules: KeepRules): boolean {
  return rules.keepDaily <= 0 && rules.keepWeekly <= 0 && rules.keepMonthly <= 0;
}

/**
 * restic's `forget --keep-daily/weekly/monthly` for member-custody archives:
 * walking from newest to oldest, each rule keeps the newest item of each of
 * its last N periods. An item kept by any rule stays.
 */
export function selectRetention<T extends Dated>(items: T[], rules: KeepRules): { keep: T[]; remove: T[] } {
  if (keepsEverything(rules)) return { keep: [...items], remove: [] };
  const newestFirst = [...items].sort((a, b) => b.time.getTime() - a.time.getTime());
  const kept = new Set<T>();
  const passes: [number, Bucket][] = [
    [rules.keepDaily, day],
    [rules.keepWeekly, week],
    [rules.keepMonthly, month],
  ];
  for (const [count, bucket] of passes) {
    let last: string | undefined;
    let left = count;
    for (const item of newestFirst) {
      if (left <= 0) break;
      const key = bucket(item.time);
      if (key === last) continue;
      kept.add(item);
      last = key;
      left -= 1;
    }
  }
  return { keep: newestFirst.filter((i) => kept.has(i)), remove: newestFirst.filter((i) => !kept.has(i)) };
}
