import { csvText } from '@app/common';
import { LABOUR_CSV_COLUMNS, labourCells } from './labour-summary-csv';
import { addTotals, emptyTotals, type AgencyTotals, type LabourRow, type LabourSummary } from './labour-summary';

/** What the admitting credential proved, as check-in verified it, and the legal basis to practise it recorded. */
export interface CredentialEvidence {
  qualification: string | null;
  issuer: string | null;
  /** When check-in verified the credential (ISO). */
  verifiedAt: string;
  /** The practice-authority basis text (mission, order, compact or state licence); null when none was decided. */
  legalBasis: string | null;
}

export interface Certification {
  statement: string;
  certifiedBy: string;
  certifierName: string;
  certifiedAt: string;
  claimCents: number;
  donatedCents: number;
}

export interface PackageRow extends LabourRow {
  /** What the ICS 214 activity log says the person did that day. */
  workDescription: string;
  evidence: CredentialEvidence | null;
}

/** One volunteer's donated hours at an agency over the incident. */
export interface DonatedHours {
  responderId: string;
  name: string;
  position: string | null;
  days: number;
  donatedMinutes: number;
  donatedCents: number;
}

export interface TimePackage {
  incident: { id: string; name: string; number: string };
  agency: string;
  missionReference: string | null;
  certification: Certification | null;
  rows: PackageRow[];
  totals: AgencyTotals;
  volunteers: DonatedHours[];
}

export interface PackageContext {
  incident: { id: string; name: string; number: string };
  agency: string;
  missionReference: string | null;
  certification: Certification | null;
  /** By `responderId|agency`. */
  evidence: ReadonlyMap<string, CredentialEvidence>;
  /** By `responderId|agency|date`: the day's ICS 214 entries about the person. */
  workDescriptions: ReadonlyMap<string, string[]>;
}

/** The text a certifying official signs; kept with the certification as it was when signed. */
export const CERTIFICATION_STATEMENT =
  'I certify that the hours, rates and amounts in this package are true and correct, were worked on this incident under the mission or order named, and have not been claimed elsewhere.';

/** The package of one agency: the labour summary's rows with their evidence, work description and donated hours. */
export function timePackage(summary: LabourSummary, ctx: PackageContext): TimePackage {
  const rows = summary.rows
    .filter((r) => r.agency === ctx.agency)
    .map((r): PackageRow => ({
      ...r,
      workDescription: (ctx.workDescriptions.get(`${r.responderId}|${r.agency}|${r.date}`) ?? []).join('; '),
      evidence: ctx.evidence.get(`${r.responderId}|${r.agency}`) ?? null,
    }));
  const volunteers = new Map<string, DonatedHours>();
  for (const r of rows) {
    if (r.employment !== 'volunteer') continue;
    const v = volunteers.get(r.responderId) ?? { responderId: r.responderId, name: r.name, position: r.position, days: 0, donatedMinutes: 0, donatedCents: 0 };
    if (r.donatedMinutes > 0) v.days += 1;
    v.donatedMinutes += r.donatedMinutes;
    v.donatedCents += r.donatedCents;
    volunteers.set(r.responderId, v);
  }
  return {
    incident: ctx.incident,
    agency: ctx.agency,
    missionReference: ctx.missionReference,
    certification: ctx.certification,
    rows,
    totals: summary.totals.find((t) => t.agency === ctx.agency) ?? emptyTotals(ctx.agency),
    volunteers: [...volunteers.values()],
  };
}

export const PACKAGE_CSV_COLUMNS = [
  ...LABOUR_CSV_COLUMNS,
  'work_description',
  'qualification',
  'credential_issuer',
  'credential_verified_at',
  'legal_basis',
  'mission_reference',
  'certified_by',
  'certified_at',
] as const;

const hours = (minutes: number): string => (minutes / 60).toFixed(2);
const money = (cents: number): string => (cents / 100).toFixed(2);

/** The labour summary's columns plus the package's; the TOTAL row carries the certification. */
export function timePackageCsv(pkg: TimePackage): string {
  return timePackageCsvHeader() + timePackageCsvRows(pkg.rows, pkg.missionReference) + timePackageCsvTotal(pkg);
}

/** The package CSV in parts, so that it can be written a batch of rows at a time: the header line, */
export function timePackageCsvHeader(): string {
  return csvText([[...PACKAGE_CSV_COLUMNS]]);
}

/** the lines of some of its rows, */
export function timePackageCsvRows(rows: readonly PackageRow[], missionReference: string | null): string {
  if (rows.length === 0) return '';
  return csvText(
    rows.map((r) => [
      ...labourCells(r),
      r.workDescription,
      r.evidence?.qualification ?? null,
      r.evidence?.issuer ?? null,
      r.evidence?.verifiedAt ?? null,
      r.evidence?.legalBasis ?? null,
      missionReference,
      null,
      null,
    ]),
  );
}

/** and the TOTAL line, last. */
export function timePackageCsvTotal(pkg: Omit<TimePackage, 'rows'>): string {
  const t = pkg.totals;
  const blank = (n: number): null[] => new Array<null>(n).fill(null);
  return csvText([
    [
      t.agency,
      null,
      'TOTAL',
      ...blank(4),
      hours(t.travelMinutes),
      null,
      hours(t.regularMinutes),
      hours(t.overtimeMinutes),
      ...blank(4),
      money(t.claimCents),
      hours(t.donatedMinutes),
      money(t.donatedCents),
      ...blank(4),
      ...blank(5),
      pkg.missionReference,
      pkg.certification?.certifierName ?? null,
      pkg.certification?.certifiedAt ?? null,
    ],
  ]);
}

/** Adds `part`'s totals and volunteers (one batch of responders) to `into` (the package so far). */
export function addToPackage(into: Omit<TimePackage, 'rows'>, part: TimePackage): void {
  addTotals(into.totals, part.totals);
  into.volunteers.push(...part.volunteers);
}

/** The donated-hours report: one row per volunteer, then the agency's total (hours x the volunteer rate). */
export function donatedHoursCsv(pkg: TimePackage): string {
  const rows: Array<Array<string | number | null>> = [['agency', 'responder_id', 'name', 'position', 'days', 'donated_hours', 'donated_amount']];
  for (const v of pkg.volunteers) rows.push([pkg.agency, v.responderId, v.name, v.position, v.days, hours(v.donatedMinutes), money(v.donatedCents)]);
  rows.push([pkg.agency, null, 'TOTAL', null, null, hours(pkg.totals.donatedMinutes), money(pkg.totals.donatedCents)]);
  return csvText(rows);
}
