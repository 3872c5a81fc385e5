import { useState } from 'preact/hooks';
import type { ActivityItem, ActivityLog, Deployment, Incident } from '../api/types';
import { IncidentSelect, useIncidentChoice } from '../components/incident-picker';
import { ErrorNotice, Loading, Notice } from '../components/notices';
import { useAction, useAsync } from '../components/use-async';
import { api, useSession } from '../session';
import { formatTime } from '../text';

type SubjectKind = ActivityItem['subjectKind'];
type Priority = ActivityItem['priority'];
const KIND_WORD: Record<SubjectKind, string> = { incident: 'Incident', unit: 'Unit', assignment: 'Assignment', person: 'Person' };
const PRIORITY_WORD: Record<Priority, string> = { routine: 'Routine', important: 'Important', urgent: 'Urgent' };
const PRIORITY_ICON: Record<Priority, string> = { routine: '', important: '! ', urgent: '‼ ' };
const WRITERS = new Set(['admin', 'commander', 'supervisor', 'checkin']);

/**
 * The ICS 214 activity log: written and automatic entries per operational period, listed per unit, assignment or
 * person; staff add entries; the CSV and the printable page are the form to hand in.
 */
export function ActivityLogPage() {
  const choice = useIncidentChoice({ includeClosed: true });
  const incident = choice.chosen;
  const [periodId, setPeriodId] = useState('');
  const log = useAsync(
    () =>
      incident ? api.get<ActivityLog>(`/incidents/${incident.id}/activity-log`, { query: { periodId: periodId || undefined } }) : Promise.resolve(undefined),
    [incident?.id, periodId],
  );
  const session = useSession();
  const canWrite = !!session && WRITERS.has(session.user.role);

  return (
    <div class="page activity-log">
      <h1>Activity log (ICS 214)</h1>
      <div class="board-top">
        <IncidentSelect choice={choice} />
        {incident && (
          <div class="field">
            <label for="activity-period">Operational period</label>
            <select id="activity-period" value={periodId} onChange={(e) => setPeriodId(e.currentTarget.value)}>
              <option value="">Whole incident</option>
              {incident.operationalPeriods.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.label}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      {incident && <Exports incident={incident} periodId={periodId} />}
      {incident && canWrite && incident.state === 'active' && <AddEntry incidentId={incident.id} onAdded={log.reload} />}
      {incident && log.loading && !log.data && <Loading what="the activity log" />}
      <ErrorNotice error={log.error} prefix="The activity log could not be loaded" />
      {log.data && <Entries log={log.data} />}
    </div>
  );
}

function Exports({ incident, periodId }: { incident: Incident; periodId: string }) {
  const download = useAction();
  const [done, setDone] = useState('');
  const query = { periodId: periodId || undefined };
  const get = (ext: 'csv' | 'html'): void =>
    void download.run(async () =>
      setDone(`Downloaded ${await api.download(`/incidents/${incident.id}/ics214.${ext}`, `ics214-${incident.number}.${ext}`, query)}.`),
    );
  return (
    <section class="actions" aria-label="ICS 214 exports">
      <button type="button" class="button-secondary" disabled={download.busy} onClick={() => get('csv')}>
        <span aria-hidden="true">⬇ </span>ICS 214 (CSV)
      </button>
      <button type="button" class="button-secondary" disabled={download.busy} onClick={() => get('html')}>
        <span aria-hidden="true">⬇ </span>ICS 214 (printable page)
      </button>
      {done && <Notice kind="ok">{done}</Notice>}
      <ErrorNotice error={download.error} prefix="Download failed" />
    </section>
  );
}

function AddEntry({ incidentId, onAdded }: { incidentId: string; onAdded: () => void }) {
  const [kind, setKind] = useState<SubjectKind>('unit');
  const [subject, setSubject] = useState('');
  const [deploymentId, setDeploymentId] = useState('');
  const [priority, setPriority] = useState<Priority>('routine');
  const [text, setText] = useState('');
  const save = useAction();
  const people = useAsync(() => (kind === 'person' ? api.get<Deployment[]>(`/incidents/${incidentId}/deployments`) : Promise.resolve([])), [incidentId, kind]);

  return (
    <details class="par-start">
      <summary>Add an entry</summary>
      <form
        class="par-start-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save
            .run(() =>
              api.post(`/incidents/${incidentId}/activity-log`, {
                subjectKind: kind,
                subject: kind === 'unit' || kind === 'assignment' ? subject.trim() : undefined,
                deploymentId: kind === 'person' ? deploymentId : undefined,
                text: text.trim(),
                priority,
              }),
            )
            .then((done) => {
              if (done) {
                setText('');
                onAdded();
              }
            });
        }}
      >
        <div class="field">
          <label for="entry-kind">About</label>
          <select id="entry-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as SubjectKind)}>
            {(Object.keys(KIND_WORD) as SubjectKind[]).map((k) => (
              <option key={k} value={k}>
                {KIND_WORD[k]}
              </option>
            ))}
          </select>
        </div>
        {(kind === 'unit' || kind === 'assignment') && (
          <div class="field">
            <label for="entry-subject">{KIND_WORD[kind]} name</label>
            <input id="entry-subject" required maxLength={120} value={subject} onInput={(e) => setSubject(e.currentTarget.value)} />
          </div>
        )}
        {kind === 'person' && (
          <div class="field">
            <label for="entry-person">Person</label>
            <select id="entry-person" required value={deploymentId} onChange={(e) => setDeploymentId(e.currentTarget.value)}>
              <option value="">Choose…</option>
              {(people.data ?? []).map((d) => (
                <option key={d.id} value={d.id}>
                  {d.responder.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div class="field">
          <label for="entry-priority">Priority</label>
          <select id="entry-priority" value={priority} onChange={(e) => setPriority(e.currentTarget.value as Priority)}>
            {(Object.keys(PRIORITY_WORD) as Priority[]).map((p) => (
              <option key={p} value={p}>
                {PRIORITY_WORD[p]}
              </option>
            ))}
          </select>
        </div>
        <div class="field field-wide">
          <label for="entry-text">What happened</label>
          <textarea id="entry-text" required maxLength={2000} rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </div>
        <button type="submit" class="button-primary" disabled={save.busy || !text.trim()}>
          Add to the log
        </button>
      </form>
      <ErrorNotice error={save.error} prefix="The entry was not saved" />
    </details>
  );
}

function Entries({ log }: { log: ActivityLog }) {
  const [kind, setKind] = useState<SubjectKind | ''>('');
  const [subject, setSubject] = useState('');
  const [search, setSearch] = useState('');
  const [writtenOnly, setWrittenOnly] = useState(false);
  const subjects = [
    ...new Set(
      log.items
        .filter((i) => !kind || i.subjectKind === kind)
        .map((i) => i.subject)
        .filter((s): s is string => !!s),
    ),
  ].sort((a, b) => a.localeCompare(b));
  const needle = search.trim().toLowerCase();
  const shown = log.items.filter(
    (i) =>
      (!kind || i.subjectKind === kind) &&
      (!subject || i.subject === subject) &&
      (!writtenOnly || !i.automatic) &&
      (!needle || i.text.toLowerCase().includes(needle) || (i.subject ?? '').toLowerCase().includes(needle)),
  );

  return (
    <section aria-label="Entries">
      <p class="hint">
        {log.period.label}: {shown.length} of {log.items.length} entries shown, oldest first
      </p>
      <div class="par-filters" role="search">
        <div class="field">
          <label for="filter-kind">Entries about</label>
          <select
            id="filter-kind"
            value={kind}
            onChange={(e) => {
              setKind(e.currentTarget.value as SubjectKind | '');
              setSubject('');
            }}
          >
            <option value="">Everything</option>
            {(Object.keys(KIND_WORD) as SubjectKind[]).map((k) => (
              <option key={k} value={k}>
                {KIND_WORD[k]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-subject">Which</label>
          <select id="filter-subject" value={subject} onChange={(e) => setSubject(e.currentTarget.value)}>
            <option value="">All</option>
            {subjects.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-search">Search</label>
          <input id="filter-search" type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </div>
        <label class="check">
          <input type="checkbox" checked={writtenOnly} onChange={(e) => setWrittenOnly(e.currentTarget.checked)} /> Written entries only
        </label>
      </div>
      <table class="par-list activity-table" aria-label="Activity log entries">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">About</th>
            <th scope="col">Activity</th>
            <th scope="col">By</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((i, n) => (
            <tr key={`${i.at}-${n}`} class={`activity-${i.priority}`} data-automatic={i.automatic}>
              <td>{formatTime(i.at)}</td>
              <td>
                {KIND_WORD[i.subjectKind]}
                {i.subject ? `: ${i.subject}` : ''}
              </td>
              <td>
                {i.priority !== 'routine' && (
                  <strong>
                    <span aria-hidden="true">{PRIORITY_ICON[i.priority]}</span>
                    {PRIORITY_WORD[i.priority]}:{' '}
                  </strong>
                )}
                {i.text}
              </td>
              <td>{i.automatic ? `${i.author} (automatic)` : i.author}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
