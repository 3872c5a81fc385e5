import { randomUUID } from 'node:crypto';
import { ApiError, describeProblem, type ApiClient } from './demo-api-client';
import type { ManifestEntry } from './badges';

/**
 * A surge of arrivals at the staging area: several check-in stations ("scanners") scan badges at a realistic pace
 * (a few per second in all, with jitter) through POST /incidents/{id}/check-ins, exactly as the check-in station
 * does, and print each decision, so the commander board fills up.
 */

export interface SurgeTarget {
  api: ApiClient;
  incident: { id: string; positions: Record<string, string>; locations: Record<string, string> };
  /** The check-in staff account the scanners sign in with. */
  checkinUser: { email: string; password: string };
}

export interface SurgeOptions {
  /** How many badges to scan. */
  count: number;
  /** Scans per second, all scanners together. Default 3. */
  ratePerSecond?: number;
  /** Check-in stations scanning in parallel. Default 4. */
  scanners?: number;
  /** Leave out badges whose holder is already on the roster. Default true. */
  skipCheckedIn?: boolean;
  /** Called with each scan as it completes. */
  onScan?: (scan: ScanResult) => void;
  random?: () => number;
  signal?: AbortSignal;
}

export type Decision = 'admitted' | 'admitted_with_warnings' | 'denied';

export interface ScanResult {
  entry: ManifestEntry;
  scanner: string;
  location: string | undefined;
  position: string | undefined;
  /** HTTP status of the check-in (0 when the request failed). */
  status: number;
  decision?: Decision;
  reasons: Array<{ code: string; message: string }>;
  alreadyCheckedIn: boolean;
  /** The decision is the one the manifest expects. */
  asExpected: boolean;
  error?: string;
}

export interface SurgeReport {
  scanned: number;
  admitted: number;
  admittedWithWarnings: number;
  denied: number;
  failed: number;
  /** Admissions (with or without warnings) by credential format: `{ 'vc+jwt': 12, 'ldp-vc': 2, ... }`. */
  admittedByFormat: Record<string, number>;
  unexpected: ScanResult[];
  scans: ScanResult[];
}

interface CheckInBody {
  decision: Decision;
  reasons: Array<{ code: string; message: string }>;
  alreadyCheckedIn?: boolean;
}

/** Which position a surge asks for, by qualification (RNs alternate between triage and the shelter). */
export function positionFor(entry: Pick<ManifestEntry, 'qualification' | 'key'>): string | undefined {
  switch (entry.qualification) {
    case 'RN':
      return Number(entry.key.replace(/\D/g, '')) % 3 === 0 ? 'Shelter Nurse' : 'Triage Nurse';
    case 'APRN':
      return 'Triage Nurse';
    case 'LPN':
      return 'Shelter Nurse';
    case 'MD':
      return 'Physician';
    case 'PARAMEDIC':
      return 'Paramedic';
    case 'EMT':
      return 'EMT';
    case 'USAR_TECH':
      return 'Rescue Specialist';
    default:
      return undefined;
  }
}

export function matchesExpectation(entry: Pick<ManifestEntry, 'expected'>, decision: Decision | undefined, reasons: ReadonlyArray<{ code: string }>): boolean {
  if (entry.expected.decision === 'admitted') return decision === 'admitted' || decision === 'admitted_with_warnings';
  return decision === 'denied' && (!entry.expected.reason || reasons.some((r) => r.code === entry.expected.reason));
}

/** Badges in surge order (the manifest's order: the spotlight first, refusals woven into the first sixty). */
async function pendingBadges(target: SurgeTarget, token: string, badges: readonly ManifestEntry[], skipCheckedIn: boolean): Promise<ManifestEntry[]> {
  if (!skipCheckedIn) return [...badges];
  try {
    const res = await target.api.get<Array<{ credential?: { licenseNumber?: string | null } }>>(`/incidents/${target.incident.id}/deployments`, {
      token,
      expect: [200],
    });
    const onScene = new Set(res.body.map((d) => d.credential?.licenseNumber).filter((n): n is string => typeof n === 'string'));
    return badges.filter((b) => !onScene.has(b.licenseNumber));
  } catch {
    return [...badges]; // the roster is only an optimisation; rescanning someone returns their deployment
  }
}

