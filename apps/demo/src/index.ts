/**
 * The one-command demo (`npm run demo`; not part of the product): the demo issuer's boards, about 300 responders to
 * a building collapse with badges (QR PNGs, a printable sheet, a manifest), seeding of trust list, users and
 * incident over the HTTP API, and the `--surge` of check-ins. The pieces are exported for the e2e tests, which run
 * them in-process against a test api.
 *
 * Owns: apps/demo, scripts/demo.mjs. Imports no project library: it is a client of the HTTP API, like an agency's
 * own tooling, plus the demo issuer (apps/issuer) and the simulated licence board (apps/licence-board) in-process.
 */
export { ApiClient, ApiError, describeProblem } from './demo-api-client';
export type { ApiResponse, CallOptions } from './demo-api-client';
export { buildRoster, DEMO_MISSION, rosterSummary } from './demo-roster';
export type { DemoResponder, ExpectedOutcome, RosterOptions, Scenario } from './demo-roster';
export { issueBadges } from './demo-credentials';
export type { BoardDirectory, IssuedBadge } from './demo-credentials';
export {
  DEMO_ADMIN,
  DEMO_LOCATIONS,
  DEMO_POSITIONS,
  DEMO_TRUST,
  UNTRUSTED_BOARDS,
  demoPracticeRules,
  demoUsers,
  seedDemo,
  seedIncident,
  seedPracticeRules,
  seedTrustList,
  seedUsers,
} from './demo-seed';
export type { BoardIdentity, DemoIncident, DemoSeed, DemoUser, TrustGrant, TrustListDocument } from './demo-seed';
export { MANIFEST_FILE, SHEET_FILE, badgeSheet, fileSlug, formatLabel, toManifestEntry, writeBadges, writeManifest } from './badges';
export type { BadgeManifest, ManifestEntry, WrittenBadges } from './badges';
export { QR_MAX_BYTES, qrPng } from './qr-png';
export { runRollCall, DEMO_COMMANDER, type RollCallReport } from './roll-call';
export { admitOnePerFormat, formatScan, matchesExpectation, onePerFormat, positionFor, runSurge } from './surge';
export type { ScanResult, SurgeOptions, SurgeReport, SurgeTarget } from './surge';
export { handOutRecord } from './records';
export type { HandedOutRecord } from './records';
export { addWalkUps, DEMO_SUPPORT_POSITION, DEMO_WALK_UPS } from './walk-ups';
export type { DemoWalkUps } from './walk-ups';
export { checkInByLicence, DEMO_LICENCE_CHECK_INS, DEMO_NOTICE_SECRET, demoPrimarySources } from './licence-check-ins';
export type { LicenceCheckInResult, LicenceWalkIn } from './licence-check-ins';
export { parseArgs, runDemoCli } from './main';
