import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/http';
import type { CheckInResponse, Deployment, Incident, RecentScan } from '../api/types';
import { CredentialFacts, ChecksList } from '../components/checks-list';
import { IncidentSelect, useIncidentChoice } from '../components/incident-picker';
import { ErrorNotice, Loading, Notice } from '../components/notices';
import { toApiError, useAction, useAsync, type AsyncState } from '../components/use-async';
import { CameraScanner } from '../scan/camera-scanner';
import { DeploymentRecordPanel, PresentedRecordPanel } from '../components/deployment-record';
import { ReleaseChecklist, useRelease } from '../components/release';
import { api, deviceId, useSession, uuid } from '../session';
import { WalkUpDesk } from './walk-up-desk';
import { PROFESSIONS } from '../professions';
import { RollCallStation, useRunningPars } from './roll-call-station';
import { DECISION_ICON, DECISION_WORD, formatClock, formatTime, reasonText, STATUS_WORD } from '../text';

/** A scan on its way to the server. The idempotency key is made once per scan, so a retry can never admit twice. */
interface PendingScan {
  credential: string;
  key: string;
  attempt: number;
  /** A licence number to check at its primary source instead of a badge. */
  licence?: LicenceEntry;
}

interface LicenceEntry {
  licenceNumber: string;
  state: string;
  profession: string;
  name: string;
  twoFormsOfIdSeen: boolean;
}
const NO_LICENCE: LicenceEntry = { licenceNumber: '', state: '', profession: 'RN', name: '', twoFormsOfIdSeen: false };

interface Ics211Extras {
  agency: string;
  homeUnit: string;
  orderRequestNumber: string;
}
const NO_EXTRAS: Ics211Extras = { agency: '', homeUnit: '', orderRequestNumber: '' };
const RETRY_DELAYS_MS = [1000, 2000, 4000];
const RECENT_REFRESH_MS = 15_000;

const stationKey = (incidentId: string, what: string): string => `responder-checkin.station.${incidentId}.${what}`;

/** Check-in station: scan a badge, see ADMITTED / ADMITTED WITH WARNINGS / DENIED at once, in words. */
export function CheckInStationPage() {
  const choice = useIncidentChoice();
  const incidentId = choice.chosen?.id;
  const detail = useAsync(() => (incidentId ? api.get<Incident>(`/incidents/${incidentId}`) : Promise.resolve(undefined)), [incidentId]);
  const running = useRunningPars(incidentId);
  const [mode, setMode] = useState<'check-in' | 'roll-call'>('check-in');
  const pars = running.data ?? [];
  // The roll-call mode exists only while a PAR runs; the station falls back to check-in when it ends.
  const rollCall = mode === 'roll-call' && pars.length > 0;

  return (
    <div class="page station">
      <h1>{rollCall ? 'Roll call station' : 'Check-in station'}</h1>
      <IncidentSelect choice={choice} />
      {incidentId && pars.length > 0 && (
        <div class="station-mode" role="group" aria-label="Station mode">
          <button type="button" class={rollCall ? 'button-secondary' : 'button-primary'} aria-pressed={!rollCall} onClick={() => setMode('check-in')}>
            Check-in
          </button>
          <button type="button" class={rollCall ? 'button-primary' : 'button-secondary'} aria-pressed={rollCall} onClick={() => setMode('roll-call')}>
            Roll call ({pars.length === 1 ? (pars[0].assignment ?? 'whole incident') : `${pars.length} running`})
          </button>
        </div>
      )}
      {incidentId && detail.error && <ErrorNotice error={detail.error} prefix="The incident could not be loaded" />}
      {incidentId && !detail.data && !detail.error && <Loading what="the incident" />}
      {rollCall && incidentId && <RollCallStation key={incidentId} incidentId={incidentId} pars={pars} />}
      {!rollCall && detail.data && detail.data.id === incidentId && <Station key={incidentId} incident={detail.data} />}
    </div>
  );
}

