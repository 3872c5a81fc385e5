import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import type { PackageRow, TimePackage } from './domain';

/**
 * DejaVu Sans (Bitstream Vera licence, fonts/LICENSE), embedded as subsets: names in Vietnamese, Polish, Greek or
 * Cyrillic need glyphs that the PDF standard fonts (Latin-1 only) lack. Read once, on the first PDF.
 */
let fonts: { body: Buffer; bold: Buffer } | null = null;
function packageFonts(): { body: Buffer; bold: Buffer } {
  fonts ??= { body: readFileSync(join(__dirname, 'fonts', 'DejaVuSans.ttf')), bold: readFileSync(join(__dirname, 'fonts', 'DejaVuSans-Bold.ttf')) };
  return fonts;
}

const hours = (minutes: number): string => (minutes / 60).toFixed(2);
const money = (cents: number): string => (cents / 100).toFixed(2);

/** Columns of the responder-day table: header, width in points, cell text. */
const COLUMNS: Array<{ header: string; width: number; cell: (r: PackageRow) => string }> = [
  { header: 'Name', width: 82, cell: (r) => r.name },
  { header: 'Position', width: 62, cell: (r) => r.position ?? '' },
  { header: 'Date', width: 50, cell: (r) => r.date },
  { header: 'Travel h', width: 30, cell: (r) => hours(r.travelMinutes) },
  { header: 'Reg h', width: 30, cell: (r) => hours(r.regularMinutes) },
  { header: 'OT h', width: 30, cell: (r) => hours(r.overtimeMinutes) },
  {
    header: 'Rate reg/OT',
    width: 50,
    cell: (r) => (r.regularCentsPerHour === null ? r.employment : `${money(r.regularCentsPerHour)}/${money(r.overtimeCentsPerHour ?? 0)}`),
  },
  { header: 'Claim', width: 44, cell: (r) => money(r.claimCents) },
  { header: 'Donated', width: 40, cell: (r) => (r.employment === 'volunteer' ? money(r.donatedCents) : '') },
  { header: 'Work (ICS 214)', width: 97, cell: (r) => r.workDescription },
  {
    header: 'Credential',
    width: 92,
    cell: (r) =>
      r.evidence ? `${r.evidence.qualification ?? '?'}, ${r.evidence.issuer ?? '?'}, verified ${r.evidence.verifiedAt.slice(0, 16).replace('T', ' ')} UTC` : '',
  },
  { header: 'Legal basis', width: 85, cell: (r) => r.evidence?.legalBasis ?? 'not recorded' },
  { header: 'Status', width: 40, cell: (r) => r.status },
];

/**
 * The package of one agency as a printable PDF (US Letter, landscape): header with incident and mission, one line
 * per responder day, the agency's totals, the donated-hours report, and the certification statement. Returned as the
 * document stream, ended: the caller pipes it out.
 */
export function timePackagePdf(pkg: TimePackage, generatedAt: Date): PDFKit.PDFDocument {
  const writer = new TimePackagePdfWriter(pkg, generatedAt);
  writer.rows(pkg.rows);
  return writer.end(pkg);
}

/**
 * The same PDF written a batch of rows at a time (pages leave as they fill when the document is piped out): the
 * header from `head`, then `rows` as often as needed, then `end` with the totals, volunteers and certification.
 */
export class TimePackagePdfWriter {
  readonly doc: PDFKit.PDFDocument;
  private readonly left: number;

  constructor(head: Pick<TimePackage, 'agency' | 'incident' | 'missionReference'>, generatedAt: Date) {
    const doc = (this.doc = new PDFDocument({
      size: 'LETTER',
      layout: 'landscape',
      margin: 36,
      info: { Title: `Labour summary ${head.agency} ${head.incident.number}` },
    }));
    const { body, bold } = packageFonts();
    doc.registerFont('Body', body);
    doc.registerFont('Bold', bold);
    this.left = doc.page.margins.left;
    doc.font('Bold').fontSize(14).text(`Labour summary for reimbursement: ${head.agency}`);
    doc.font('Body').fontSize(9);
    doc.text(`Incident ${head.incident.number}: ${head.incident.name}`);
    doc.text(`Mission or order reference: ${head.missionReference ?? 'not set'}`);
    doc.text(`Generated ${generatedAt.toISOString()}`);
    doc.moveDown();
    this.header();
  }

  rows(rows: readonly PackageRow[]): void {
    const doc = this.doc;
    const bottom = doc.page.height - doc.page.margins.bottom;
    for (const r of rows) {
      const cells = COLUMNS.map((c) => ({ c, text: c.cell(r) }));
      const height = Math.max(...cells.map(({ c, text }) => doc.heightOfString(text || ' ', { width: c.width - 4 })));
      if (doc.y + height > bottom) {
        doc.addPage();
        this.header();
      }
      const y = doc.y;
      let x = this.left;
      for (const { c, text } of cells) {
        doc.text(text, x, y, { width: c.width - 4 });
        x += c.width;
      }
      doc.x = this.left;
      doc.y = y + height + 3;
    }
  }

  /** Totals, donated hours and certification; ends the document. */
  end(pkg: Omit<TimePackage, 'rows'>): PDFKit.PDFDocument {
    const doc = this.doc;
    const t = pkg.totals;
    doc.moveDown().font('Bold').fontSize(9).text('Totals', this.left, doc.y);
    doc.font('Body');
    doc.text(
      `Travel hours ${hours(t.travelMinutes)}   Regular hours ${hours(t.regularMinutes)}   Overtime hours ${hours(t.overtimeMinutes)}   Claim ${money(t.claimCents)}`,
    );
    doc.text(`Donated hours ${hours(t.donatedMinutes)}   Donated value ${money(t.donatedCents)}`);

    doc.moveDown().font('Bold').text('Donated hours (volunteers)');
    doc.font('Body');
    if (pkg.volunteers.length === 0) doc.text('No volunteer hours.');
    for (const v of pkg.volunteers)
      doc.text(`${v.name}, ${v.position ?? 'no position'}: ${v.days} days, ${hours(v.donatedMinutes)} hours, value ${money(v.donatedCents)}`);

    doc.moveDown().font('Bold').text('Certification');
    doc.font('Body');
    const c = pkg.certification;
    if (c) {
      doc.text(c.statement);
      doc.text(`Certified by ${c.certifierName} at ${c.certifiedAt}. Certified claim ${money(c.claimCents)}, donated value ${money(c.donatedCents)}.`);
    } else {
      doc.text('NOT CERTIFIED: this package may still change.');
    }
    doc.end();
    return doc;
  }

  /** The table's column headings, on the first page and every page after. */
  private header(): void {
    const doc = this.doc;
    doc.font('Bold').fontSize(7);
    let x = this.left;
    const y = doc.y;
    for (const c of COLUMNS) {
      doc.text(c.header, x, y, { width: c.width - 4 });
      x += c.width;
    }
    doc
      .moveTo(this.left, doc.y + 2)
      .lineTo(x, doc.y + 2)
      .stroke();
    doc.y += 4;
    doc.font('Body').fontSize(7);
  }
}
