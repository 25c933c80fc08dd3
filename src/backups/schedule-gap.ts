import { CronExpressionParser } from 'cron-parser';

const DAY_MS = 86_400_000;
const DAY_MINUTES = 24 * 60;
/** Run days are looked for this far ahead: two leap days, so a schedule on 29 February meets its gap. */
const HORIZON_DAYS = 8 * 366;
/** A year and a bit after the first run day every pattern of weeks and months has repeated. */
const YEAR_AND_A_BIT = 400;

/**
 * The shortest time, in minutes, between two consecutive runs of a (valid,
 * 5-field, UTC) cron expression. Runs are the run days × the times of a day,
 * so the gap is the closest two times of a day, or the closest two run days
 * less the span of a day's times. (Walking 1,000 runs took seconds of CPU for
 * rare schedules such as 29 February, on the request's thread.)
 */
export function shortestGapMinutes(schedule: string, from = new Date(Date.UTC(2026, 0, 1))): number {
  const expression = CronExpressionParser.parse(schedule, { tz: 'UTC' });
  const { minute, hour, month } = expression.fields;
  const months = new Set(month.values.map(Number));
  const times = hour.values.flatMap((h) => minute.values.map((m) => Number(h) * 60 + Number(m))).sort((a, b) => a - b);
  let shortest = Infinity;
  for (let i = 1; i < times.length; i += 1) shortest = Math.min(shortest, times[i] - times[i - 1]);
  const first = times[0];
  const runsOn = (day: number) => {
    const at = new Date(day * DAY_MS + first * 60_000);
    return months.has(at.getUTCMonth() + 1) && expression.includesDate(at);
  };
  const days = shortestDayGap(runsOn, Math.floor(from.getTime() / DAY_MS));
  return Math.min(shortest, days * DAY_MINUTES - (times[times.length - 1] - first));
}

/** The fewest days between two consecutive run days, day by day from `start` (days since the epoch). */
function shortestDayGap(runsOn: (day: number) => boolean, start: number): number {
  let firstRun: number | undefined;
  let previous: number | undefined;
  let shortest = Infinity;
  for (let day = start; day < start + HORIZON_DAYS && shortest > 1; day += 1) {
    if (previous !== undefined && firstRun !== undefined && day > firstRun + YEAR_AND_A_BIT && shortest < Infinity) break;
    if (!runsOn(day)) continue;
    if (previous !== undefined) shortest = Math.min(shortest, day - previous);
    firstRun ??= day;
    previous = day;
  }
  return shortest;
}
