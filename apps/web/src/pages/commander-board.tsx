import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/http';
import type { Deployment, JobView, MissingPerson, OutOfServiceReason, ResourceStatus, ReverifyJob, StatusHistory, WorkLimit } from '../api/types';
import { BellIcon } from '../components/icons';
import { DeploymentRecordPanel } from '../components/deployment-record';
import { armSoundOnFirstGesture, beep, enableSound, soundReady } from '../components/alert-sound';
import { IncidentSelect, useIncidentChoice } from '../components/incident-picker';
import { ErrorNotice, Loading, Notice } from '../components/notices';
import { ReleaseChecklist, useRelease } from '../components/release';
import { StillMissing, useStillMissing } from '../components/still-missing';
import { useWorkLimits, WorkLimitPills } from '../components/work-limits';
import { toApiError, useAction } from '../components/use-async';
import { countByLevel, countRoster, filterRoster, groupRoster, type BoardState } from '../live/board-state';
import { changesMissing } from '../live/par-state';
import type { LiveConnectionState, LiveEvent, RosterEntry } from '../live/protocol';
import { useLiveBoard, useOnReconnect } from '../live/use-live-board';
import type { DeviceLogRecord } from '../../../../libs/offline/src/devices/device-log';
import { changeStatusOffline, loadStation, stationLog, syncStation, type LoggedScan, type ResourceStatusChange } from '../offline/station';
import { api, useSession } from '../session';
import { useRoute } from '../router';
import { useStore } from '../store';
import { formatClock, formatTime, OOS_REASON_WORD, reasonText, STATUS_WORD } from '../text';

/** Commander board: the incident's roster, live, with people missing after a roll call and credential alerts on top. */
export function CommanderBoardPage() {
  const choice = useIncidentChoice({ includeClosed: true });
  const incident = choice.chosen;
  const route = useRoute();
  // With no network the incident list cannot load: the incident in the address still opens its board stored on the device.
  const incidentId = incident?.id ?? (choice.incidents.error ? (route.params.get('incident') ?? undefined) : undefined);
  const session = useSession();
  const canAct = session?.user.role === 'admin' || session?.user.role === 'commander';
  const [flash, setFlash] = useState(0);
  const [sounded, setSounded] = useState(0);

  useEffect(() => armSoundOnFirstGesture(), []);

  const missing = useStillMissing(incidentId);
  const limits = useWorkLimits(incidentId);
  const onEvent = (event: LiveEvent): void => {
    if (event.name === 'credential.flagged' || event.name === 'par.missing') {
      if (beep()) setSounded((n) => n + 1);
      setFlash((n) => n + 1);
    }
    if (changesMissing(event, missing.data)) missing.reload();
    if (LIMIT_EVENTS.has(event.name)) limits.reloadSoon();
  };
  const live = useLiveBoard(incidentId, onEvent);
  const shown = incidentId !== undefined;
  // Roll-call events missed while the feed was down are not replayed to these lists: read them again on reconnection.
  useOnReconnect(live.connection, () => {
    missing.reload();
    limits.reload();
  });

  return (
    <div class="page board">
      <h1>Commander board</h1>
      <div class="board-top">
        <IncidentSelect choice={choice} />
        {shown && <ConnectionBadge state={live.connection} />}
      </div>
      {shown && live.connection !== 'online' && live.connection !== 'connecting' && <OfflineBanner state={live.connection} />}
      {shown && live.board && live.asOf && (live.fromDevice || live.connection !== 'online') && (
        <p class="notice notice-warn" data-testid="board-as-of">
          {live.connection === 'online' ? 'Stored on this device' : 'Offline'}, as of {formatTime(live.asOf)}: this board may be out of date.
        </p>
      )}
      {shown && <QueuedChanges incidentId={incidentId} />}
      {live.refusal && (
        <Notice kind="error">
          The board is not available: {live.refusal.message} ({live.refusal.code})
        </Notice>
      )}
      {shown && !live.board && !live.refusal && <Loading what="the board" />}
      {shown && live.board && (
        <Board
          board={live.board}
          incidentNumber={incident?.number ?? live.board.incident.number ?? ''}
          canAct={canAct}
          flash={flash}
          sounded={sounded}
          progress={live.progress}
          stale={live.connection !== 'online' || live.fromDevice}
          missing={missing.data ?? []}
          limits={limits.data ?? []}
        />
      )}
    </div>
  );
}