export async function runSurge(target: SurgeTarget, badges: readonly ManifestEntry[], opts: SurgeOptions): Promise<SurgeReport> {
  const rate = opts.ratePerSecond ?? 3;
  const scannerCount = Math.max(1, opts.scanners ?? 4);
  const random = opts.random ?? Math.random;
  if (!(rate > 0)) throw new Error('the surge rate must be above 0 scans per second');

  let token = await target.api.signIn(target.checkinUser.email, target.checkinUser.password);
  const queue = (await pendingBadges(target, token, badges, opts.skipCheckedIn ?? true)).slice(0, opts.count);
  // Most arrivals come through the staging area: it gets the first two stations, the others one each.
  const byPriority = (name: string): number => (/staging/i.test(name) ? 0 : /base/i.test(name) ? 1 : 2);
  const locationNames = Object.keys(target.incident.locations)
    .filter((n) => !/heli/i.test(n))
    .sort((a, b) => byPriority(a) - byPriority(b));
  const stationLocation = (index: number): string | undefined =>
    locationNames.length === 0 ? undefined : locationNames[(index < 2 ? 0 : index - 1) % locationNames.length];
  const report: SurgeReport = { scanned: 0, admitted: 0, admittedWithWarnings: 0, denied: 0, failed: 0, admittedByFormat: {}, unexpected: [], scans: [] };
  // Each scanner waits on average scanners/rate seconds between scans (0.4x to 1.6x of it: people arrive unevenly).
  const meanGapMs = (scannerCount / rate) * 1000;
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      opts.signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });

  const scan = async (scanner: string, location: string | undefined, entry: ManifestEntry): Promise<ScanResult> => {
    const position = positionFor(entry);
    const body = {
      credential: entry.credential,
      positionId: position ? target.incident.positions[position] : undefined,
      locationId: location ? target.incident.locations[location] : undefined,
      ics211: {
        state: entry.homeState,
        agency: entry.agency,
        homeUnit: entry.homeUnit,
        departurePoint: entry.departurePoint,
        methodOfTravel: entry.methodOfTravel,
        orderRequestNumber: entry.orderRequestNumber ?? `O-${entry.key.replace(/\D/g, '')}`,
      },
    };
    const idempotencyKey = `${scanner}-${randomUUID()}`;
    const base: Omit<ScanResult, 'status' | 'asExpected'> = { entry, scanner, location, position, reasons: [], alreadyCheckedIn: false };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const res = await target.api.post<CheckInBody>(`/incidents/${target.incident.id}/check-ins`, body, {
          token,
          headers: { 'Idempotency-Key': idempotencyKey, 'X-Device-Id': scanner },
          expect: [200, 201],
          signal: opts.signal,
        });
        const reasons = res.body.reasons ?? [];
        return {
          ...base,
          status: res.status,
          decision: res.body.decision,
          reasons,
          alreadyCheckedIn: res.body.alreadyCheckedIn === true,
          asExpected: matchesExpectation(entry, res.body.decision, reasons),
        };
      } catch (err) {
        if (err instanceof ApiError && err.status === 401 && attempt === 0) {
          token = await target.api.signIn(target.checkinUser.email, target.checkinUser.password); // the token ran out
          continue;
        }
        const status = err instanceof ApiError ? err.status : 0;
        const error = err instanceof ApiError ? describeProblem(err.body) : err instanceof Error ? err.message : String(err);
        return { ...base, status, asExpected: false, error };
      }
    }
    return { ...base, status: 401, asExpected: false, error: 'not signed in' };
  };

  let next = 0;
  const runScanner = async (index: number): Promise<void> => {
    const scanner = `scanner-${index + 1}`;
    const location = stationLocation(index);
    // Stagger the stations' first scans.
    await sleep(random() * meanGapMs * 0.5);
    while (!opts.signal?.aborted) {
      const entry = queue[next++];
      if (!entry) return;
      const result = await scan(scanner, location, entry);
      if (opts.signal?.aborted && result.status === 0) return;
      report.scans.push(result);
      report.scanned += 1;
      if (result.decision === 'admitted') report.admitted += 1;
      else if (result.decision === 'admitted_with_warnings') report.admittedWithWarnings += 1;
      else if (result.decision === 'denied') report.denied += 1;
      else report.failed += 1;
      if (result.decision === 'admitted' || result.decision === 'admitted_with_warnings') {
        report.admittedByFormat[entry.format] = (report.admittedByFormat[entry.format] ?? 0) + 1;
      }
      if (!result.asExpected) report.unexpected.push(result);
      opts.onScan?.(result);
      if (next < queue.length) await sleep(meanGapMs * (0.4 + 1.2 * random()));
    }
  };
  await Promise.all(Array.from({ length: Math.min(scannerCount, Math.max(queue.length, 1)) }, (_, i) => runScanner(i)));
  return report;
}