function Station({ incident }: { incident: Incident }) {
  const session = useSession();
  const [locationId, setLocationId] = useState(() => {
    const saved = localStorage.getItem(stationKey(incident.id, 'location'));
    return incident.locations.some((l) => l.id === saved) ? (saved ?? '') : (incident.locations[0]?.id ?? '');
  });
  const [positionId, setPositionId] = useState('');
  const [extras, setExtras] = useState<Ics211Extras>(NO_EXTRAS);
  const [scanText, setScanText] = useState('');
  const [pending, setPending] = useState<PendingScan | undefined>(undefined);
  const [result, setResult] = useState<CheckInResponse | undefined>(undefined);
  const [scanned, setScanned] = useState('');
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [announcement, setAnnouncement] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const resultBox = useRef<HTMLDivElement>(null);
  const retryTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const recent = useAsync(() => api.get<RecentScan[]>(`/incidents/${incident.id}/check-ins`, { query: { limit: 20 } }), [incident.id]);

  useEffect(() => {
    if (locationId) localStorage.setItem(stationKey(incident.id, 'location'), locationId);
  }, [incident.id, locationId]);

  // Other stations scan too: keep the list current.
  useEffect(() => {
    const timer = setInterval(() => recent.reload(), RECENT_REFRESH_MS);
    return () => clearInterval(timer);
  }, [recent.reload]);

  // A handheld scanner "types": if nothing that takes text has focus, send the keystrokes to the scanner field, so a
  // scan is not lost (nor its Enter taken by a focused button). Space is left alone: it presses buttons, and no badge
  // starts with one (a JSON credential's spaces come once its first character has moved the focus to the field).
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key.length !== 1 || e.key === ' ' || e.ctrlKey || e.metaKey || e.altKey) return;
      const active = document.activeElement;
      const takesText = active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement || active instanceof HTMLSelectElement;
      if (!takesText) input.current?.focus();
    };
    document.addEventListener('keydown', onKey, true);
    input.current?.focus();
    return () => {
      document.removeEventListener('keydown', onKey, true);
      clearTimeout(retryTimer.current);
    };
  }, []);

  const send = async (scan: PendingScan): Promise<void> => {
    setPending(scan);
    const ics211 = Object.fromEntries(
      Object.entries(extras)
        .filter(([, v]) => v.trim() !== '')
        .map(([k, v]) => [k, v.trim()]),
    );
    const common = {
      positionId: positionId || undefined,
      locationId: locationId || undefined,
      ics211: Object.keys(ics211).length > 0 ? ics211 : undefined,
    };
    const l = scan.licence;
    try {
      const res = await api.post<CheckInResponse>(
        l ? `/incidents/${incident.id}/check-ins/licence` : `/incidents/${incident.id}/check-ins`,
        l
          ? {
              licenceNumber: l.licenceNumber,
              state: l.state,
              profession: l.profession,
              twoFormsOfIdSeen: l.twoFormsOfIdSeen,
              name: l.name.trim() || undefined,
              entry: 'typed',
              ...common,
            }
          : { credential: scan.credential, ...common },
        { headers: { 'Idempotency-Key': scan.key, 'X-Device-Id': deviceId() } },
      );
      setPending(undefined);
      setError(undefined);
      setResult(res);
      setScanned(scan.credential);
      setAnnouncement(announce(res));
      recent.reload();
    } catch (err) {
      const e = toApiError(err);
      setError(e);
      // Bad connectivity is normal at a staging area: retry the same scan (same key) a few times on our own.
      if (e.status === 0 && scan.attempt < RETRY_DELAYS_MS.length) {
        const next = { ...scan, attempt: scan.attempt + 1 };
        setPending(next);
        retryTimer.current = setTimeout(() => void send(next), RETRY_DELAYS_MS[scan.attempt]);
        return;
      }
      if (e.status !== 0) setPending(undefined);
      setAnnouncement(`Scan not processed: ${e.plain}`);
    } finally {
      // Ready for the next badge, without scrolling away from the result.
      input.current?.focus({ preventScroll: true });
    }
  };

  // A new result takes the screen (on a tablet with the camera open it would otherwise be below the fold).
  useEffect(() => {
    if (result) resultBox.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [result?.attemptId]);

  const submit = (e: Event): void => {
    e.preventDefault();
    submitScan(scanText);
  };

  const submitScan = (text: string): void => {
    const credential = text.trim();
    setScanText('');
    if (!credential) return;
    clearTimeout(retryTimer.current);
    setError(undefined);
    void send({ credential, key: uuid(), attempt: 0 });
  };

  const retryNow = (): void => {
    if (!pending) return;
    clearTimeout(retryTimer.current);
    void send({ ...pending, attempt: RETRY_DELAYS_MS.length });
  };

  const canAssign = session?.user.role === 'admin' || session?.user.role === 'commander';

  return (
    <>
      <div class="sr-only" role="status" aria-live="assertive" aria-atomic="true" id="announcer">
        {announcement}
      </div>
      <section class="station-setup" aria-label="Station settings">
        <div class="field">
          <label for="station-location">Check-in location</label>
          <select id="station-location" value={locationId} onChange={(e) => setLocationId(e.currentTarget.value)}>
            <option value="">Not stated</option>
            {incident.locations.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name} ({l.kind})
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="station-position">Position for the next scans</label>
          <select id="station-position" value={positionId} onChange={(e) => setPositionId(e.currentTarget.value)}>
            <option value="">Any (by qualification)</option>
            {incident.positions.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} – needs {p.requiredQualifications.join(' or ')}
              </option>
            ))}
          </select>
        </div>
        <details class="station-extras">
          <summary>ICS 211 details for the next scans{Object.values(extras).some((v) => v) ? ' (set)' : ''}</summary>
          <div class="row">
            <TextField id="extra-agency" label="Agency" value={extras.agency} onInput={(v) => setExtras({ ...extras, agency: v })} />
            <TextField id="extra-home-unit" label="Home unit" value={extras.homeUnit} onInput={(v) => setExtras({ ...extras, homeUnit: v })} />
            <TextField
              id="extra-order"
              label="Order request number"
              value={extras.orderRequestNumber}
              onInput={(v) => setExtras({ ...extras, orderRequestNumber: v })}
            />
          </div>
          <button type="button" class="button-link" onClick={() => setExtras(NO_EXTRAS)}>
            Clear these details
          </button>
        </details>
      </section>

      <form class="scanner" onSubmit={submit} aria-label="Scan a badge">
        <label for="scan-input">Scan a badge (a handheld scanner types here and presses Enter), or paste a credential</label>
        <div class="scanner-row">
          <input
            id="scan-input"
            ref={input}
            class="scan-input"
            type="text"
            inputMode="none"
            autocomplete="off"
            autocapitalize="off"
            spellcheck={false}
            maxLength={65536}
            value={scanText}
            onInput={(e) => setScanText(e.currentTarget.value)}
            aria-describedby="scan-hint"
          />
          <button type="submit" class="button-primary" disabled={!scanText.trim()}>
            Check in
          </button>
        </div>
        <p id="scan-hint" class="hint">
          The field keeps the focus: scan one badge after another.
        </p>
        <CameraScanner onScan={submitScan} />
      </form>

      <LicenceForm
        onSubmit={(licence) => {
          clearTimeout(retryTimer.current);
          setError(undefined);
          void send({ credential: '', key: uuid(), attempt: 0, licence });
        }}
        busy={pending !== undefined}
      />

      {pending && (
        <div class="notice notice-info" role="status">
          <span aria-hidden="true">↻ </span>
          {error?.status === 0
            ? `No connection. Trying again (attempt ${pending.attempt + 1})…`
            : pending.licence
              ? 'Asking the licensing board…'
              : 'Checking the credential…'}
          {error?.status === 0 && (
            <button type="button" class="button-secondary" onClick={retryNow}>
              Retry now
            </button>
          )}
        </div>
      )}
      {error && error.status !== 0 && <ErrorNotice error={error} prefix="The scan was not processed" />}

      <div ref={resultBox} class="result-anchor">
        {result && (
          <ScanResult result={result} scanned={scanned} incident={incident} canAssign={canAssign} onChanged={(d) => setResult({ ...result, deployment: d })} />
        )}
      </div>
      {!result && !pending && (
        <section class="result result-idle" aria-label="Result">
          <p class="result-word">Ready to scan</p>
          <p>The result appears here.</p>
        </section>
      )}

      <RecentScans recent={recent} />

      <WalkUpDesk incident={incident} />
    </>
  );
}

