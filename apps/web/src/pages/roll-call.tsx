import { useEffect, useMemo, useState } from 'preact/hooks';
import type { AccountabilitySettings, Par, ParMember, ParWithMembers } from '../api/types';
import { armSoundOnFirstGesture, beep } from '../components/alert-sound';
import { IncidentSelect, useIncidentChoice } from '../components/incident-picker';
import { ErrorNotice, Loading, Notice } from '../components/notices';
import { StillMissing, useStillMissing } from '../components/still-missing';
import { useAction, useAsync } from '../components/use-async';
import { applyParEvent, changesMissing, filterMembers, rackOf } from '../live/par-state';
import type { LiveEvent } from '../live/protocol';
import { useLiveBoard, useOnReconnect } from '../live/use-live-board';
import { IncidentRules, SupervisorAssignments } from './incident-rules';
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

  const missing = useStillMissing(incident?.id);
  const onEvent = (event: LiveEvent): void => {
    if (changesMissing(event, missing.data)) missing.reload();
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
  useOnReconnect(live.connection, missing.reload);
  // Those marked missing in the roll call shown below are listed there.
  const missingBefore = (missing.data ?? []).filter((m) => !(detail?.par.state === 'running' && m.parId === detail.par.id));
  const assignments = useMemo(
    () => [...new Set((live.board?.roster ?? []).map((r) => r.assignment).filter((a): a is string => !!a))].sort((a, b) => a.localeCompare(b)),
    [live.board?.roster],
  );
  // Qualifications are the board's (the PAR's list names people, not what they hold).
  const qualifications = useMemo(() => new Map((live.board?.roster ?? []).map((r) => [r.deploymentId, r.qualifications])), [live.board?.roster]);

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
      <StillMissing people={missingBefore} />
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
      {incident && detail && (
        <ParPanel incidentId={incident.id} detail={detail} assignments={assignments} qualifications={qualifications} onChanged={setDetail} />
      )}
      {incident && settings.data && isCommander && (
        <IncidentRules key={incident.id} incidentId={incident.id} settings={settings.data} onSaved={settings.reload} />
      )}
      {incident && isCommander && <SupervisorAssignments key={incident.id} incidentId={incident.id} known={assignments} />}
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

type View = 'list' | 'rack';
const NO_QUALIFICATIONS: readonly string[] = [];

function ParPanel({
  incidentId,
  detail,
  assignments,
  qualifications,
  onChanged,
}: {
  incidentId: string;
  detail: ParWithMembers;
  assignments: string[];
  /** Deployment id to qualifications, from the live board's roster. */
  qualifications: Map<string, string[]>;
  onChanged: (next: ParWithMembers) => void;
}) {
  const { par, members } = detail;
  const now = useNow();
  const [search, setSearch] = useState('');
  const [unaccountedOnly, setUnaccountedOnly] = useState(false);
  const [assignment, setAssignment] = useState('');
  const [qualification, setQualification] = useState('');
  const [view, setView] = useState<View>('list');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const action = useAction();
  const base = `/incidents/${incidentId}/pars/${par.id}`;

  const left = new Date(par.deadlineAt).getTime() - now;
  const running = par.state === 'running';
  const overdue = running && par.counts.unaccounted > 0 && (par.overdue || left <= 0);
  const qualificationsOf = (id: string): readonly string[] => qualifications.get(id) ?? NO_QUALIFICATIONS;
  const shown = filterMembers(members, { search, assignment, qualification, unaccountedOnly }, qualificationsOf);
  const memberQualifications = [...new Set(members.flatMap((m) => qualificationsOf(m.deploymentId)))].sort((a, b) => a.localeCompare(b));
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
        <div class="field">
          <label for="par-qualification">Qualification</label>
          <select id="par-qualification" value={qualification} onChange={(e) => setQualification(e.currentTarget.value)}>
            <option value="">All</option>
            {memberQualifications.map((q) => (
              <option key={q} value={q}>
                {q}
              </option>
            ))}
          </select>
        </div>
        <label class="check">
          <input type="checkbox" checked={unaccountedOnly} onChange={(e) => setUnaccountedOnly(e.currentTarget.checked)} /> Unaccounted only
        </label>
        <div class="par-view" role="group" aria-label="View">
          {(
            [
              ['list', 'List'],
              ['rack', 'T-cards'],
            ] as const
          ).map(([v, word]) => (
            <button key={v} type="button" class="button-small button-secondary" aria-pressed={view === v} onClick={() => setView(v)}>
              {word}
            </button>
          ))}
        </div>
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
      {view === 'rack' && (
        <ParRack
          members={shown}
          running={running}
          busy={action.busy}
          qualificationsOf={qualificationsOf}
          onAccounted={(m) => void acknowledge([m.deploymentId])}
          onMissing={(m) => void markMissing(m)}
        />
      )}
      {view === 'list' && (
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
      )}
    </section>
  );
}

/**
 * The T-card rack, as the accountability boards on scene: a column per assignment with its accounted count, a small
 * card per person (state by colour, icon and word), one tap on the card to account for them.
 */
function ParRack({
  members,
  running,
  busy,
  qualificationsOf,
  onAccounted,
  onMissing,
}: {
  members: ParMember[];
  running: boolean;
  busy: boolean;
  qualificationsOf: (deploymentId: string) => readonly string[];
  onAccounted: (m: ParMember) => void;
  onMissing: (m: ParMember) => void;
}) {
  return (
    <div class="par-rack" data-testid="par-rack">
      {rackOf(members).map((column) => {
        const title = column.assignment ?? 'No assignment';
        return (
          <section key={title} class="par-rack-column" aria-label={`T-cards: ${title}`} data-assignment={column.assignment ?? ''}>
            <h3 class="par-rack-title">
              {title}{' '}
              <span class="par-rack-tally">
                {column.accounted}/{column.members.length}
              </span>
            </h3>
            <ul class="par-cards">
              {column.members.map((m) => {
                const quals = qualificationsOf(m.deploymentId).join(' ');
                const open = running && m.state !== 'accounted';
                return (
                  <li key={m.deploymentId} class={`par-card par-member-${m.state}`} data-deployment={m.deploymentId} data-state={m.state}>
                    {open ? (
                      <button type="button" class="par-card-main" disabled={busy} aria-label={`Accounted: ${m.name}`} onClick={() => onAccounted(m)}>
                        <span class="par-card-name">
                          <span aria-hidden="true">{STATE_ICON[m.state]} </span>
                          {m.name}
                        </span>
                        {quals && <span class="par-card-quals">{quals}</span>}
                      </button>
                    ) : (
                      <span class="par-card-main">
                        <span class="par-card-name">
                          <span aria-hidden="true">{STATE_ICON[m.state]} </span>
                          {m.name}
                        </span>
                        {quals && <span class="par-card-quals">{quals}</span>}
                      </span>
                    )}
                    <span class="sr-only">
                      {' '}
                      {STATE_WORD[m.state]}
                      {m.via === 'scan' ? ' (scan)' : ''}
                    </span>
                    {running && m.state === 'unaccounted' && (
                      <button type="button" class="par-card-missing" disabled={busy} aria-label={`Missing: ${m.name}`} onClick={() => onMissing(m)}>
                        ✖
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
