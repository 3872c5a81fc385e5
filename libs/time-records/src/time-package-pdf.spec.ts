import { execFileSync } from 'node:child_process';
import { timePackagePdf } from './time-package-pdf';
import type { PackageRow, TimePackage } from './domain';

const NAMES = ['Nguyễn Thị Hương', 'Łukasz Żółkiewski', 'Σοφία Παπαδοπούλου', 'Дмитрий Иванов'];

function row(name: string, n: number): PackageRow {
  return {
    agency: 'Hội Chữ thập đỏ',
    responderId: `r${n}`,
    name,
    position: 'Медсестра',
    employment: 'employee',
    date: '2026-06-01',
    onDutyMinutes: 480,
    travelMinutes: 0,
    unpaidBreakMinutes: 0,
    regularMinutes: 480,
    overtimeMinutes: 0,
    claimedRegularMinutes: 480,
    claimedOvertimeMinutes: 0,
    regularCentsPerHour: 3000,
    overtimeCentsPerHour: 4500,
    claimCents: 24000,
    donatedMinutes: 0,
    donatedCents: 0,
    status: 'approved',
    approvedBy: 'leader',
    correctionId: null,
    pendingCorrectionIds: [],
    workDescription: 'Triage – Σταθμός 4',
    evidence: null,
  };
}

async function pdfBytes(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  await new Promise((resolve) => doc.on('end', resolve));
  return Buffer.concat(chunks);
}

describe('the package PDF', () => {
  it('carries names outside Latin-1 as text that pdf.js reads back', async () => {
    const pkg: TimePackage = {
      incident: { id: 'i', name: 'Bão Yagi', number: 'VN-2026-01' },
      agency: 'Hội Chữ thập đỏ',
      missionReference: 'EMAC Ω-7',
      certification: null,
      rows: NAMES.map(row),
      totals: { agency: 'Hội Chữ thập đỏ', travelMinutes: 0, regularMinutes: 1920, overtimeMinutes: 0, claimCents: 96000, donatedMinutes: 0, donatedCents: 0 },
      volunteers: [],
    };
    const pdf = await pdfBytes(timePackagePdf(pkg, new Date(Date.UTC(2026, 5, 2))));
    const { text } = JSON.parse(execFileSync(process.execPath, ['test/support/pdf-text.mjs'], { input: pdf }).toString()) as { text: string[] };
    const all = text.join(' ').replace(/\s+/g, ' ');
    for (const name of NAMES) expect(all).toContain(name);
    expect(all).toContain('Labour summary for reimbursement: Hội Chữ thập đỏ');
    expect(all).toContain('Медсестра');
    expect(all).toContain('EMAC Ω-7');
  });
});
