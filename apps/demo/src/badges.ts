import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IssuedBadge } from './demo-credentials';
import type { ExpectedOutcome, Scenario } from './demo-roster';
import { rosterSummary } from './demo-roster';
import { qrPng } from './qr-png';

const FORMAT_LABELS: Record<string, string> = {
  'vc+jwt': 'VC 2.0 (vc+jwt)',
  'ob3-jwt': 'Open Badges 3.0 (JWT)',
  'jwt-vc': 'VC-JWT 1.1 (vc claim)',
  'dc+sd-jwt': 'SD-JWT VC (dc+sd-jwt)',
  'dc+sd-jwt-json': 'SD-JWT VC, JSON serialization',
  'ldp-vc': 'VC 2.0 + Data Integrity (ldp-vc)',
  'ldp-vp': 'VC 2.0 + Data Integrity, presented (ldp-vp)',
};

/** A label for a credential format, as the badge sheet and the demo print it. */
export function formatLabel(format: string): string {
  return FORMAT_LABELS[format] ?? format;
}

/**
 * Badges on disk: one QR PNG per responder (the QR holds the credential as presented: a compact JWS, an SD-JWT or
 * a JSON credential; what a scanner types into the check-in station), a printable sheet (index.html) and manifest.json, the list a presenter (and `--surge`) works
 * from.
 */

export interface ManifestEntry {
  key: string;
  name: string;
  qualification: string;
  qualificationName: string;
  board: string;
  boardName: string;
  format: string;
  agency: string;
  homeUnit: string;
  homeState: string;
  departurePoint: string;
  methodOfTravel: string;
  licenseNumber: string;
  credentialId: string;
  /** Index in the board's revocation and suspension lists: `issuer:cli -- revoke --board <board> --index <n>`. */
  statusIndex: number;
  validFrom: string;
  validUntil: string;
  scenario: Scenario;
  expected: ExpectedOutcome;
  spotlight: boolean;
  /** ICS 211 block 6 the station enters (the Georgia strike team's EMAC mission number). */
  orderRequestNumber?: string;
  /** The QR PNG, relative to the manifest. */
  file: string;
  /** The credential text in the QR code: compact JWS, SD-JWT with its Disclosures, or JSON (ldp-vc). */
  credential: string;
}

export interface BadgeManifest {
  generatedAt: string;
  issuerUrl: string;
  incident?: { id: string; name: string; number: string };
  /** How many badges must be admitted, and how many refused for each reason. */
  summary: Record<string, number>;
  badges: ManifestEntry[];
}

export interface WrittenBadges {
  dir: string;
  manifestPath: string;
  sheetPath: string;
  manifest: BadgeManifest;
}

export const MANIFEST_FILE = 'manifest.json';
export const SHEET_FILE = 'index.html';

/** `José Ramírez` -> `jose-ramirez` */
export function fileSlug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export function toManifestEntry(badge: IssuedBadge): ManifestEntry {
  return {
    key: badge.key,
    name: badge.name,
    qualification: badge.qualification,
    qualificationName: badge.qualificationName,
    board: badge.board,
    boardName: badge.boardName,
    format: badge.format,
    agency: badge.agency,
    homeUnit: badge.homeUnit,
    homeState: badge.homeState,
    departurePoint: badge.departurePoint,
    methodOfTravel: badge.methodOfTravel,
    licenseNumber: badge.licenseNumber,
    ...(badge.orderRequestNumber ? { orderRequestNumber: badge.orderRequestNumber } : {}),
    credentialId: badge.credentialId,
    statusIndex: badge.statusIndex,
    validFrom: badge.validFrom.toISOString(),
    validUntil: badge.validUntil.toISOString(),
    scenario: badge.scenario,
    expected: badge.expected,
    spotlight: badge.spotlight,
    file: `${badge.key}-${fileSlug(badge.name)}.png`,
    credential: badge.jws,
  };
}

/**
 * Writes every badge's QR PNG, the printable sheet and the manifest into `dir` (old PNGs there are removed first,
 * so the folder matches the manifest).
 */
export async function writeBadges(
  dir: string,
  badges: readonly IssuedBadge[],
  context: { issuerUrl: string; incident?: { id: string; name: string; number: string } },
): Promise<WrittenBadges> {
  await mkdir(dir, { recursive: true });
  for (const old of await readdir(dir)) {
    if (old.endsWith('.png') || old === MANIFEST_FILE || old === SHEET_FILE) await rm(join(dir, old), { force: true });
  }
  const entries = badges.map(toManifestEntry);
  for (const entry of entries) {
    await writeFile(join(dir, entry.file), qrPng(entry.credential));
    // Let the event loop breathe between badges: the api's health checks and the surge share this process.
    await new Promise((r) => setImmediate(r));
  }
  const manifest: BadgeManifest = {
    generatedAt: new Date().toISOString(),
    issuerUrl: context.issuerUrl,
    incident: context.incident,
    summary: rosterSummary(badges),
    badges: entries,
  };
  return writeManifest(dir, manifest);
}

