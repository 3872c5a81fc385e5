import { useEffect, useState } from 'preact/hooks';
import type { AccountabilitySettings, StaffMember } from '../api/types';
import { ErrorNotice } from '../components/notices';
import { useAction, useAsync } from '../components/use-async';
import { api } from '../session';

/** A number field's text as the API takes it: blank is "none" (null). */
const numberOrNull = (text: string): number | null => (text.trim() === '' ? null : Number(text));
const textOf = (n: number | null): string => (n === null ? '' : String(n));
/** "supply, communications" -> ["supply", "communications"]: trimmed, no blanks, no repeats. */
const listOf = (text: string): string[] => [
  ...new Set(
    text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  ),
];

/**
 * The incident's accountability rules, for its commanders and admins: the PAR timer, work and rest limits, and
 * whether check-out is a release with unit sign-offs (ICS 221). Each change is audited by the server.
 */
export function IncidentRules({ incidentId, settings, onSaved }: { incidentId: string; settings: AccountabilitySettings; onSaved: () => void }) {
  const [timer, setTimer] = useState(textOf(settings.parTimerMinutes));
  const [days, setDays] = useState(textOf(settings.maxDaysOnIncident));
  const [hours, setHours] = useState(textOf(settings.maxHoursPerPeriod));
  const [rest, setRest] = useState(textOf(settings.minRestHours));
  const [release, setRelease] = useState(settings.demobRequired);
  const [units, setUnits] = useState(settings.demobSignoffs.join(', '));
  const [saved, setSaved] = useState(false);
  const action = useAction();

  const save = async (e: Event): Promise<void> => {
    e.preventDefault();
    setSaved(false);
    const body = {
      parTimerMinutes: numberOrNull(timer),
      maxDaysOnIncident: numberOrNull(days),
      maxHoursPerPeriod: numberOrNull(hours),
      minRestHours: numberOrNull(rest),
      demobRequired: release,
      demobSignoffs: listOf(units),
    };
    if (await action.run(() => api.patch<AccountabilitySettings>(`/incidents/${incidentId}/accountability-settings`, body))) {
      setSaved(true);
      onSaved();
    }
  };

  const numberField = (id: string, label: string, value: string, set: (v: string) => void, min: number, max: number, hint: string) => (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} type="number" min={min} max={max} step={1} value={value} onInput={(e) => set(e.currentTarget.value)} />
      <p class="hint">{hint}</p>
    </div>
  );

  return (
    <details class="par-start" data-testid="incident-rules">
      <summary>Incident rules: PAR timer, work and rest limits, release</summary>
      <form class="par-start-form" onSubmit={(e) => void save(e)} aria-label="Incident rules">
        {numberField('rule-timer', 'PAR timer (minutes)', timer, setTimer, 5, 240, 'Blank: no timer. 20 to 30 is usual.')}
        {numberField('rule-days', 'Days on incident, at most', days, setDays, 1, 90, 'Blank: no limit. 14 is usual.')}
        {numberField('rule-hours', 'Hours per work period, at most', hours, setHours, 1, 48, 'Blank: no limit.')}
        {numberField('rule-rest', 'Rest between periods, at least (hours)', rest, setRest, 1, 48, 'Blank: no minimum.')}
        <div class="field">
          <label>
            <input type="checkbox" checked={release} onChange={(e) => setRelease(e.currentTarget.checked)} /> Check-out is a release (ICS 221)
          </label>
          <label for="rule-units">Units that sign off before release</label>
          <input
            id="rule-units"
            type="text"
            maxLength={400}
            value={units}
            placeholder="supply, communications, documentation, medical"
            onInput={(e) => setUnits(e.currentTarget.value)}
          />
        </div>
        <div class="field field-button">
          <button type="submit" class="button-primary" disabled={action.busy}>
            Save rules
          </button>
        </div>
        {saved && !action.error && (
          <p role="status" class="saved">
            <span aria-hidden="true">✔ </span>Saved.
          </p>
        )}
      </form>
      <ErrorNotice error={action.error} prefix="The rules were not saved" />
    </details>
  );
}

/**
 * Which divisions and groups each supervisor on the incident's staff answers for: they run roll calls and account
 * for people there only (docs/accountability.md). `known`: the assignments on the board, offered as suggestions.
 */
export function SupervisorAssignments({ incidentId, known }: { incidentId: string; known: readonly string[] }) {
  const staff = useAsync(() => api.get<StaffMember[]>(`/incidents/${incidentId}/staff`), [incidentId]);
  const current = useAsync(() => api.get<Array<{ userId: string; assignments: string[] }>>(`/incidents/${incidentId}/supervisors`), [incidentId]);
  const supervisors = (staff.data ?? []).filter((s) => s.role === 'supervisor');
  const listId = `assignments-${incidentId}`;
  return (
    <details class="par-start" data-testid="supervisor-assignments">
      <summary>Division and group supervisors</summary>
      <ErrorNotice error={staff.error ?? current.error} prefix="The supervisors could not be loaded" />
      {staff.data && supervisors.length === 0 && <p>No supervisor is on this incident's staff (an admin adds them).</p>}
      <datalist id={listId}>
        {known.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      {current.data &&
        supervisors.map((s) => (
          <SupervisorRow
            key={s.userId}
            incidentId={incidentId}
            supervisor={s}
            assignments={current.data?.find((c) => c.userId === s.userId)?.assignments ?? []}
            listId={listId}
          />
        ))}
    </details>
  );
}

function SupervisorRow({
  incidentId,
  supervisor,
  assignments,
  listId,
}: {
  incidentId: string;
  supervisor: StaffMember;
  assignments: string[];
  listId: string;
}) {
  const [text, setText] = useState(assignments.join(', '));
  const [saved, setSaved] = useState<string[] | undefined>(undefined);
  const action = useAction();
  useEffect(() => setText(assignments.join(', ')), [assignments.join('\n')]);
  const id = `supervisor-${supervisor.userId}`;
  const save = async (e: Event): Promise<void> => {
    e.preventDefault();
    const done = await action.run(() =>
      api.put<{ userId: string; assignments: string[] }>(`/incidents/${incidentId}/supervisors/${supervisor.userId}`, { assignments: listOf(text) }),
    );
    if (done) setSaved(done.assignments);
  };
  return (
    <form class="par-start-form" onSubmit={(e) => void save(e)} aria-label={`Assignments of ${supervisor.displayName}`}>
      <div class="field">
        <label for={id}>
          {supervisor.displayName} ({supervisor.email}): divisions and groups
        </label>
        <input
          id={id}
          type="text"
          list={listId}
          maxLength={2000}
          placeholder="Division A, Medical Group"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </div>
      <div class="field field-button">
        <button type="submit" class="button-small" disabled={action.busy}>
          Save
        </button>
      </div>
      {saved && !action.error && (
        <p role="status" class="saved">
          <span aria-hidden="true">✔ </span>
          {saved.length > 0 ? `Answers for ${saved.join(', ')}.` : 'Answers for no assignment.'}
        </p>
      )}
      <ErrorNotice error={action.error} />
    </form>
  );
}
