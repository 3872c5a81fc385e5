import { useEffect, useMemo, useState } from 'preact/hooks';
import type { AccountabilitySettings, Par, ParMember, ParWithMembers } from '../api/types';
import { armSoundOnFirstGesture, beep } from '../components/alert-sound';
import { IncidentSelect, useIncidentChoice } from '../components/incident-picker';
import { ErrorNotice, Loading, Notice } from '../components/notices';
import { useAction, useAsync } from '../components/use-async';
import type { LiveEvent, LiveEventMap } from '../live/protocol';
import { useLiveBoard } from '../live/use-live-board';
import { api, useSession } from '../session';
import { formatClock } from '../text';

const REASONS: Array<[Par['reason'], string]> = [
  ['timer', 'PAR timer'],
  ['collapse', 'Collapse'],
  ['evacuation', 'Evacuation'],
  ['change_of_strategy', 'Change of strategy'],
  ['missing_member', 'Missing member'],
  ['other', 'Other'],
];
const STATE_WORD: Record<ParMember['state'], string> = { unaccounted: 'Unaccounted', accounted: 'Accounted', missing: 'Missing' };
const STATE_ICON: Record<ParMember['state'], string> = { unaccounted: '?', accounted: '✔', missing: '✖' };
/** The API takes up to 500 people per acknowledgement. */
const ACK_BATCH = 500;

/** One second clock for countdowns. */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

const mmss = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** A running PAR's members with the live events applied: the counts come from the latest event, as on every board. */
function applyParEvent(current: ParWithMembers, event: LiveEvent): ParWithMembers {
  const p = event.payload as { parId?: string };
  if (p.parId !== current.par.id) return current;
  switch (event.name) {
    case 'par.acknowledged': {
      const a = event.payload as LiveEventMap['par.acknowledged'];
      const ids = new Set(a.deploymentIds);
      return {
        par: { ...current.par, counts: a.counts },
        members: current.members.map((m) => (ids.has(m.deploymentId) ? { ...m, state: 'accounted', via: a.via, markedBy: a.by, markedAt: a.at } : m)),
      };
    }
    case 'par.missing': {
      const a = event.payload as LiveEventMap['par.missing'];
      return {
        par: { ...current.par, counts: a.counts },
        members: current.members.map((m) => (m.deploymentId === a.deploymentId ? { ...m, state: 'missing', via: 'board', markedBy: a.by, markedAt: a.at } : m)),
      };
    }
    case 'par.completed': {
      const a = event.payload as LiveEventMap['par.completed'];
      return { ...current, par: { ...current.par, state: 'completed', completedAt: a.at, counts: a.counts } };
    }
    case 'par.overdue': {
      const a = event.payload as LiveEventMap['par.overdue'];
      return { ...current, par: { ...current.par, overdue: true, counts: a.counts } };
    }
    default:
      return current;
  }
}

/**
 * Roll call (PAR) for a commander or a division/group supervisor on a tablet: start a PAR, watch the countdown and
 * counts, account for people one tap at a time or in bulk, mark the missing. Live through the board's par.* events.
 */
