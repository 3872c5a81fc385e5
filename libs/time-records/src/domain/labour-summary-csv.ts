import { csvText } from '@app/common';
import type { LabourRow, LabourSummary } from './labour-summary';

export const LABOUR_CSV_COLUMNS = [
  'agency',
  'responder_id',
  'name',
  'position',
  'employment',
  'date',
  'on_duty_hours',
  'unpaid_break_hours',
  'regular_hours',
  'overtime_hours',
  'claimed_regular_hours',
  'claimed_overtime_hours',
  'regular_rate',
  'overtime_rate',
  'claim_amount',
  'donated_hours',
  'donated_amount',
  'day_status',
  'approved_by',
  'correction_id',
  'pending_corrections',
] as const;

/** Minutes as hours with two decimals (exact for whole minutes to 36 s, as the figures were summed in minutes). */
const hours = (minutes: number): string => (minutes / 60).toFixed(2);
const money = (cents: number): string => (cents / 100).toFixed(2);

/** One responder day's cells, in LABOUR_CSV_COLUMNS order. */
export function labourCells(r: LabourRow): Array<string | number | null> {
  return [
    r.agency,
    r.responderId,
    r.name,
    r.position,
    r.employment,
    r.date,
    hours(r.onDutyMinutes),
    hours(r.unpaidBreakMinutes),
    hours(r.regularMinutes),
    hours(r.overtimeMinutes),
    hours(r.claimedRegularMinutes),
    hours(r.claimedOvertimeMinutes),
    r.regularCentsPerHour === null ? null : money(r.regularCentsPerHour),
    r.overtimeCentsPerHour === null ? null : money(r.overtimeCentsPerHour),
    money(r.claimCents),
    hours(r.donatedMinutes),
    money(r.donatedCents),
    r.status,
    r.approvedBy,
    r.correctionId,
    r.pendingCorrectionIds.join(' '),
  ];
}

/** One row per responder day, then a total row per agency (RFC 4180, CRLF). */
export function labourSummaryCsv(summary: LabourSummary): string {
  const rows: Array<Array<string | number | null>> = [[...LABOUR_CSV_COLUMNS]];
  for (const r of summary.rows) rows.push(labourCells(r));
  for (const t of summary.totals) {
    rows.push([
      t.agency,
      null,
      'TOTAL',
      null,
      null,
      null,
      null,
      null,
      hours(t.regularMinutes),
      hours(t.overtimeMinutes),
      null,
      null,
      null,
      null,
      money(t.claimCents),
      hours(t.donatedMinutes),
      money(t.donatedCents),
      null,
      null,
      null,
      null,
    ]);
  }
  return csvText(rows);
}