/** Board events after which the work-limit list is read again (soon, once for a burst). */
const LIMIT_EVENTS: ReadonlySet<LiveEvent['name']> = new Set(['deployment.checked_in', 'deployment.status_changed', 'deployment.limit_approaching']);
const NO_LIMITS: readonly WorkLimit[] = [];

/** The limit head counts shown under the others: near a limit (amber), over one (red), in mandatory rest (amber). */
function countLimits(limits: readonly WorkLimit[]): Array<[string, number, WorkLimit['level']]> {
  const near = new Set<string>();
  const over = new Set<string>();
  const resting = new Set<string>();
  for (const l of limits) {
    if (l.limit === 'rest_between_periods') resting.add(l.deploymentId);
    else (l.level === 'breached' ? over : near).add(l.deploymentId);
  }
  for (const id of over) near.delete(id);
  const rows: Array<[string, number, WorkLimit['level']]> = [
    ['Over a work limit', over.size, 'breached'],
    ['Near a work limit', near.size, 'approaching'],
    ['In mandatory rest', resting.size, 'approaching'],
  ];
  return rows.filter(([, n]) => n > 0);
}

/** The signed record of a device log entry (what was queued). */
const recordOf = (s: LoggedScan): Pick<DeviceLogRecord, 'kind' | 'status'> => JSON.parse(s.entry.record) as DeviceLogRecord;

/** Fired when a status change is queued on this device, so the board lists it at once. */
const OFFLINE_QUEUE_CHANGED = 'offline-queue-changed';

/**
 * Status changes made on this board while the network was down, queued on this device (docs/offline.md): listed
 * until synced, synced when the network returns, and any the server refused named with its reason.
 */
function QueuedChanges({ incidentId }: { incidentId: string }) {
  const [pending, setPending] = useState<LoggedScan[]>([]);
  const [result, setResult] = useState<{ applied: number; refused: LoggedScan[] } | null>(null);

  useEffect(() => {
    let live = true;
    let syncing = false;
    const reload = async (): Promise<LoggedScan[]> => {
      const station = await loadStation(incidentId);
      const queued = station ? (await stationLog(station)).filter((s) => !s.synced && recordOf(s).kind === 'status_change') : [];
      if (live) setPending(queued);
      return queued;
    };
    const sync = async (): Promise<void> => {
      if (syncing || !navigator.onLine) return;
      syncing = true;
      try {
        const queued = await reload();
        if (queued.length === 0) return;
        const out = await syncStation(incidentId);
        // The station's own scans sync in the same upload: only the board's status changes are reported here.
        const refused = out.changed
          .filter((c) => c.sync?.outcome === 'refused')
          .concat(out.rejected)
          .filter((c) => recordOf(c).kind === 'status_change');
        if (live) setResult({ applied: queued.length - refused.length, refused });
      } catch {
        // Still no answer from the server: the changes stay queued for the next time the network returns.
      } finally {
        syncing = false;
        await reload();
      }
    };
    const onQueued = (): void => void reload();
    const onOnline = (): void => void sync();
    window.addEventListener(OFFLINE_QUEUE_CHANGED, onQueued);
    window.addEventListener('online', onOnline);
    void sync();
    return () => {
      live = false;
      window.removeEventListener(OFFLINE_QUEUE_CHANGED, onQueued);
      window.removeEventListener('online', onOnline);
    };
  }, [incidentId]);

  if (pending.length === 0 && !result) return null;
  return (
    <div data-testid="queued-changes">
      {pending.length > 0 && (
        <Notice kind="warn">
          Queued on this device until the network returns:{' '}
          {pending.map((p) => `${p.name ?? 'someone'} → ${STATUS_WORD[recordOf(p).status ?? 'available']}`).join('; ')}
        </Notice>
      )}
      {result && (
        <Notice kind={result.refused.length > 0 ? 'error' : 'ok'}>
          {result.applied} queued status change(s) applied.
          {result.refused.map((r) => ` ${r.name ?? 'someone'}: not applied (${r.sync?.code ?? r.sync?.status ?? 'refused'}) ${r.sync?.message ?? ''}`).join('')}
        </Notice>
      )}
    </div>
  );
}

