import { useEffect, useState } from 'preact/hooks';
import { useIncidentChoice, IncidentSelect } from '../components/incident-picker';
import { api, useSession } from '../session';
import type { OfflineVerification } from '../../../../libs/credentials/src/offline/pack-verifier';
import {
  acknowledgeOffline,
  allStations,
  changeStatusOffline,
  checkOutOffline,
  loadStation,
  packOf,
  prepareStation,
  refreshPack,
  refreshPars,
  scanOffline,
  stationLog,
  syncStation,
  type LoggedScan,
  type ResourceStatusChange,
  type StationRecord,
} from './station';
import type { DeviceLogRecord } from '../../../../libs/offline/src/devices/device-log';

type Connection = 'online' | 'offline' | 'syncing';

const DECISION_TEXT: Record<string, string> = { admitted: 'ADMITTED', admitted_with_warnings: 'ADMITTED WITH WARNINGS', denied: 'DENIED' };

const STATUS_TEXT: Record<ResourceStatusChange['status'], string> = { assigned: 'Assigned', available: 'Available', out_of_service: 'Out of service' };

/** What a log entry did, for the table: a status change or acknowledgement is shown as queued until it syncs. */
function describe(l: LoggedScan): string {
  let record: Partial<DeviceLogRecord>;
  try {
    record = JSON.parse(l.entry.record) as Partial<DeviceLogRecord>;
  } catch {
    return l.decision;
  }
  if (record.kind === 'status_change' && record.status)
    return `queued: ${STATUS_TEXT[record.status]}${record.assignment ? ` (${record.assignment})` : ''}${record.reason ? ` (${record.reason})` : ''}`;
  if (record.kind === 'par_ack') return 'queued: PAR acknowledgement';
  return l.decision;
}

/** The change the status form makes, or why it cannot yet. */
function statusChange(status: ResourceStatusChange['status'], assignment: string, reason: string): ResourceStatusChange | string {
  if (status === 'assigned') return assignment.trim() ? { status, assignment: assignment.trim() } : 'Give the assignment (division, group, staging area).';
  if (status === 'out_of_service') return { status, reason: (reason || 'other') as NonNullable<DeviceLogRecord['reason']> };
  return { status };
}

