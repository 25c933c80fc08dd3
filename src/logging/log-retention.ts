import { ACCESS_LOG_FILE, LoggingModeName } from './logging-directives.js';

/** One file in a site's log folder, as found on disk. */
export interface HeldFile {
  name: string;
  bytes: number;
  modifiedAt: Date;
  /** The day the name carries (per-day access logs, rotated or compressed too). */
  nameDay?: string;
  /** The day of the first line, for plain-text files without a day in the name (nginx error logs). */
  firstLineDay?: string;
}

export interface RetentionPlan {
  /** files to delete */
  remove: HeldFile[];
  /** live files nginx keeps open (the full-mode error.log): emptied in place rather than deleted */
  empty: HeldFile[];
}

/** The error log nginx holds open in `full` mode (see loggingDirectives). */
export const LIVE_ERROR_LOG = 'error.log';

/** YYYY-MM-DD in the machine's local time: nginx names the per-day files by $time_iso8601, which is local time too. */
export function localDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function dayOfName(name: string): string | undefined {
  return ACCESS_LOG_FILE.exec(name)?.[1];
}

/** nginx error lines start "YYYY/MM/DD"; anything else has no readable day. */
export function dayOfFirstLine(head: string): string | undefined {
  const match = /^(\d{4})[/-](\d{2})[/-](\d{2})/.exec(head);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : undefined;
}

/** The first and last day a file covers, as well as the disk can tell. */
export function daysCovered(file: HeldFile): { firstDay: string; lastDay: string } {
  if (file.nameDay) return { firstDay: file.nameDay, lastDay: file.nameDay };
  const lastDay = localDay(file.modifiedAt);
  const firstDay = file.firstLineDay && file.firstLineDay < lastDay ? file.firstLineDay : lastDay;
  return { firstDay, lastDay };
}

/**
 * The oldest day still kept: `retentionDays` calendar days counting today, so
 * no line on disk is ever older than `retentionDays` days (the hourly job
 * runs at most an hour late).
 */
export function oldestKeptDay(now: Date, retentionDays: number): string {
  const day = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (retentionDays - 1));
  return localDay(day);
}

/**
 * What the retention job removes from one site's folder:
 * - `off`: everything (nothing should be there at all);
 * - `anonymized`: per-day files older than the retention, and every other
 *   file (in this mode nginx writes nothing else, so it can only be a
 *   leftover that holds full addresses);
 * - `full`: per-day files older than the retention; other files once their
 *   last write is older; the live error.log is emptied once its first line is.
 */
export function retentionPlan(mode: LoggingModeName, retentionDays: number, files: HeldFile[], now: Date): RetentionPlan {
  if (mode === 'off') return { remove: files, empty: [] };
  const oldest = oldestKeptDay(now, retentionDays);
  const plan: RetentionPlan = { remove: [], empty: [] };
  for (const file of files) {
    const { firstDay, lastDay } = daysCovered(file);
    if (file.nameDay) {
      if (file.nameDay < oldest) plan.remove.push(file);
    } else if (mode === 'anonymized') {
      plan.remove.push(file);
    } else if (file.name === LIVE_ERROR_LOG) {
      if (file.bytes > 0 && firstDay < oldest) plan.empty.push(file);
    } else if (lastDay < oldest) {
      plan.remove.push(file);
    }
  }
  return plan;
}