function ConnectionBadge({ state }: { state: LiveConnectionState }) {
  const words: Record<LiveConnectionState, string> = {
    connecting: 'Connecting…',
    online: 'Live',
    offline: 'Offline',
    unauthorized: 'Signed out of live updates',
  };
  return (
    <p class={`connection connection-${state}`} data-testid="connection" data-state={state}>
      <span aria-hidden="true">{state === 'online' ? '●' : '○'} </span>
      {words[state]}
    </p>
  );
}

function OfflineBanner({ state }: { state: LiveConnectionState }) {
  return (
    <div class="offline-banner" role="alert" data-testid="offline-banner">
      <span aria-hidden="true">⚠ </span>
      {state === 'unauthorized'
        ? 'Live updates stopped: the session was refused. Reconnecting with a fresh sign-in…'
        : 'Offline: the board is not receiving updates and may be out of date. Reconnecting…'}
    </div>
  );
}

function Board({
  board,
  incidentNumber,
  canAct,
  flash,
  sounded,
  progress,
  stale,
  missing,
  limits,
}: {
  board: BoardState;
  incidentNumber: string;
  canAct: boolean;
  flash: number;
  sounded: number;
  progress: ReturnType<typeof useLiveBoard>['progress'];
  stale: boolean;
  /** Still missing after a roll call (the ones on this board: someone checked out since is not). */
  missing: readonly MissingPerson[];
  /** Who is near or over a work limit, or in mandatory rest. */
  limits: readonly WorkLimit[];
}) {
  const counts = countRoster(board.roster);
  const byLevel = countByLevel(board.roster);
  const [search, setSearch] = useState('');
  const [qualification, setQualification] = useState<string | null>(null);
  const [level, setLevel] = useState<string | null>(null);
  const filtered = search.trim() !== '' || qualification !== null || level !== null;
  const shown = filtered ? filterRoster(board.roster, { search, qualification, level }) : board.roster;
  const showEveryone = (): void => {
    setSearch('');
    setQualification(null);
    setLevel(null);
  };
  const sound = useStore(soundReady);
  const download = useAction();
  const [released, setReleased] = useState<{ deploymentId: string; name: string } | undefined>(undefined);
  const onScene = new Set(board.roster.map((r) => r.deploymentId));
  const missingHere = missing.filter((m) => onScene.has(m.deploymentId));
  const missingIds = new Set(missingHere.map((m) => m.deploymentId));
  const groups = groupRoster(shown, missingIds);
  const limitsOf = new Map<string, WorkLimit[]>();
  for (const l of limits) if (onScene.has(l.deploymentId)) limitsOf.set(l.deploymentId, [...(limitsOf.get(l.deploymentId) ?? []), l]);
  const limitCounts = countLimits([...limitsOf.values()].flat());

  return (
    <>
      <section class="board-toolbar" aria-label="Board actions">
        <p class="board-title">
          {board.incident.name}
          {board.incident.state === 'closed' ? ' (closed)' : ''}
        </p>
        {canAct && <ReverifyButton incidentId={board.incidentId} progress={progress} />}
        <button
          type="button"
          class="button-secondary"
          disabled={download.busy}
          onClick={() => void download.run(() => api.download(`/incidents/${board.incidentId}/ics211.csv`, `ics211-${incidentNumber}.csv`))}
        >
          <span aria-hidden="true">⬇ </span>ICS 211 (CSV)
        </button>
        {/* One button in both states, the same size: the first tap anywhere turns sound on, and a toolbar that changed
            shape under that tap would move the roster, so the tap would land beside what was aimed at. */}
        <button type="button" class="button-secondary sound-toggle" onClick={enableSound} disabled={sound} aria-pressed={sound}>
          <BellIcon />
          {sound ? 'Alert sound on' : 'Turn on alert sound'}
        </button>
        <ErrorNotice error={download.error} prefix="Download failed" />
      </section>

      <Alerts board={board} missing={missingHere} flash={flash} sounded={sounded} />

      {released && (
        <section class="released" aria-label={`Released: ${released.name}`} data-testid="released">
          <p>{released.name} is checked out. Hand over the deployment record:</p>
          <DeploymentRecordPanel key={released.deploymentId} incidentId={board.incidentId} deploymentId={released.deploymentId} />
          <button type="button" class="button-secondary" onClick={() => setReleased(undefined)}>
            Close
          </button>
        </section>
      )}

      <section class="counts" aria-label="Head count" data-testid="counts">
        <p class="count-total">
          <strong>{counts.total}</strong> on scene{stale ? ' (as of the last update)' : ''}
        </p>
        <ul class="count-list" aria-label="By status">
          {(['assigned', 'available', 'out_of_service'] as ResourceStatus[]).map((s) => (
            <li key={s} class={`count status-${s}`}>
              {STATUS_WORD[s]}: <strong>{counts.byStatus[s]}</strong>
            </li>
          ))}
        </ul>
        <ul class="count-list" aria-label="By qualification (select to filter)" data-testid="counts-by-qualification">
          {Object.entries(counts.byQualification)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([q, n]) => (
              <li key={q} class="count" data-qualification={q}>
                <button type="button" class="button-small" aria-pressed={qualification === q} onClick={() => setQualification(qualification === q ? null : q)}>
                  {q}: <strong>{n}</strong>
                </button>
              </li>
            ))}
        </ul>
        {limitCounts.length > 0 && (
          <ul class="count-list" aria-label="Work and rest limits" data-testid="counts-by-limit">
            {limitCounts.map(([label, n, level]) => (
              <li key={label} class={`count limit-pill limit-${level}`}>
                {label}: <strong>{n}</strong>
              </li>
            ))}
          </ul>
        )}
        <ul class="count-list" aria-label="By ESAR-VHP level (select to filter)" data-testid="counts-by-level">
          {byLevel.map(([l, n]) => (
            <li key={l} class="count" data-level={l}>
              <button type="button" class="button-small" aria-pressed={level === l} onClick={() => setLevel(level === l ? null : l)}>
                {l === 'none' ? 'No level' : `Level ${l}`}: <strong>{n}</strong>
              </button>
            </li>
          ))}
        </ul>
      </section>

      <div class="roster-find">
        <div class="field">
          <label for="roster-search">Find a responder</label>
          <input
            id="roster-search"
            type="search"
            autocomplete="off"
            placeholder="Name, qualification, agency, position, assignment"
            value={search}
            onInput={(e) => setSearch(e.currentTarget.value)}
          />
        </div>
        {filtered && (
          <p class="roster-shown" role="status" data-testid="roster-shown">
            Showing {shown.length} of {board.roster.length}.{' '}
            <button type="button" class="button-small" onClick={showEveryone}>
              Show everyone
            </button>
          </p>
        )}
      </div>

      <section class="roster" aria-label="Roster" data-testid="roster">
        {groups.length === 0 && <p>{filtered ? 'Nobody on this board matches.' : 'Nobody is checked in yet.'}</p>}
        {groups.map((g) => (
          <div key={g.key} class={`roster-group status-${g.status}`}>
            <h2>
              {g.title} <span class="group-count">({g.entries.length})</span>
            </h2>
            <ul class="cards">
              {g.entries.map((r) => (
                <RosterCard
                  key={r.deploymentId}
                  entry={r}
                  missing={missingIds.has(r.deploymentId)}
                  limits={limitsOf.get(r.deploymentId) ?? NO_LIMITS}
                  incidentId={board.incidentId}
                  canAct={canAct}
                  onReleased={() => setReleased({ deploymentId: r.deploymentId, name: r.name })}
                />
              ))}
            </ul>
          </div>
        ))}
      </section>

      {board.denied.length > 0 && (
        <section class="denied" aria-labelledby="denied-title">
          <h2 id="denied-title">Denied at check-in (since this board opened)</h2>
          <ul>
            {board.denied.map((d) => (
              <li key={d.attemptId}>
                <span aria-hidden="true">✖ </span>
                <strong>{d.name ?? 'Unknown'}</strong> at {formatClock(d.at)}: {d.reasons.map(reasonText).join(' ')}
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

/** `sounded`: alerts this board made audible (a data attribute, so the browser tests can tell the beep played). */
function Alerts({ board, missing, flash, sounded }: { board: BoardState; missing: readonly MissingPerson[]; flash: number; sounded: number }) {
  if (missing.length === 0 && board.alerts.length === 0 && board.expiring.length === 0) return null;
  return (
    <section class={`alerts${flash > 0 ? ' alerts-flash' : ''}`} key={`alerts-${flash}`} aria-label="Alerts" data-testid="alerts" data-sounded={sounded}>
      <StillMissing people={missing} />
      {board.alerts.length > 0 && (
        <div class="alert-box" role="alert">
          <h2>
            <span aria-hidden="true">⚠ </span>Credential problems ({board.alerts.length})
          </h2>
          <ul>
            {board.alerts.map((a) => (
              <li key={a.deploymentId} data-deployment={a.deploymentId} data-code={a.flag.code}>
                <strong>{a.name}</strong>: {a.flag.message} <span class="code">{a.flag.code.toUpperCase()}</span>{' '}
                <time dateTime={a.flag.at}>{formatClock(a.flag.at)}</time>
              </li>
            ))}
          </ul>
        </div>
      )}
      {board.expiring.length > 0 && (
        <div class="warn-box" role="status">
          <h2>
            <span aria-hidden="true">⚠ </span>Credentials expiring soon ({board.expiring.length})
          </h2>
          <ul>
            {board.expiring.map((x) => (
              <li key={x.deploymentId}>
                <strong>{x.name}</strong>: valid until {formatTime(x.validUntil)}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function RosterCard({
  entry,
  missing,
  limits,
  incidentId,
  canAct,
  onReleased,
}: {
  entry: RosterEntry;
  missing: boolean;
  limits: readonly WorkLimit[];
  incidentId: string;
  canAct: boolean;
  onReleased: () => void;
}) {
  const [panel, setPanel] = useState<'none' | 'status' | 'checkout' | 'history'>('none');
  const flagged = !!entry.credentialFlag;
  const toggle = (p: typeof panel): void => setPanel(panel === p ? 'none' : p);
  const nameId = `name-${entry.deploymentId}`;
  return (
    <li
      class={`card${flagged ? ' card-flagged' : ''}${missing ? ' card-missing' : ''}`}
      data-deployment={entry.deploymentId}
      data-status={entry.status}
      data-missing={missing || undefined}
      aria-labelledby={nameId}
    >
      <div class="card-head">
        <p class="card-name" id={nameId}>
          {missing && <span class="flag-badge">✖ MISSING</span>}
          {flagged && <span class="flag-badge">⚠ FLAGGED</span>}
          {entry.name}
        </p>
        <p class={`status-pill status-${entry.status}`}>
          {STATUS_WORD[entry.status]}
          {entry.status === 'out_of_service' && entry.statusReason ? ` – ${OOS_REASON_WORD[entry.statusReason]}` : ''}
        </p>
      </div>
      <p class="card-line">
        <strong>{entry.qualifications.join(', ') || 'No qualification'}</strong>
        {entry.issuerName ? ` · ${entry.issuerName}` : ''}
      </p>
      <p class="card-line">
        {entry.position ? entry.position.name : 'No position'}
        {entry.location ? ` · ${entry.location.name}` : ''}
        {entry.agency && entry.agency !== entry.issuerName ? ` · ${entry.agency}` : ''}
      </p>
      {(entry.practiceBasis || entry.esarVhpLevel) && (
        <p class="card-line" data-testid="practice-basis">
          {entry.esarVhpLevel ? <span class="level-pill">ESAR-VHP {entry.esarVhpLevel}</span> : null}
          {entry.practiceBasis ? ` ${entry.practiceBasis}` : ''}
        </p>
      )}
      <WorkLimitPills limits={limits} />
      {entry.pendingVerification && (
        <p class="card-line" data-testid="pending-verification">
          <span class="pending-pill">Walk-up · pending verification</span> General-support positions only
        </p>
      )}
      <p class="card-line hint">Checked in {formatTime(entry.checkedInAt)}</p>
      {flagged && entry.credentialFlag && (
        <p class="card-flag" role="note">
          <span aria-hidden="true">⚠ </span>
          {entry.credentialFlag.message}
        </p>
      )}
      <div class="card-actions">
        {canAct && (
          <>
            <button type="button" class="button-small" aria-expanded={panel === 'status'} onClick={() => toggle('status')}>
              Change status
            </button>
            <button type="button" class="button-small" aria-expanded={panel === 'checkout'} onClick={() => toggle('checkout')}>
              Check out
            </button>
          </>
        )}
        <button type="button" class="button-small" aria-expanded={panel === 'history'} onClick={() => toggle('history')}>
          History
        </button>
      </div>
      {panel === 'status' && (
        <StatusForm
          entry={entry}
          inMandatoryRest={limits.some((l) => l.limit === 'rest_between_periods')}
          incidentId={incidentId}
          onDone={() => setPanel('none')}
        />
      )}
      {panel === 'checkout' && (
        <CheckOutForm
          entry={entry}
          incidentId={incidentId}
          onDone={(checkedOut) => {
            setPanel('none');
            if (checkedOut) onReleased();
          }}
        />
      )}
      {panel === 'history' && <History entry={entry} incidentId={incidentId} />}
    </li>
  );
}

/**
 * ICS resource status: Assigned (to a division, group or staging area), Available, Out of service (with a reason).
 * Assigning someone in mandatory rest takes a reason, kept in the audit trail (`overrideReason`).
 */
function StatusForm({ entry, inMandatoryRest, incidentId, onDone }: { entry: RosterEntry; inMandatoryRest: boolean; incidentId: string; onDone: () => void }) {
  const [status, setStatus] = useState<ResourceStatus>(entry.status);
  const [assignment, setAssignment] = useState(entry.assignment ?? '');
  const [reason, setReason] = useState<OutOfServiceReason>(entry.statusReason ?? 'rest');
  const [note, setNote] = useState('');
  const [overrideReason, setOverrideReason] = useState('');
  const action = useAction();
  // Known from the board's limits, or learnt from the server's answer when the board's copy was behind.
  const needsOverride = status === 'assigned' && (inMandatoryRest || action.error?.code === 'rest_override_required');
  const id = entry.deploymentId;
  const first = useRef<HTMLSelectElement>(null);
  useEffect(() => first.current?.focus(), []);

  const save = async (e: Event): Promise<void> => {
    e.preventDefault();
    const body: Record<string, string> = { status };
    if (status === 'assigned') body.assignment = assignment.trim();
    if (needsOverride) body.overrideReason = overrideReason.trim();
    if (status === 'out_of_service') body.reason = reason;
    if (note.trim()) body.note = note.trim();
    const done = await action.run(async () => {
      try {
        return await api.post<Deployment>(`/incidents/${incidentId}/deployments/${id}/status`, body);
      } catch (err) {
        // No network: a device prepared for offline use at this incident logs the change (signed) and the server
        // applies it, with the same rules, when the device syncs; any other device reports the failure.
        if (!(err instanceof ApiError) || err.status !== 0 || !(await loadStation(incidentId))) throw err;
        const change: ResourceStatusChange = { status, ...(body.assignment ? { assignment: body.assignment } : {}), ...(body.note ? { note: body.note } : {}) };
        if (status === 'out_of_service') change.reason = reason;
        await changeStatusOffline(incidentId, id, change);
        window.dispatchEvent(new Event(OFFLINE_QUEUE_CHANGED));
        return true;
      }
    });
    // The board updates from the live event (or, for a queued change, when it is applied); the form just closes.
    if (done) onDone();
  };

  return (
    <form class="card-form" onSubmit={(e) => void save(e)} aria-label={`Change status of ${entry.name}`}>
      <div class="field">
        <label for={`status-${id}`}>New status</label>
        <select id={`status-${id}`} ref={first} value={status} onChange={(e) => setStatus(e.currentTarget.value as ResourceStatus)}>
          <option value="assigned">Assigned</option>
          <option value="available">Available</option>
          <option value="out_of_service">Out of service</option>
        </select>
      </div>
      {status === 'assigned' && (
        <div class="field">
          <label for={`assignment-${id}`}>Assignment (division, group, staging area)</label>
          <input id={`assignment-${id}`} type="text" required maxLength={120} value={assignment} onInput={(e) => setAssignment(e.currentTarget.value)} />
        </div>
      )}
      {needsOverride && (
        <OverrideReason id={`override-${id}`} label="Reason to end mandatory rest early (required)" value={overrideReason} onInput={setOverrideReason} />
      )}
      {status === 'out_of_service' && (
        <div class="field">
          <label for={`reason-${id}`}>Reason</label>
          <select id={`reason-${id}`} value={reason} onChange={(e) => setReason(e.currentTarget.value as OutOfServiceReason)}>
            {(Object.keys(OOS_REASON_WORD) as OutOfServiceReason[]).map((r) => (
              <option key={r} value={r}>
                {OOS_REASON_WORD[r]}
              </option>
            ))}
          </select>
        </div>
      )}
      <div class="field">
        <label for={`note-${id}`}>Note (optional)</label>
        <input id={`note-${id}`} type="text" maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </div>
      <div class="actions">
        <button type="submit" class="button-primary" disabled={action.busy}>
          Save status
        </button>
        <button type="button" class="button-secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
      <ErrorNotice error={action.error} />
    </form>
  );
}

/**
 * Check-out, confirmed. When the incident asks for a release process (ICS 221), its checklist comes first; before it
 * is complete a commander may still release with a reason (`overrideReason`, audited).
 */
function CheckOutForm({ entry, incidentId, onDone }: { entry: RosterEntry; incidentId: string; onDone: (checkedOut: boolean) => void }) {
  const id = entry.deploymentId;
  const release = useRelease(incidentId, id);
  const [note, setNote] = useState('');
  const [overrideReason, setOverrideReason] = useState('');
  const action = useAction();
  const { clear } = action;
  // The release as read is authoritative; without it, the server's refusal tells.
  const notReady = release.data ? release.data.required && !release.data.ready : action.error?.code === 'demob_incomplete';
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  useEffect(() => clear(), [release.data, clear]);
  const confirm = async (e: Event): Promise<void> => {
    e.preventDefault();
    const body: Record<string, string> = {};
    if (note.trim()) body.note = note.trim();
    if (notReady) body.overrideReason = overrideReason.trim();
    const done = await action.run(() => api.post<Deployment>(`/incidents/${incidentId}/deployments/${id}/check-out`, body));
    if (done) onDone(true);
  };
  return (
    <>
      {release.data?.required && <ReleaseChecklist incidentId={incidentId} release={release.data} onChanged={release.reload} />}
      <form class="card-form" onSubmit={(e) => void confirm(e)} aria-label={`Check out ${entry.name}`}>
        <div class="field">
          <label for={`checkout-note-${id}`}>Check-out note (optional)</label>
          <input id={`checkout-note-${id}`} ref={first} type="text" maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        </div>
        {notReady && (
          <OverrideReason
            id={`release-override-${id}`}
            label="Reason to release before the release process is complete (required)"
            value={overrideReason}
            onInput={setOverrideReason}
          />
        )}
        <div class="actions">
          <button type="submit" class="button-danger" disabled={action.busy}>
            {notReady ? `Release ${entry.name} anyway` : `Confirm check-out of ${entry.name}`}
          </button>
          <button type="button" class="button-secondary" onClick={() => onDone(false)}>
            Cancel
          </button>
        </div>
        <ErrorNotice error={action.error} />
      </form>
    </>
  );
}

/** The reason a commander gives for overriding a rule (kept in the audit trail), as long as the API takes it. */
function OverrideReason({ id, label, value, onInput }: { id: string; label: string; value: string; onInput: (value: string) => void }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} type="text" required minLength={3} maxLength={500} value={value} onInput={(e) => onInput(e.currentTarget.value)} />
    </div>
  );
}

function History({ entry, incidentId }: { entry: RosterEntry; incidentId: string }) {
  const [history, setHistory] = useState<StatusHistory | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  useEffect(() => {
    api.get<StatusHistory>(`/incidents/${incidentId}/deployments/${entry.deploymentId}/history`).then(setHistory, (e: unknown) => setError(toApiError(e)));
  }, [incidentId, entry.deploymentId, entry.status, entry.assignment]);
  if (error) return <ErrorNotice error={error} />;
  if (!history) return <Loading what="the history" />;
  const who = (a: StatusHistory['status'][number]['changedBy']): string =>
    a.kind === 'user' ? (a.email ?? 'a user') : a.kind === 'system' ? `the system${a.job ? ` (${a.job})` : ''}` : 'someone';
  return (
    <ol class="history">
      {history.status.map((h, i) => (
        <li key={i}>
          <time dateTime={h.changedAt}>{formatTime(h.changedAt)}</time>: {h.from ? `${describe(h.from)} → ` : ''}
          {describe(h.to)} by {who(h.changedBy)}
          {h.note ? ` – “${h.note}”` : ''}
        </li>
      ))}
    </ol>
  );
}

function describe(s: { status: string; reason?: string; assignment?: string }): string {
  const word = STATUS_WORD[s.status as ResourceStatus] ?? s.status;
  if (s.status === 'assigned' && s.assignment) return `${word} (${s.assignment})`;
  if (s.status === 'out_of_service' && s.reason) return `${word} (${OOS_REASON_WORD[s.reason as OutOfServiceReason] ?? s.reason})`;
  return word;
}

/** Starts a reverification of everyone on scene and follows it (job polling plus the board's progress events). */
function ReverifyButton({ incidentId, progress }: { incidentId: string; progress: ReturnType<typeof useLiveBoard>['progress'] }) {
  const [job, setJob] = useState<{ id: string; view?: JobView } | undefined>(undefined);
  const [message, setMessage] = useState<string | undefined>(undefined);
  const action = useAction();

  useEffect(() => {
    if (!job) return undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async (): Promise<void> => {
      try {
        const view = await api.get<JobView>(`/jobs/${encodeURIComponent(job.id)}`);
        if (stopped) return;
        setJob({ id: job.id, view });
        if (view.state === 'completed' || view.state === 'failed') return;
      } catch {
        if (stopped) return;
      }
      timer = setTimeout(() => void poll(), 1000);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [job?.id]);

  const start = async (): Promise<void> => {
    setMessage(undefined);
    try {
      const res = await api.post<ReverifyJob>(`/incidents/${incidentId}/reverify`, {});
      setJob({ id: res.jobId });
    } catch (err) {
      const e = toApiError(err);
      if (e.status === 404 && e.code === 'not_found') setMessage('Reverification on demand is not available on this server yet.');
      else setMessage(e.plain);
    }
  };

  const state = progress?.jobId === job?.id && progress ? progress.state : job?.view?.state;
  const done = progress?.jobId === job?.id && progress ? `${progress.done} of ${progress.total}` : progressText(job?.view);
  const running = !!job && state !== 'completed' && state !== 'failed';

  return (
    <span class="reverify">
      <button type="button" class="button-secondary" disabled={running || action.busy} onClick={() => void action.run(start)}>
        <span aria-hidden="true">↻ </span>Reverify now
      </button>
      {job && (
        <span role="status" class="hint" data-testid="reverify-status">
          {state === 'completed' ? 'Reverification finished' : state === 'failed' ? 'Reverification failed' : 'Reverifying'}
          {done ? ` (${done})` : '…'}
          {state === 'failed' && job.view?.error ? `: ${job.view.error}` : ''}
        </span>
      )}
      {message && (
        <span role="status" class="hint">
          {message}
        </span>
      )}
    </span>
  );
}

function progressText(view: JobView | undefined): string | undefined {
  return view && view.progress.total > 0 ? `${view.progress.done} of ${view.progress.total}` : undefined;
}
