import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../core/database/prisma.service.js';
import { LegalClock } from '../clock.js';
import { redact } from './redact.js';

export interface PeriodCounts {
  period: string;
  total: number;
  byType: Record<string, number>;
  byOutcome: Record<string, number>;
  byAction: Record<string, number>;
  /** type → outcome → count */
  byTypeAndOutcome: Record<string, Record<string, number>>;
}

export interface PublishedNotice {
  period: string;
  received: string;
  type: string;
  senderRole: string | null;
  jurisdiction: string | null;
  status: string;
  outcome: string;
  actionTaken: string | null;
  summary: string | null;
}

export interface TransparencyReport {
  generatedAt: Date;
  /** the first version's shape: counts per year */
  years: { year: number; total: number; byType: Record<string, number>; byOutcome: Record<string, number> }[];
  halfYears: PeriodCounts[];
  published: PublishedNotice[];
}

/**
 * The public history of legal threats. Notices under a gag order are left out
 * entirely until their review date; published cases appear only redacted and
 * only after any delay; no site, member, domain or sender ever appears.
 */
@Injectable()
export class TransparencyService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: LegalClock,
  ) {}

  async report(): Promise<TransparencyReport> {
    const now = this.clock.now();
    const visible = { OR: [{ gaggedUntil: null }, { gaggedUntil: { lte: now } }] };
    const rows = await this.prisma.legalNotice.findMany({
      where: visible,
      select: { type: true, receivedAt: true, outcome: true, actionTaken: true },
      orderBy: { receivedAt: 'desc' },
    });
    return { generatedAt: now, years: byYear(rows), halfYears: byHalfYear(rows), published: await this.published(now) };
  }

  private async published(now: Date): Promise<PublishedNotice[]> {
    const rows = await this.prisma.legalNotice.findMany({
      where: { publish: true, AND: [{ OR: [{ gaggedUntil: null }, { gaggedUntil: { lte: now } }] }, { OR: [{ publishAfter: null }, { publishAfter: { lte: now } }] }] },
      include: { site: { select: { domains: true, member: { select: { name: true, contactEmail: true } } } } },
      orderBy: { receivedAt: 'desc' },
    });
    return rows.map((row) => ({
      period: halfYear(row.receivedAt),
      received: row.receivedAt.toISOString().slice(0, 7),
      type: row.type,
      senderRole: row.senderRole,
      jurisdiction: row.jurisdiction,
      status: row.status,
      outcome: row.outcome ?? 'pending',
      actionTaken: row.actionTaken,
      summary: row.summary ? redact(row.summary, [...row.site.domains, row.site.member.name, row.site.member.contactEmail, ...(row.sender ? [row.sender] : [])]) : null,
    }));
  }
}

interface CountedRow {
  type: string;
  receivedAt: Date;
  outcome: string | null;
  actionTaken: string | null;
}

export function halfYear(date: Date): string {
  return `${date.getUTCFullYear()}-H${date.getUTCMonth() < 6 ? 1 : 2}`;
}

function byHalfYear(rows: CountedRow[]): PeriodCounts[] {
  const periods = new Map<string, PeriodCounts>();
  for (const row of rows) {
    const period = halfYear(row.receivedAt);
    const entry = periods.get(period) ?? { period, total: 0, byType: {}, byOutcome: {}, byAction: {}, byTypeAndOutcome: {} };
    entry.total++;
    bump(entry.byType, row.type);
    bump(entry.byOutcome, row.outcome ?? 'pending');
    bump((entry.byTypeAndOutcome[row.type] ??= {}), row.outcome ?? 'pending');
    bump(entry.byAction, row.actionTaken ?? 'undecided');
    periods.set(period, entry);
  }
  return [...periods.values()];
}

function byYear(rows: CountedRow[]): TransparencyReport['years'] {
  const years = new Map<number, TransparencyReport['years'][number]>();
  for (const row of rows) {
    const year = row.receivedAt.getUTCFullYear();
    const entry = years.get(year) ?? { year, total: 0, byType: {}, byOutcome: {} };
    entry.total++;
    bump(entry.byType, row.type);
    bump(entry.byOutcome, row.outcome ?? 'pending');
    years.set(year, entry);
  }
  return [...years.values()];
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** One row per half-year, type and outcome; every value is one of ours, never free text. */
export function toCsv(report: TransparencyReport): string {
  const rows = report.halfYears.flatMap((period) =>
    Object.entries(period.byTypeAndOutcome).flatMap(([type, outcomes]) => Object.entries(outcomes).map(([outcome, n]) => `${period.period},${type},${outcome},${n}`)),
  );
  return ['period,type,outcome,count', ...rows].join('\n') + '\n';
}