export function RollCallPage() {
  const choice = useIncidentChoice();
  const incident = choice.chosen;
  const session = useSession();
  const role = session?.user.role;
  const isCommander = role === 'admin' || role === 'commander';
  const [selectedPar, setSelectedPar] = useState<string | undefined>(undefined);
  const [detail, setDetail] = useState<ParWithMembers | undefined>(undefined);
  const [due, setDue] = useState(false);

  useEffect(() => armSoundOnFirstGesture(), []);

  const running = useAsync(
    () => (incident ? api.get<Par[]>(`/incidents/${incident.id}/pars`, { query: { state: 'running' } }) : Promise.resolve([])),
    [incident?.id],
  );
  const settings = useAsync(
    () => (incident ? api.get<AccountabilitySettings>(`/incidents/${incident.id}/accountability-settings`) : Promise.resolve(undefined)),
    [incident?.id],
  );
  const parId = selectedPar && running.data?.some((p) => p.id === selectedPar) ? selectedPar : (detail?.par.id ?? running.data?.[0]?.id);
  const members = useAsync(
    () => (incident && parId ? api.get<ParWithMembers>(`/incidents/${incident.id}/pars/${parId}`) : Promise.resolve(undefined)),
    [incident?.id, parId],
  );
  useEffect(() => setDetail(members.data), [members.data]);

  const onEvent = (event: LiveEvent): void => {
    if (event.name === 'par.started') running.reload();
    else if (event.name === 'par.due') {
      setDue(true);
      settings.reload();
      beep();
    } else if (event.name.startsWith('par.')) {
      if (event.name === 'par.overdue' || event.name === 'par.missing') beep();
      setDetail((current) => (current ? applyParEvent(current, event) : current));
    }
  };
  const live = useLiveBoard(incident?.id, onEvent);
  const assignments = useMemo(
    () => [...new Set((live.board?.roster ?? []).map((r) => r.assignment).filter((a): a is string => !!a))].sort((a, b) => a.localeCompare(b)),
    [live.board?.roster],
  );

  return (
    <div class="page roll-call">
      <h1>Roll call</h1>
      <div class="board-top">
        <IncidentSelect choice={choice} />
      </div>
      {live.refusal && (
        <Notice kind="error">
          Live updates are not available: {live.refusal.message} ({live.refusal.code})
        </Notice>
      )}
      {incident && settings.data && (
        <ParTimer
          incidentId={incident.id}
          settings={settings.data}
          due={due}
          canSnooze={isCommander}
          onSnoozed={() => {
            setDue(false);
            settings.reload();
          }}
        />
      )}
      {incident && running.loading && !running.data && <Loading what="roll calls" />}
      <ErrorNotice error={running.error} prefix="Roll calls could not be loaded" />
      {incident && running.data && running.data.length > 1 && (
        <div class="field">
          <label for="par-select">Running roll calls</label>
          <select id="par-select" value={parId} onChange={(e) => setSelectedPar(e.currentTarget.value)}>
            {running.data.map((p) => (
              <option key={p.id} value={p.id}>
                {p.assignment ?? 'Whole incident'}
              </option>
            ))}
          </select>
        </div>
      )}
      {incident && settings.data && (
        <StartPar
          incidentId={incident.id}
          assignments={assignments}
          responseSeconds={settings.data.parResponseSeconds}
          canChangePeriod={isCommander}
          collapsed={!!detail && detail.par.state === 'running'}
          onStarted={(par) => {
            setDue(false);
            setSelectedPar(par.id);
            running.reload();
            settings.reload();
          }}
        />
      )}
      <ErrorNotice error={members.error} prefix="The roll call could not be loaded" />
      {incident && detail && <ParPanel incidentId={incident.id} detail={detail} assignments={assignments} onChanged={setDetail} />}
    </div>
  );
}

function ParTimer({
  incidentId,
  settings,
  due,
  canSnooze,
  onSnoozed,
}: {
  incidentId: string;
  settings: AccountabilitySettings;
  due: boolean;
  canSnooze: boolean;
  onSnoozed: () => void;
}) {
  const now = useNow();
  const [minutes, setMinutes] = useState('10');
  const [reason, setReason] = useState('');
  const snooze = useAction();
  if (settings.parTimerMinutes === null || !settings.parTimerDueAt) return null;
  const left = new Date(settings.parTimerDueAt).getTime() - now;
  const isDue = due || left <= 0;
  return (
    <section class={`par-timer${isDue ? ' par-timer-due' : ''}`} aria-label="PAR timer" data-testid="par-timer" data-due={isDue}>
      {isDue ? (
        <p role="alert">
          <strong>
            <span aria-hidden="true">⏰ </span>PAR due
          </strong>{' '}
          (every {settings.parTimerMinutes} min): start a roll call, or snooze it with a reason.
        </p>
      ) : (
        <p>
          Next PAR due in <strong>{mmss(left)}</strong> (every {settings.parTimerMinutes} min)
        </p>
      )}
      {canSnooze && (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void snooze
              .run(() => api.post(`/incidents/${incidentId}/par-timer/snooze`, { minutes: Number(minutes), reason: reason.trim() }))
              .then((done) => {
                if (done) {
                  setReason('');
                  onSnoozed();
                }
              });
          }}
        >
          <label for="snooze-minutes">Snooze (min)</label>
          <input id="snooze-minutes" type="number" min={1} max={60} value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} />
          <label for="snooze-reason">Snooze reason</label>
          <input id="snooze-reason" required minLength={3} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          <button type="submit" class="button-secondary" disabled={snooze.busy || reason.trim().length < 3}>
            Snooze
          </button>
        </form>
      )}
      <ErrorNotice error={snooze.error} prefix="Snooze failed" />
    </section>
  );
}