/**
 * The first badge of each credential format that the manifest expects admitted, in manifest order. Never the
 * spotlight: the presenter revokes that one, and a surge checks it in first.
 */
export function onePerFormat(badges: readonly ManifestEntry[]): ManifestEntry[] {
  const seen = new Set<string>();
  return badges.filter((b) => {
    if (b.spotlight || b.expected.decision !== 'admitted' || seen.has(b.format)) return false;
    seen.add(b.format);
    return true;
  });
}

/** Checks in one responder per credential format, one after the other, exactly as a check-in station does. */
export function admitOnePerFormat(
  target: SurgeTarget,
  badges: readonly ManifestEntry[],
  opts: Pick<SurgeOptions, 'onScan' | 'signal'> = {},
): Promise<SurgeReport> {
  const sample = onePerFormat(badges);
  return runSurge(target, sample, { count: sample.length, ratePerSecond: 50, scanners: 1, random: () => 0, ...opts });
}

const COLOURS = { green: '\x1b[32m', amber: '\x1b[33m', red: '\x1b[31m', dim: '\x1b[2m', reset: '\x1b[0m' };

/** One line per scan: time, station, decision (in words; colour only when `colour`), who, what, why. */
export function formatScan(scan: ScanResult, colour: boolean): string {
  const paint = (c: keyof typeof COLOURS, text: string): string => (colour ? `${COLOURS[c]}${text}${COLOURS.reset}` : text);
  const time = new Date().toTimeString().slice(0, 8);
  const who = `${scan.entry.name} (${scan.entry.qualification}, ${scan.entry.boardName}, ${scan.entry.format})`;
  let verdict: string;
  let detail: string;
  if (scan.decision === 'admitted' || scan.decision === 'admitted_with_warnings') {
    verdict = scan.decision === 'admitted' ? paint('green', 'ADMITTED         ') : paint('amber', 'ADMITTED+WARNING ');
    detail = `-> ${scan.position ?? 'no position'}${scan.alreadyCheckedIn ? ' (already checked in)' : ''}`;
    if (scan.reasons.length > 0) detail += ` ${paint('dim', `[${scan.reasons.map((r) => r.code).join(', ')}]`)}`;
  } else if (scan.decision === 'denied') {
    verdict = paint('red', 'DENIED           ');
    detail = scan.reasons.map((r) => `${r.code}: ${r.message}`).join('; ') || 'no reason given';
  } else {
    verdict = paint('red', `ERROR ${scan.status || '---'}        `.slice(0, 17));
    detail = scan.error ?? '';
  }
  const surprise = scan.asExpected
    ? ''
    : ` ${paint('amber', `(expected ${scan.entry.expected.decision}${scan.entry.expected.reason ? `: ${scan.entry.expected.reason}` : ''})`)}`;
  const at = (scan.location ?? '').replace(/ \(.*$/, '');
  return `${paint('dim', time)} ${`${scan.scanner} @ ${at}`.padEnd(29)} ${verdict} ${who}  ${detail}${surprise}`;
}