/**
 * No badge: the licence number (typed, or read from the card's barcode into the field) checked at the licensing
 * board. The staff member states that two forms of ID were seen: the lookup says whether the licence is good, not
 * who is standing at the station.
 */
function LicenceForm({ onSubmit, busy }: { onSubmit: (l: LicenceEntry) => void; busy: boolean }) {
  const [entry, setEntry] = useState<LicenceEntry>(NO_LICENCE);
  const ready = entry.licenceNumber.trim() !== '' && /^[A-Z]{2}$/.test(entry.state) && entry.twoFormsOfIdSeen;
  const submit = (e: Event): void => {
    e.preventDefault();
    if (!ready) return;
    onSubmit({ ...entry, licenceNumber: entry.licenceNumber.trim() });
    setEntry({ ...NO_LICENCE, state: entry.state, profession: entry.profession });
  };
  return (
    <details class="licence-check" data-testid="licence-check">
      <summary>No badge? Check a licence number with the licensing board</summary>
      <form onSubmit={submit} aria-label="Licence check">
        <div class="row">
          <div class="field">
            <label for="licence-number">Licence number</label>
            <input
              id="licence-number"
              type="text"
              autocomplete="off"
              maxLength={40}
              value={entry.licenceNumber}
              onInput={(e) => setEntry({ ...entry, licenceNumber: e.currentTarget.value })}
            />
          </div>
          <div class="field">
            <label for="licence-state">State (2 letters)</label>
            <input
              id="licence-state"
              type="text"
              autocomplete="off"
              maxLength={2}
              value={entry.state}
              onInput={(e) => setEntry({ ...entry, state: e.currentTarget.value.toUpperCase() })}
            />
          </div>
          <div class="field">
            <label for="licence-profession">Profession</label>
            <select id="licence-profession" value={entry.profession} onChange={(e) => setEntry({ ...entry, profession: e.currentTarget.value })}>
              {PROFESSIONS.map(([code, label]) => (
                <option key={code} value={code}>
                  {label} ({code})
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="licence-name">Name on the ID (optional)</label>
            <input id="licence-name" type="text" maxLength={200} value={entry.name} onInput={(e) => setEntry({ ...entry, name: e.currentTarget.value })} />
          </div>
        </div>
        <label class="checkbox">
          <input
            id="licence-two-ids"
            type="checkbox"
            checked={entry.twoFormsOfIdSeen}
            onChange={(e) => setEntry({ ...entry, twoFormsOfIdSeen: e.currentTarget.checked })}
          />{' '}
          I have seen two forms of ID, and they match this person (recorded under my name)
        </label>
        <div class="actions">
          <button type="submit" class="button-primary" disabled={!ready || busy}>
            Check licence
          </button>
        </div>
      </form>
    </details>
  );
}

function announce(res: CheckInResponse): string {
  const name = res.responder?.name ?? res.verification.credential?.subject.name ?? 'Unknown person';
  const reasons = res.reasons.map(reasonText).join('. ');
  return `${DECISION_WORD[res.decision]}: ${name}. ${reasons}`;
}

function TextField({ id, label, value, onInput }: { id: string; label: string; value: string; onInput: (v: string) => void }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} type="text" value={value} maxLength={200} onInput={(e) => onInput(e.currentTarget.value)} />
    </div>
  );
}

function ScanResult({
  result,
  scanned,
  incident,
  canAssign,
  onChanged,
}: {
  result: CheckInResponse;
  scanned: string;
  incident: Incident;
  canAssign: boolean;
  onChanged: (d: Deployment) => void;
}) {
  const credential = result.verification.credential;
  const deployment = result.deployment;
  const name = result.responder?.name ?? credential?.subject.name ?? deployment?.responder.name ?? 'Unknown person';
  const qualification = deployment?.credential.qualification ?? credential?.qualification ?? result.responder?.qualifications.join(', ');
  const issuer = credential?.issuer.registryName ?? deployment?.credential.issuerName;
  const primary = result.verification.evidence.primarySource;
  return (
    <section class={`result result-${result.decision}`} aria-labelledby="result-word" data-decision={result.decision} data-testid="scan-result">
      <p class="result-word" id="result-word">
        <span class="result-icon" aria-hidden="true">
          {DECISION_ICON[result.decision]}
        </span>{' '}
        {DECISION_WORD[result.decision]}
      </p>
      <p class="result-name" data-testid="result-name">
        {name}
      </p>
      {primary && (
        <p class="notice notice-info primary-source" data-testid="result-primary-source">
          {primary.result === 'indeterminate'
            ? `Not verified: ${primary.sourceName} gave no usable answer (${primary.detail ?? 'no answer'}).`
            : `Verified with the primary source (${primary.sourceName}) at ${formatTime(primary.lookedUpAt)}${primary.cached ? ' (cached answer)' : ''}.`}{' '}
          <span class="hint">{primary.assurance}</span>
        </p>
      )}
      <dl class="facts result-facts">
        <dt>Qualification</dt>
        <dd>{qualification || 'Not recognised'}</dd>
        <dt>Issuer</dt>
        <dd>{issuer ?? 'Not in the trust registry'}</dd>
        {(deployment?.credential.licenseNumber ?? credential?.licenseNumber) && (
          <>
            <dt>Licence</dt>
            <dd>{deployment?.credential.licenseNumber ?? credential?.licenseNumber}</dd>
          </>
        )}
        {result.practiceAuthority?.basis && (
          <>
            <dt>May practise here</dt>
            <dd data-testid="result-basis">{result.practiceAuthority.basis.text}</dd>
          </>
        )}
        {result.practiceAuthority?.level.level && (
          <>
            <dt>ESAR-VHP level</dt>
            <dd data-testid="result-level" title={result.practiceAuthority.level.rule}>
              Level {result.practiceAuthority.level.level}
            </dd>
          </>
        )}
        {deployment && (
          <>
            <dt>Position</dt>
            <dd>{deployment.position?.name ?? 'None yet'}</dd>
            <dt>Location</dt>
            <dd>{deployment.location?.name ?? 'Not stated'}</dd>
            <dt>Status</dt>
            <dd>
              {STATUS_WORD[deployment.status]}
              {deployment.assignment ? ` – ${deployment.assignment}` : ''}
            </dd>
          </>
        )}
      </dl>
      {result.reasons.length > 0 && (
        <div class="reasons">
          <h2>{result.decision === 'denied' ? 'Why' : 'Warnings'}</h2>
          <ul data-testid="result-reasons">
            {result.reasons.map((r, i) => (
              <li key={`${r.code}-${i}`} data-code={r.code}>
                {reasonText(r)}
              </li>
            ))}
          </ul>
        </div>
      )}
      {result.alreadyCheckedIn && deployment && (
        <p class="notice notice-info">
          <span aria-hidden="true">ℹ </span>Already checked in here since {formatTime(deployment.checkedInAt)}.
        </p>
      )}
      {deployment && deployment.status !== 'demobilized' && (
        <AfterAdmission deployment={deployment} incident={incident} canAssign={canAssign} onChanged={onChanged} />
      )}
      {deployment?.status === 'demobilized' && <Notice kind="ok">Checked out at {formatTime(deployment.checkedOutAt)}.</Notice>}
      {deployment?.status === 'demobilized' && <DeploymentRecordPanel incidentId={incident.id} deploymentId={deployment.id} />}
      {result.reasons.some((r) => r.code === 'deployment_record') && <PresentedRecordPanel credential={scanned} />}
      <details class="result-checks">
        <summary>Every check</summary>
        <ChecksList checks={result.verification.checks} />
        <CredentialFacts credential={credential} />
      </details>
    </section>
  );
}

/** What station staff do right after an admission: ICS 211 blocks, an assignment (commanders), a check-out. */
function AfterAdmission({
  deployment,
  incident,
  canAssign,
  onChanged,
}: {
  deployment: Deployment;
  incident: Incident;
  canAssign: boolean;
  onChanged: (d: Deployment) => void;
}) {
  const [agency, setAgency] = useState(deployment.ics211.agency ?? '');
  const [homeUnit, setHomeUnit] = useState(deployment.ics211.homeUnit ?? '');
  const [order, setOrder] = useState(deployment.ics211.orderRequestNumber ?? '');
  const [assignment, setAssignment] = useState(deployment.assignment ?? deployment.ics211.incidentAssignment ?? '');
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const action = useAction();
  const base = `/incidents/${incident.id}/deployments/${deployment.id}`;
  // The release checklist (ICS 221) is read once a check-out was refused for it: most incidents have none.
  const [releasing, setReleasing] = useState(false);
  const release = useRelease(incident.id, deployment.id, releasing);

  const saveIcs211 = async (e: Event): Promise<void> => {
    e.preventDefault();
    const body: Record<string, string> = {};
    if (agency.trim()) body.agency = agency.trim();
    if (homeUnit.trim()) body.homeUnit = homeUnit.trim();
    if (order.trim()) body.orderRequestNumber = order.trim();
    if (assignment.trim()) body.incidentAssignment = assignment.trim();
    const updated = await action.run(async () => {
      let d = await api.patch<Deployment>(`${base}/ics211`, body);
      if (canAssign && assignment.trim() && assignment.trim() !== d.assignment) {
        d = await api.post<Deployment>(`${base}/status`, { status: 'assigned', assignment: assignment.trim() });
      }
      return d;
    });
    if (updated) {
      onChanged(updated);
      setSaved('Saved.');
    }
  };

  const checkOut = async (): Promise<void> => {
    const updated = await action.run(async () => {
      try {
        return await api.post<Deployment>(`${base}/check-out`, {});
      } catch (err) {
        if (err instanceof ApiError && err.code === 'demob_incomplete') setReleasing(true);
        throw err;
      }
    });
    if (updated) {
      onChanged(updated);
      setSaved(`Checked out after ${updated.hoursOnScene} hours on scene.`);
    }
  };

  return (
    <>
      <form class="after-admission" onSubmit={(e) => void saveIcs211(e)} aria-label="Details and assignment">
        <div class="row">
          <TextField id="dep-agency" label="Agency" value={agency} onInput={setAgency} />
          <TextField id="dep-home-unit" label="Home unit" value={homeUnit} onInput={setHomeUnit} />
          <TextField id="dep-order" label="Order request number" value={order} onInput={setOrder} />
          <TextField
            id="dep-assignment"
            label={canAssign ? 'Assign to (division, group, staging)' : 'Incident assignment (ICS 211)'}
            value={assignment}
            onInput={setAssignment}
          />
        </div>
        <div class="actions">
          <button type="submit" class="button-secondary" disabled={action.busy}>
            Save details
          </button>
          <button type="button" class="button-secondary" disabled={action.busy} onClick={() => void checkOut()}>
            Check out
          </button>
          {saved && !action.error && (
            <span role="status" class="saved">
              <span aria-hidden="true">✔ </span>
              {saved}
            </span>
          )}
        </div>
        <ErrorNotice error={action.error} />
      </form>
      {release.data?.required && <ReleaseChecklist incidentId={incident.id} release={release.data} onChanged={release.reload} />}
    </>
  );
}

function RecentScans({ recent }: { recent: AsyncState<RecentScan[]> }) {
  return (
    <section class="recent" aria-labelledby="recent-title">
      <h2 id="recent-title">Last scans</h2>
      {recent.error && <ErrorNotice error={recent.error} />}
      {!recent.data && !recent.error && <Loading what="the last scans" />}
      {recent.data && recent.data.length === 0 && <p>No scans yet at this incident.</p>}
      {recent.data && recent.data.length > 0 && (
        <ol class="recent-list" data-testid="recent-scans">
          {recent.data.map((s) => (
            <li key={s.attemptId} class={`recent-item decision-${s.decision}`} data-decision={s.decision}>
              <span class="badge">
                <span aria-hidden="true">{DECISION_ICON[s.decision]} </span>
                {DECISION_WORD[s.decision]}
              </span>
              <span class="recent-name">{s.name ?? 'Unreadable credential'}</span>
              {s.qualification && <span class="recent-qual">{s.qualification}</span>}
              <time dateTime={s.performedAt}>{formatClock(s.performedAt)}</time>
              {s.decision !== 'admitted' && s.reasons.length > 0 && <span class="recent-reason">{s.reasons.map(reasonText).join(' ')}</span>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