/** (Re)writes manifest.json and the printable sheet, e.g. once the incident exists. */
export async function writeManifest(dir: string, manifest: BadgeManifest): Promise<WrittenBadges> {
  const manifestPath = join(dir, MANIFEST_FILE);
  const sheetPath = join(dir, SHEET_FILE);
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(sheetPath, badgeSheet(manifest));
  return { dir, manifestPath, sheetPath, manifest };
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const CATEGORY: Record<string, string> = {
  RN: 'nursing',
  LPN: 'nursing',
  APRN: 'nursing',
  MD: 'medicine',
  PARAMEDIC: 'ems',
  EMT: 'ems',
  USAR_TECH: 'usar',
};

/** The printable sheet: one card per responder (name, qualification, board, licence, QR). */
export function badgeSheet(manifest: BadgeManifest): string {
  const title = manifest.incident ? `${manifest.incident.name} (${manifest.incident.number})` : undefined;
  const cards = manifest.badges
    .map((b) => {
      const demoNote = b.expected.decision === 'admitted' && b.scenario !== 'expiring-soon' ? '' : `<p class="note">Demo: ${escapeHtml(b.expected.note)}</p>`;
      return `<article class="badge ${CATEGORY[b.qualification] ?? 'other'}" id="${b.key}">
  <header><span class="qual">${escapeHtml(b.qualification.replace('_', ' '))}</span> ${escapeHtml(b.qualificationName)}</header>
  <h2>${escapeHtml(b.name)}</h2>
  <p class="agency">${escapeHtml(b.agency)}<br>${escapeHtml(b.homeUnit)}</p>
  <img src="${encodeURI(b.file)}" alt="QR code holding ${escapeHtml(b.name)}'s signed credential" width="300" height="300">
  <dl>
    <dt>Issued by</dt><dd>${escapeHtml(b.boardName)}</dd>
    <dt>Licence</dt><dd>${escapeHtml(b.licenseNumber)}</dd>
    <dt>Valid until</dt><dd>${b.validUntil.slice(0, 10)}</dd>
    <dt>Format</dt><dd>${escapeHtml(formatLabel(b.format))}</dd>
  </dl>
  ${demoNote}
  <footer>${b.key} · status index ${b.statusIndex}</footer>
</article>`;
    })
    .join('\n');
  const summary = Object.entries(manifest.summary)
    .map(([k, v]) => `${v} ${k === 'admitted' ? 'to admit' : k.replace('_', ' ')}`)
    .join(', ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title ?? 'Demo')}: responder badges</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 1.5rem; color: #111; }
  h1 { font-size: 1.3rem; margin: 0 0 .25rem; }
  .intro { margin: 0 0 1rem; color: #333; max-width: 60rem; }
  .sheet { display: grid; grid-template-columns: repeat(auto-fill, minmax(21rem, 1fr)); gap: 1rem; }
  .badge { border: 2px solid #333; border-radius: 10px; padding: .75rem; break-inside: avoid; page-break-inside: avoid; text-align: center; }
  .badge header { margin: -.75rem -.75rem .5rem; padding: .4rem; border-radius: 8px 8px 0 0; color: #fff; font-weight: 600; }
  .nursing header { background: #1d4e89; } .medicine header { background: #5b2a86; } .ems header { background: #a4161a; } .usar header { background: #7a4a00; } .other header { background: #444; }
  .qual { display: inline-block; border: 1px solid #fff; border-radius: 4px; padding: 0 .3rem; margin-right: .3rem; }
  .badge h2 { font-size: 1.2rem; margin: .25rem 0; }
  .agency { margin: 0 0 .4rem; font-size: .85rem; color: #333; }
  .badge img { image-rendering: pixelated; width: 300px; height: 300px; max-width: 100%; height: auto; }
  dl { display: grid; grid-template-columns: auto 1fr; gap: 0 .5rem; text-align: left; font-size: .8rem; margin: .4rem 0 0; }
  dt { font-weight: 600; } dd { margin: 0; }
  .note { background: #fff3cd; border: 1px dashed #8a6d00; padding: .2rem .4rem; font-size: .8rem; margin: .4rem 0 0; }
  footer { font-size: .7rem; color: #555; margin-top: .4rem; }
  /* Two to a row on paper: a QR code this dense needs about 8 cm to scan well with a phone. */
  @media print { body { margin: 0; } .intro { display: none; } .sheet { grid-template-columns: repeat(2, 1fr); gap: .4cm; } .badge img { width: 8cm; height: 8cm; } }
</style>
</head>
<body>
<h1>${title ? `${escapeHtml(title)}: ` : ''}${manifest.badges.length} responder badges</h1>
<p class="intro">Each QR code holds the responder's signed credential (a compact JWS, an SD-JWT or a JSON credential). Scan one with the check-in
station's camera, or with a handheld scanner into its scan field. Expected: ${escapeHtml(summary)}.
Generated ${escapeHtml(manifest.generatedAt)}; credentials are signed by the demo issuer at ${escapeHtml(manifest.issuerUrl)}
and verify only while it runs on that port.</p>
<main class="sheet">
${cards}
</main>
</body>
</html>
`;
}
