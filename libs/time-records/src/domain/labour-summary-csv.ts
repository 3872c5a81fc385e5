import { csvCell, csvText } from '@app/common';
import type { LabourRow, LabourSummary } from './labour-summary';

export const LABOUR_CSV_COLUMNS = [
  'agency',
  'responder_id',
  'name',
  'position',
  'employment',
  'date',
  'on_duty_hours',
  'travel_hours',
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
const hoursText = (minutes: number): string => (minutes / 60).toFixed(2);
/** A day's minutes as hours, made once: every row has nine of them. */
const DAY_HOURS = Array.from({ length: 24 * 60 + 61 }, (_, m) => hoursText(m));
const hours = (minutes: number): string => (Number.isInteger(minutes) && minutes >= 0 && minutes < DAY_HOURS.length ? DAY_HOURS[minutes] : hoursText(minutes));
/** A figure as a cell: only a negative one ("-...") needs the cell escaping. */
const figure = (n: number, text: (n: number) => string): string => (n >= 0 ? text(n) : csvCell(text(n)));
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
    hours(r.travelMinutes),
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

/**
 * The CSV lines of responder days, the same text as `csvText(rows.map(labourCells))`: written field by field, only
 * text fields go through the cell escaping (hours, amounts and dates cannot hold a separator or start a formula).
 */
export function labourCsvLines(rows: readonly LabourRow[]): string {
  let out = '';
  for (const r of rows) {
    out +=
      `${csvCell(r.agency)},${csvCell(r.responderId)},${csvCell(r.name)},${csvCell(r.position)},${csvCell(r.employment)},${csvCell(r.date)},` +
      `${figure(r.onDutyMinutes, hours)},${figure(r.travelMinutes, hours)},${figure(r.unpaidBreakMinutes, hours)},${figure(r.regularMinutes, hours)},${figure(r.overtimeMinutes, hours)},` +
      `${figure(r.claimedRegularMinutes, hours)},${figure(r.claimedOvertimeMinutes, hours)},` +
      `${r.regularCentsPerHour === null ? '' : figure(r.regularCentsPerHour, money)},${r.overtimeCentsPerHour === null ? '' : figure(r.overtimeCentsPerHour, money)},` +
      `${figure(r.claimCents, money)},${figure(r.donatedMinutes, hours)},${figure(r.donatedCents, money)},${r.status},${csvCell(r.approvedBy)},` +
      `${csvCell(r.correctionId)},${csvCell(r.pendingCorrectionIds.join(' '))}\r\n`;
  }
  return out;
}

/** One row per responder day, then a total row per agency (RFC 4180, CRLF). */
export function labourSummaryCsv(summary: LabourSummary): string {
  const rows: Array<Array<string | number | null>> = [];
  for (const t of summary.totals) {
    rows.push([
      t.agency,
      null,
      'TOTAL',
      null,
      null,
      null,
      null,
      hours(t.travelMinutes),
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
  return csvText([[...LABOUR_CSV_COLUMNS]]) + labourCsvLines(summary.rows) + (rows.length > 0 ? csvText(rows) : '');
}