function StartPar({
  incidentId,
  assignments,
  responseSeconds,
  canChangePeriod,
  collapsed,
  onStarted,
}: {
  incidentId: string;
  assignments: string[];
  responseSeconds: number;
  canChangePeriod: boolean;
  /** Folded while a roll call is on screen, so the list gets the room. */
  collapsed: boolean;
  onStarted: (par: Par) => void;
}) {
  const [scope, setScope] = useState('');
  const [reason, setReason] = useState<Par['reason']>('timer');
  const [note, setNote] = useState('');
  const [minutes, setMinutes] = useState(String(responseSeconds / 60));
  const start = useAction();
  useEffect(() => setMinutes(String(responseSeconds / 60)), [responseSeconds]);

  return (
    <details class="par-start" open={!collapsed}>
      <summary>Start a roll call</summary>
      <form
        class="par-start-form"
        onSubmit={(e) => {
          e.preventDefault();
          void start
            .run(async () => {
              const seconds = Math.round(Number(minutes) * 60);
              // The response period is the incident's setting: changed (and audited) before the PAR takes it.
              if (canChangePeriod && seconds !== responseSeconds) {
                await api.patch(`/incidents/${incidentId}/accountability-settings`, { parResponseSeconds: seconds });
              }
              return api.post<Par>(`/incidents/${incidentId}/pars`, { reason, assignment: scope || undefined, note: note.trim() || undefined });
            })
            .then((par) => {
              if (par) {
                setNote('');
                onStarted(par);
              }
            });
        }}
      >
        <div class="field">
          <label for="par-scope">Scope</label>
          <select id="par-scope" value={scope} onChange={(e) => setScope(e.currentTarget.value)}>
            <option value="">Whole incident</option>
            {assignments.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="par-reason">Reason</label>
          <select id="par-reason" value={reason} onChange={(e) => setReason(e.currentTarget.value as Par['reason'])}>
            {REASONS.map(([value, word]) => (
              <option key={value} value={value}>
                {word}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="par-period">Response period (min)</label>
          <input
            id="par-period"
            type="number"
            min={0.5}
            max={60}
            step={0.5}
            value={minutes}
            disabled={!canChangePeriod}
            onInput={(e) => setMinutes(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="par-note">Note{reason === 'other' ? ' (required)' : ''}</label>
          <input id="par-note" value={note} required={reason === 'other'} onInput={(e) => setNote(e.currentTarget.value)} />
        </div>
        <button type="submit" class="button-primary" disabled={start.busy}>
          Start roll call
        </button>
      </form>
      <ErrorNotice error={start.error} prefix="The roll call could not start" />
    </details>
  );
}

function ParPanel({
  incidentId,
  detail,
  assignments,
  onChanged,
}: {
  incidentId: string;
  detail: ParWithMembers;
  assignments: string[];
  onChanged: (next: ParWithMembers) => void;
}) {
  const { par, members } = detail;
  const now = useNow();
  const [search, setSearch] = useState('');
  const [unaccountedOnly, setUnaccountedOnly] = useState(false);
  const [assignment, setAssignment] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const action = useAction();
  const base = `/incidents/${incidentId}/pars/${par.id}`;

  const left = new Date(par.deadlineAt).getTime() - now;
  const running = par.state === 'running';
  const overdue = running && par.counts.unaccounted > 0 && (par.overdue || left <= 0);
  const needle = search.trim().toLowerCase();
  const shown = members.filter(
    (m) =>
      (!unaccountedOnly || m.state === 'unaccounted') &&
      (!assignment || (assignment === '-' ? !m.assignment : m.assignment === assignment)) &&
      (!needle || m.name.toLowerCase().includes(needle)),
  );
  const memberAssignments = [...new Set([...assignments, ...members.map((m) => m.assignment).filter((a): a is string => !!a)])].sort((a, b) =>
    a.localeCompare(b),
  );
  const openShown = shown.filter((m) => m.state !== 'accounted');
  const chosen = members.filter((m) => selected.has(m.deploymentId) && m.state !== 'accounted');

  // The answer carries the counts; the members change with the live event (or here, if it is late).
  const acknowledge = (ids: string[]): Promise<unknown> =>
    action.run(async () => {
      let latest: Par | undefined;
      for (let i = 0; i < ids.length; i += ACK_BATCH) {
        latest = await api.post<Par>(`${base}/acknowledgements`, { deploymentIds: ids.slice(i, i + ACK_BATCH), via: 'board' });
      }
      const done = new Set(ids);
      setSelected(new Set());
      if (latest) onChanged({ par: latest, members: members.map((m) => (done.has(m.deploymentId) ? { ...m, state: 'accounted', via: 'board' } : m)) });
    });
  const markMissing = (m: ParMember): Promise<unknown> =>
    action.run(async () => {
      const next = await api.post<Par>(`${base}/missing`, { deploymentId: m.deploymentId });
      onChanged({ par: next, members: members.map((x) => (x.deploymentId === m.deploymentId ? { ...x, state: 'missing', via: 'board' } : x)) });
    });
  const complete = (): Promise<unknown> =>
    action.run(async () => {
      const next = await api.post<Par>(`${base}/complete`);
      onChanged({ par: next, members });
    });

  return (
    <section class={`par${overdue ? ' par-overdue' : ''}`} aria-label="Roll call" data-testid="par" data-state={par.state} data-overdue={overdue}>
      <div class="par-head">
        <p class="par-title">
          <strong>{par.assignment ?? 'Whole incident'}</strong> · {REASONS.find(([r]) => r === par.reason)?.[1]} · started {formatClock(par.startedAt)} by{' '}
          {par.startedBy}
        </p>
        {running && !overdue && (
          <p class="par-countdown" data-testid="par-countdown">
            <span aria-hidden="true">⏱ </span>
            {mmss(left)} left
          </p>
        )}
        {!running && (
          <p class="par-countdown" data-testid="par-countdown">
            <span aria-hidden="true">✔ </span>Completed {formatClock(par.completedAt)}
          </p>
        )}
        {running && (
          <button type="button" class="button-secondary" disabled={action.busy} onClick={() => void complete()}>
            End roll call
          </button>
        )}
      </div>
      {overdue && (
        <p class="par-overdue-banner" role="alert" data-testid="par-overdue">
          <span aria-hidden="true">⚠ </span>
          OVERDUE: {par.counts.unaccounted} unaccounted {par.counts.unaccounted === 1 ? 'person' : 'people'} after the deadline ({formatClock(par.deadlineAt)})
        </p>
      )}
      <ul class="par-counts" aria-label="Roll call counts" data-testid="par-counts">
        {(['expected', 'accounted', 'missing', 'unaccounted'] as const).map((k) => (
          <li key={k} class={`par-count par-count-${k}`} data-count={k}>
            <strong>{par.counts[k]}</strong> {k}
          </li>
        ))}
      </ul>
      {members.some((m) => m.state === 'missing') && (
        <p class="notice notice-error" role="alert" data-testid="par-missing">
          <span aria-hidden="true">✖ </span>
          Missing:{' '}
          {members
            .filter((m) => m.state === 'missing')
            .map((m) => `${m.name}${m.assignment ? ` (${m.assignment})` : ''}`)
            .join(', ')}
        </p>
      )}
      <ErrorNotice error={action.error} prefix="Not recorded" />
      <div class="par-filters" role="search">
        <div class="field">
          <label for="par-search">Search</label>
          <input id="par-search" type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} placeholder="Name" />
        </div>
        <div class="field">
          <label for="par-assignment">Assignment</label>
          <select id="par-assignment" value={assignment} onChange={(e) => setAssignment(e.currentTarget.value)}>
            <option value="">All</option>
            <option value="-">No assignment</option>
            {memberAssignments.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <label class="check">
          <input type="checkbox" checked={unaccountedOnly} onChange={(e) => setUnaccountedOnly(e.currentTarget.checked)} /> Unaccounted only
        </label>
      </div>
      {running && (
        <div class="par-bulk">
          <button
            type="button"
            class="button-primary"
            disabled={action.busy || chosen.length === 0}
            onClick={() => void acknowledge(chosen.map((m) => m.deploymentId))}
          >
            Account for selected ({chosen.length})
          </button>
          <button
            type="button"
            class="button-secondary"
            disabled={action.busy || openShown.length === 0}
            onClick={() => void acknowledge(openShown.map((m) => m.deploymentId))}
          >
            Account for all shown ({openShown.length})
          </button>
        </div>
      )}
      <p class="hint" data-testid="par-shown">
        {shown.length} of {members.length} shown
      </p>
      <table class="par-list" aria-label="People on the roll call">
        <thead>
          <tr>
            {running && <th scope="col">Select</th>}
            <th scope="col">Name</th>
            <th scope="col">Assignment</th>
            <th scope="col">State</th>
            {running && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {shown.map((m) => (
            <tr key={m.deploymentId} class={`par-member par-member-${m.state}`} data-deployment={m.deploymentId} data-state={m.state}>
              {running && (
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select ${m.name}`}
                    disabled={m.state === 'accounted'}
                    checked={selected.has(m.deploymentId)}
                    onChange={(e) => {
                      const next = new Set(selected);
                      if (e.currentTarget.checked) next.add(m.deploymentId);
                      else next.delete(m.deploymentId);
                      setSelected(next);
                    }}
                  />
                </td>
              )}
              <td>{m.name}</td>
              <td>{m.assignment ?? '–'}</td>
              <td>
                <span aria-hidden="true">{STATE_ICON[m.state]} </span>
                {STATE_WORD[m.state]}
                {m.via === 'scan' ? ' (scan)' : ''}
              </td>
              {running && (
                <td>
                  <div class="par-actions">
                    {m.state !== 'accounted' && (
                      <button
                        type="button"
                        class="button-small button-ok"
                        disabled={action.busy}
                        aria-label={`Accounted: ${m.name}`}
                        onClick={() => void acknowledge([m.deploymentId])}
                      >
                        Accounted
                      </button>
                    )}
                    {m.state === 'unaccounted' && (
                      <button
                        type="button"
                        class="button-small button-danger"
                        disabled={action.busy}
                        aria-label={`Missing: ${m.name}`}
                        onClick={() => void markMissing(m)}
                      >
                        Missing
                      </button>
                    )}
                  </div>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
