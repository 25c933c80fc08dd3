import { CronExpressionParser } from 'cron-parser';

/** Enough runs to meet every pattern of a cron day, week and month, few enough to stay cheap. */
const RUNS_LOOKED_AT = 1000;

/** The shortest time, in minutes, between two consecutive runs of a (valid, 5-field, UTC) cron expression. */
export function shortestGapMinutes(schedule: string, from = new Date(Date.UTC(2026, 0, 1))): number {
  const runs = CronExpressionParser.parse(schedule, { tz: 'UTC', currentDate: from });
  let previous = runs.next().getTime();
  let shortest = Infinity;
  for (let i = 1; i < RUNS_LOOKED_AT && runs.hasNext(); i += 1) {
    const next = runs.next().getTime();
    shortest = Math.min(shortest, (next - previous) / 60_000);
    previous = next;
    if (shortest <= 1) break;
  }
  return shortest;
}