/** Offline status change of one person on the pack's roster: status, and its assignment or reason. */
function StatusForm({ name, onQueue }: { name: string; onQueue: (change: ResourceStatusChange) => Promise<void> }) {
  const [status, setStatus] = useState<ResourceStatusChange['status']>('available');
  const [assignment, setAssignment] = useState('');
  const [reason, setReason] = useState('rest');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const submit = (e: Event): void => {
    e.preventDefault();
    const change = statusChange(status, assignment, reason);
    if (typeof change === 'string') return setProblem(change);
    setProblem(undefined);
    void onQueue(change);
  };
  return (
    <form class="offline-status" onSubmit={submit} aria-label={`Status of ${name}`}>
      <select value={status} onChange={(e) => setStatus(e.currentTarget.value as ResourceStatusChange['status'])} aria-label={`New status of ${name}`}>
        {Object.entries(STATUS_TEXT).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      {status === 'assigned' && (
        <input
          value={assignment}
          onInput={(e) => setAssignment(e.currentTarget.value)}
          placeholder="Division A"
          aria-label={`Assignment of ${name}`}
          maxLength={120}
        />
      )}
      {status === 'out_of_service' && (
        <select value={reason} onChange={(e) => setReason(e.currentTarget.value)} aria-label={`Why ${name} is out of service`}>
          <option value="rest">Rest</option>
          <option value="personnel">Personnel</option>
          <option value="other">Other</option>
        </select>
      )}
      <button type="submit">Queue status</button>
      {problem && <span class="field-error">{problem}</span>}
    </form>
  );
}

function age(fromIso: string | undefined, now: number): string {
  if (!fromIso) return 'no pack';
  const minutes = Math.max(0, Math.round((now - Date.parse(fromIso)) / 60_000));
  return minutes < 60 ? `${minutes} min old` : `${Math.floor(minutes / 60)} h ${minutes % 60} min old`;
}

/**
 * The station that keeps working without a network (docs/offline.md): prepared while online (device key, incident
 * pack), it verifies from the pack, logs every scan on the device, and syncs the log when the network returns.
 */
export function OfflineStationPage() {
  const session = useSession();
  const [online, setOnline] = useState(navigator.onLine);
  const [syncing, setSyncing] = useState(false);
  const [stations, setStations] = useState<StationRecord[]>([]);
  const [station, setStation] = useState<StationRecord | undefined>(undefined);
  const [packedAt, setPackedAt] = useState<string | undefined>(undefined);
  const [limitHours, setLimitHours] = useState<number | undefined>(undefined);
  const [roster, setRoster] = useState<Array<{ deploymentId: string; name: string }>>([]);
  const [log, setLog] = useState<LoggedScan[]>([]);
  const [text, setText] = useState('');
  const [result, setResult] = useState<OfflineVerification | undefined>(undefined);
  const [message, setMessage] = useState<string | undefined>(undefined);
  const [now, setNow] = useState(Date.now());
  const choice = useIncidentChoice();

  const reload = async (s: StationRecord | undefined): Promise<void> => {
    setStations(await allStations());
    setStation(s);
    if (!s) return;
    setLog(await stationLog(s));
    try {
      const loaded = await packOf(s);
      setPackedAt(loaded?.pack.packedAt);
      setLimitHours(loaded ? loaded.pack.policy.offlineStatusMaxAgeSeconds / 3600 : undefined);
      setRoster(loaded?.pack.roster ?? []);
    } catch (err) {
      setMessage(`The stored incident pack was refused: ${(err as Error).message}`);
    }
  };

  useEffect(() => {
    // navigator.onLine says only that there is a network interface: a probe of the server says whether it answers.
    const probe = (): void => {
      if (!navigator.onLine) return setOnline(false);
      api
        .request('GET', '/health/live', { signal: AbortSignal.timeout(5000) })
        .then(() => setOnline(true))
        .catch(() => setOnline(false));
    };
    probe();
    const poll = setInterval(probe, 10_000);
    const on = () => probe();
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    const tick = setInterval(() => setNow(Date.now()), 30_000);
    void allStations().then((list) => reload(list[0]));
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
      clearInterval(tick);
      clearInterval(poll);
    };
  }, []);

  const sync = async (s: StationRecord): Promise<void> => {
    setSyncing(true);
    try {
      const out = await syncStation(s.incidentId);
      const notes = [
        `${out.sent} scan(s) synced.`,
        ...out.rejected.map((r) => `Scan ${r.seq} rejected: ${r.sync?.message ?? r.sync?.code}`),
        ...out.changed.map((r) => `Scan ${r.seq} (${r.name ?? 'unknown'}): ${r.sync?.outcome} online, ${r.sync?.onlineDecision ?? r.sync?.code ?? ''}`),
      ];
      setMessage(notes.join(' '));
      await reload(await refreshPack(s).catch(() => s));
    } catch (err) {
      setMessage(`Sync stopped: ${(err as Error).message}. The scans stay on this device.`);
    } finally {
      setSyncing(false);
    }
  };

  // While online the pack is kept fresh (If-None-Match: a 304 when nothing changed): at once when the network returns,
  // when the station comes back to the foreground, and every 5 minutes. Not from the service worker: the sign-in token
  // lives in this tab's sessionStorage, which a background fetch cannot use.
  useEffect(() => {
    if (!online || !station) return undefined;
    const incidentId = station.incidentId;
    const refresh = (): void => {
      // The stored record, not this closure's: it holds the latest ETag.
      void loadStation(incidentId)
        .then((current) => refreshPack(current ?? station))
        .then((s) => refreshPars(s).catch(() => s))
        .then((s) => reload(s))
        .catch(() => undefined);
    };
    refresh();
    const onVisible = (): void => {
      if (document.visibilityState === 'visible') refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    const timer = setInterval(refresh, 5 * 60_000);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [online, station?.deviceId]);

  // Back online: upload what was scanned meanwhile.
  useEffect(() => {
    if (online && station && log.some((l) => !l.synced) && !syncing) void sync(station);
  }, [online, station?.deviceId]);

  const prepare = async (): Promise<void> => {
    const chosen = choice.chosen;
    if (!chosen || !session) return;
    try {
      setMessage(undefined);
      const prepared = await prepareStation(chosen.id, chosen.name, session.user.userId);
      await reload(await refreshPars(prepared).catch(() => prepared));
      setMessage('Ready for offline use.');
    } catch (err) {
      setMessage(`Could not prepare this station: ${(err as Error).message}`);
    }
  };

  const scan = async (e: Event): Promise<void> => {
    e.preventDefault();
    const credential = text.trim();
    setText('');
    if (!credential || !station) return;
    try {
      const { verification } = await scanOffline(station.incidentId, credential);
      setResult(verification);
      await reload((await loadStation(station.incidentId)) ?? station);
    } catch (err) {
      setMessage((err as Error).message);
    }
  };

  /** Writes an entry queued offline to the log, then shows it. */
  const queue = async (write: () => Promise<LoggedScan>, done: string): Promise<void> => {
    if (!station) return;
    try {
      await write();
      await reload((await loadStation(station.incidentId)) ?? station);
      setMessage(done);
    } catch (err) {
      setMessage((err as Error).message);
    }
  };
  const queuedFor = (kind: string, deploymentId: string, parId?: string): boolean =>
    log.some(
      (l) => !l.synced && l.entry.record.includes(`"kind":"${kind}"`) && l.entry.record.includes(deploymentId) && (!parId || l.entry.record.includes(parId)),
    );
  // The status route's roles: check-in staff do not change a resource status, online or offline.
  const changesStatus = session?.user.role === 'admin' || session?.user.role === 'commander';

  const connection: Connection = syncing ? 'syncing' : online ? 'online' : 'offline';
  const unsynced = log.filter((l) => !l.synced).length;
  return (
    <div class="page station offline-station">
      <h1>Offline station</h1>
      <p class={`notice ${connection === 'offline' ? 'notice-warn' : 'notice-info'}`} data-testid="connection" role="status">
        {connection === 'online'
          ? 'Online'
          : connection === 'offline'
            ? 'Offline: scans are verified on this device and kept until the network returns'
            : 'Syncing…'}
      </p>
      {online && (
        <div class="offline-prepare">
          <IncidentSelect choice={choice} id="offline-incident" />
          <button type="button" onClick={() => void prepare()} disabled={!choice.chosen}>
            Prepare for offline use
          </button>
        </div>
      )}
      {stations.length > 1 && (
        <div class="field">
          <label for="offline-station-select">Station</label>
          <select id="offline-station-select" value={station?.incidentId} onChange={(e) => void loadStation(e.currentTarget.value).then(reload)}>
            {stations.map((s) => (
              <option key={s.incidentId} value={s.incidentId}>
                {s.incidentName}
              </option>
            ))}
          </select>
        </div>
      )}
      {station && (
        <>
          <p data-testid="pack-age">
            {station.incidentName}: incident pack {age(packedAt, now)}
            {packedAt ? ` (from ${new Date(packedAt).toLocaleString()})` : ''}
            {limitHours !== undefined ? `, offline limit ${limitHours} h` : ''}. {unsynced} scan(s) not synced.
          </p>
          <form onSubmit={(e) => void scan(e)}>
            <div class="field">
              <label for="offline-scan">Badge</label>
              <input id="offline-scan" value={text} onInput={(e) => setText(e.currentTarget.value)} autocomplete="off" />
            </div>
            <button type="submit">Check</button>
            {online && (
              <button type="button" onClick={() => void sync(station)} disabled={syncing || unsynced === 0}>
                Sync now
              </button>
            )}
          </form>
        </>
      )}
      {station && !online && roster.length > 0 && (
        <details>
          <summary>Check out someone on the pack's roster ({roster.length})</summary>
          <ul>
            {roster
              .filter((r) => !log.some((l) => l.decision === 'checked_out' && l.entry.record.includes(r.deploymentId)))
              .map((r) => (
                <li key={r.deploymentId}>
                  {r.name}{' '}
                  <button
                    type="button"
                    onClick={() =>
                      void checkOutOffline(station.incidentId, r.deploymentId)
                        .then(() => loadStation(station.incidentId))
                        .then((s) => reload(s ?? station))
                        .then(() => setMessage(`${r.name}: check-out kept on this device until sync.`))
                    }
                  >
                    Check out
                  </button>
                </li>
              ))}
          </ul>
        </details>
      )}
      {station && !online && changesStatus && roster.length > 0 && (
        <details data-testid="offline-status">
          <summary>Change the status of someone on the pack's roster ({roster.length})</summary>
          <ul>
            {roster.map((r) => (
              <li key={r.deploymentId}>
                {r.name}{' '}
                <StatusForm
                  name={r.name}
                  onQueue={(change) =>
                    queue(
                      () => changeStatusOffline(station.incidentId, r.deploymentId, change),
                      `${r.name}: ${STATUS_TEXT[change.status]} queued on this device until sync.`,
                    )
                  }
                />
              </li>
            ))}
          </ul>
        </details>
      )}
      {station &&
        !online &&
        (station.pars ?? []).map((par) => (
          <details key={par.id} data-testid="offline-par" open>
            <summary>
              PAR {par.assignment ?? 'whole incident'}, started {new Date(par.startedAt).toLocaleTimeString()} (as of the last time online)
            </summary>
            <ul>
              {par.members
                .filter((m) => m.state !== 'accounted')
                .map((m) => (
                  <li key={m.deploymentId}>
                    {m.name} {m.state === 'missing' ? '(missing)' : ''}{' '}
                    {queuedFor('par_ack', m.deploymentId, par.id) ? (
                      <span>queued</span>
                    ) : (
                      <button
                        type="button"
                        onClick={() =>
                          void queue(
                            () => acknowledgeOffline(station.incidentId, par.id, m.deploymentId),
                            `${m.name}: PAR acknowledgement queued on this device until sync.`,
                          )
                        }
                      >
                        Acknowledge
                      </button>
                    )}
                  </li>
                ))}
            </ul>
          </details>
        ))}
      {result && (
        <div class={`result result-${result.decision}`} data-testid="offline-result" role="status">
          <strong>{DECISION_TEXT[result.decision]}</strong> {result.name ?? ''} {result.qualification ? `(${result.qualification})` : ''} — verified offline
          with a pack {Math.round(result.packAgeSeconds / 60)} min old
          <ul>
            {result.reasons.map((r) => (
              <li key={r.code} data-code={r.code}>
                {r.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {message && (
        <p class="notice notice-info" data-testid="offline-message">
          {message}
        </p>
      )}
      {log.length > 0 && (
        <table data-testid="offline-log">
          <caption>Scans on this device</caption>
          <thead>
            <tr>
              <th>#</th>
              <th>Name</th>
              <th>Offline</th>
              <th>Synced</th>
            </tr>
          </thead>
          <tbody>
            {log.map((l) => (
              <tr key={l.seq}>
                <td>{l.seq}</td>
                <td>{l.name ?? '—'}</td>
                <td>{describe(l)}</td>
                <td>{l.synced ? `${l.sync?.status ?? ''} ${l.sync?.outcome ?? ''} ${l.sync?.code ?? ''}`.trim() : 'not yet'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
