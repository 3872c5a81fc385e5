import { useState } from 'preact/hooks';
import { LOCATION_KINDS, type Incident, type LocationKind, type StaffMember, type UserView } from '../api/types';
import { ErrorNotice, Loading } from '../components/notices';
import { useAction, useAsync } from '../components/use-async';
import { href } from '../router';
import { api } from '../session';
import { formatDate } from '../text';
import { roleWord, splitList } from './users-admin';

export function IncidentsAdmin() {
  const incidents = useAsync(() => api.get<Incident[]>('/incidents'), []);
  const [open, setOpen] = useState<string | undefined>(undefined);
  return (
    <section aria-labelledby="incidents-title">
      <h2 id="incidents-title">Incidents</h2>
      <CreateIncident onCreated={incidents.reload} />
      {incidents.loading && !incidents.data && <Loading what="incidents" />}
      <ErrorNotice error={incidents.error} />
      {incidents.data && incidents.data.length === 0 && <p>No incidents yet.</p>}
      {incidents.data && incidents.data.length > 0 && (
        <ul class="incident-list" data-testid="incidents">
          {incidents.data.map((i) => (
            <li key={i.id} class={`incident-item state-${i.state}`}>
              <div class="incident-head">
                <p>
                  <strong>{i.name}</strong> ({i.number}) · {i.type} · {i.jurisdiction}
                  {i.mutualAidJurisdictions.length > 0 ? ` + mutual aid ${i.mutualAidJurisdictions.join(', ')}` : ''} ·{' '}
                  {i.state === 'active' ? 'Active' : `Closed ${formatDate(i.closedAt)}`}
                </p>
                <p class="hint">
                  {i.locations.length} locations, {i.positions.length} positions · status unavailable:{' '}
                  {i.statusUnavailablePolicy === 'deny' ? 'deny' : 'admit with a warning'} · offline limit {i.offlineStatusMaxAgeHours} h
                </p>
                <div class="actions">
                  <button type="button" class="button-small" aria-expanded={open === i.id} onClick={() => setOpen(open === i.id ? undefined : i.id)}>
                    {open === i.id ? 'Hide details' : 'Staff and details'}
                  </button>
                  <a class="button-small" href={href('board', { incident: i.id })}>
                    Board
                  </a>
                  <a class="button-small" href={href('check-in', { incident: i.id })}>
                    Check-in station
                  </a>
                </div>
              </div>
              {open === i.id && <IncidentDetails incident={i} onChanged={incidents.reload} />}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function IncidentDetails({ incident, onChanged }: { incident: Incident; onChanged: () => void }) {
  const staff = useAsync(() => api.get<StaffMember[]>(`/incidents/${incident.id}/staff`), [incident.id]);
  const users = useAsync(() => api.get<UserView[]>('/users'), []);
  const [userId, setUserId] = useState('');
  const [location, setLocation] = useState<{ name: string; kind: LocationKind }>({ name: '', kind: 'Staging Area' });
  const [position, setPosition] = useState({ name: '', qualifications: '' });
  const [confirmClose, setConfirmClose] = useState(false);
  const [offlineHours, setOfflineHours] = useState(String(incident.offlineStatusMaxAgeHours));
  const action = useAction();
  const base = `/incidents/${incident.id}`;
  const assignable = (users.data ?? []).filter(
    (u) => u.active && (u.role === 'commander' || u.role === 'checkin' || u.role === 'supervisor') && !(staff.data ?? []).some((s) => s.userId === u.id),
  );

  const run = async (fn: () => Promise<unknown>, after: () => void): Promise<void> => {
    const ok = await action.run(async () => {
      await fn();
      return true;
    });
    if (ok) after();
  };

  return (
    <div class="incident-details">
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => api.patch(base, { offlineStatusMaxAgeHours: Number(offlineHours) }), onChanged);
        }}
      >
        <div class="field">
          <label for={`offline-hours-${incident.id}`}>Offline limit (hours)</label>
          <input
            id={`offline-hours-${incident.id}`}
            type="number"
            min={1}
            max={168}
            step={1}
            required
            value={offlineHours}
            onInput={(e) => setOfflineHours(e.currentTarget.value)}
          />
          <p class="hint">Offline stations treat a status list older than this as unconfirmed; the status-unavailable policy decides.</p>
        </div>
        <div class="field field-button">
          <button type="submit" class="button-small" disabled={action.busy}>
            Save offline limit
          </button>
        </div>
      </form>
      <div class="columns">
        <div>
          <h3>Locations</h3>
          <ul>
            {incident.locations.map((l) => (
              <li key={l.id}>
                {l.name} ({l.kind})
              </li>
            ))}
          </ul>
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              void run(
                () => api.patch(base, { addLocations: [{ name: location.name.trim(), kind: location.kind }] }),
                () => {
                  setLocation({ name: '', kind: 'Staging Area' });
                  onChanged();
                },
              );
            }}
          >
            <div class="field">
              <label for={`loc-name-${incident.id}`}>New location</label>
              <input
                id={`loc-name-${incident.id}`}
                type="text"
                required
                value={location.name}
                onInput={(e) => setLocation({ ...location, name: e.currentTarget.value })}
              />
            </div>
            <div class="field">
              <label for={`loc-kind-${incident.id}`}>Kind</label>
              <select
                id={`loc-kind-${incident.id}`}
                value={location.kind}
                onChange={(e) => setLocation({ ...location, kind: e.currentTarget.value as LocationKind })}
              >
                {LOCATION_KINDS.map((k) => (
                  <option key={k}>{k}</option>
                ))}
              </select>
            </div>
            <div class="field field-button">
              <button type="submit" class="button-small" disabled={action.busy}>
                Add location
              </button>
            </div>
          </form>
        </div>
        <div>
          <h3>Positions</h3>
          <ul>
            {incident.positions.map((p) => (
              <li key={p.id}>
                {p.name}: {p.requiredQualifications.join(' or ')}
              </li>
            ))}
          </ul>
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              void run(
                () =>
                  api.patch(base, { addPositions: [{ name: position.name.trim(), requiredQualifications: splitList(position.qualifications.toUpperCase()) }] }),
                () => {
                  setPosition({ name: '', qualifications: '' });
                  onChanged();
                },
              );
            }}
          >
            <div class="field">
              <label for={`pos-name-${incident.id}`}>New position</label>
              <input
                id={`pos-name-${incident.id}`}
                type="text"
                required
                value={position.name}
                onInput={(e) => setPosition({ ...position, name: e.currentTarget.value })}
              />
            </div>
            <div class="field">
              <label for={`pos-q-${incident.id}`}>Qualifications (any of, comma separated)</label>
              <input
                id={`pos-q-${incident.id}`}
                type="text"
                required
                placeholder="RN, APRN"
                value={position.qualifications}
                onInput={(e) => setPosition({ ...position, qualifications: e.currentTarget.value })}
              />
            </div>
            <div class="field field-button">
              <button type="submit" class="button-small" disabled={action.busy}>
                Add position
              </button>
            </div>
          </form>
        </div>
      </div>

      <h3>Staff</h3>
      {staff.loading && !staff.data && <Loading what="staff" />}
      <ErrorNotice error={staff.error ?? users.error} />
      {staff.data && (
        <ul data-testid="staff">
          {staff.data.length === 0 && <li>No staff assigned yet.</li>}
          {staff.data.map((s) => (
            <li key={s.userId}>
              {s.displayName ?? s.email} {s.role ? `(${roleWord(s.role)})` : ''}{' '}
              <button
                type="button"
                class="button-small"
                disabled={action.busy}
                onClick={() => void run(() => api.delete(`${base}/staff/${s.userId}`), staff.reload)}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (userId)
            void run(
              () => api.post(`${base}/staff`, { userId }),
              () => {
                setUserId('');
                staff.reload();
              },
            );
        }}
      >
        <div class="field">
          <label for={`staff-${incident.id}`}>Assign a commander, supervisor or check-in staff member</label>
          <select id={`staff-${incident.id}`} value={userId} onChange={(e) => setUserId(e.currentTarget.value)}>
            <option value="">Choose…</option>
            {assignable.map((u) => (
              <option key={u.id} value={u.id}>
                {u.displayName} – {roleWord(u.role)} ({u.email})
              </option>
            ))}
          </select>
        </div>
        <div class="field field-button">
          <button type="submit" class="button-small" disabled={!userId || action.busy}>
            Assign
          </button>
        </div>
      </form>

      {incident.state === 'active' && (
        <div class="danger-zone">
          {!confirmClose ? (
            <button type="button" class="button-secondary" onClick={() => setConfirmClose(true)}>
              Close this incident…
            </button>
          ) : (
            <>
              <p>Closing ends check-in at this incident. Records stay for the audit.</p>
              <button type="button" class="button-danger" disabled={action.busy} onClick={() => void run(() => api.post(`${base}/close`, {}), onChanged)}>
                Confirm: close {incident.name}
              </button>{' '}
              <button type="button" class="button-secondary" onClick={() => setConfirmClose(false)}>
                Cancel
              </button>
            </>
          )}
        </div>
      )}
      <ErrorNotice error={action.error} />
    </div>
  );
}

interface LocationRow {
  name: string;
  kind: LocationKind;
}
interface PositionRow {
  name: string;
  qualifications: string;
}

function CreateIncident({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [number, setNumber] = useState('');
  const [type, setType] = useState('');
  const [jurisdiction, setJurisdiction] = useState('US-FL');
  const [mutualAid, setMutualAid] = useState('');
  const [policy, setPolicy] = useState<'admit_with_warning' | 'deny'>('admit_with_warning');
  const [timeZone, setTimeZone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const [locations, setLocations] = useState<LocationRow[]>([{ name: 'Staging Area 1', kind: 'Staging Area' }]);
  const [positions, setPositions] = useState<PositionRow[]>([{ name: '', qualifications: '' }]);
  const [created, setCreated] = useState<string | undefined>(undefined);
  const action = useAction();

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setCreated(undefined);
    const incident = await action.run(() =>
      api.post<Incident>('/incidents', {
        name: name.trim(),
        number: number.trim(),
        type: type.trim(),
        jurisdiction: jurisdiction.trim().toUpperCase(),
        mutualAidJurisdictions: mutualAid.trim() ? splitList(mutualAid.toUpperCase()) : undefined,
        statusUnavailablePolicy: policy,
        timeZone: timeZone.trim() || undefined,
        locations: locations.filter((l) => l.name.trim()).map((l) => ({ name: l.name.trim(), kind: l.kind })),
        positions: positions
          .filter((p) => p.name.trim())
          .map((p) => ({ name: p.name.trim(), requiredQualifications: splitList(p.qualifications.toUpperCase()) })),
      }),
    );
    if (incident) {
      setCreated(`${incident.name} created.`);
      setName('');
      setNumber('');
      onCreated();
    }
  };

  return (
    <details class="panel">
      <summary>Open a new incident</summary>
      <form onSubmit={(e) => void submit(e)}>
        <div class="row">
          <div class="field">
            <label for="inc-name">Name</label>
            <input id="inc-name" type="text" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="inc-number">Number</label>
            <input
              id="inc-number"
              type="text"
              required
              maxLength={60}
              placeholder="FL-2026-0612"
              value={number}
              onInput={(e) => setNumber(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="inc-type">Type</label>
            <input
              id="inc-type"
              type="text"
              required
              maxLength={100}
              placeholder="Structural collapse"
              value={type}
              onInput={(e) => setType(e.currentTarget.value)}
            />
          </div>
        </div>
        <div class="row">
          <div class="field">
            <label for="inc-jurisdiction">Jurisdiction</label>
            <input
              id="inc-jurisdiction"
              type="text"
              required
              pattern="[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?"
              value={jurisdiction}
              onInput={(e) => setJurisdiction(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="inc-mutual-aid">Mutual aid states (EMAC, comma separated)</label>
            <input id="inc-mutual-aid" type="text" placeholder="US-GA, US-AL" value={mutualAid} onInput={(e) => setMutualAid(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="inc-policy">When revocation status cannot be checked</label>
            <select id="inc-policy" value={policy} onChange={(e) => setPolicy(e.currentTarget.value as 'admit_with_warning' | 'deny')}>
              <option value="admit_with_warning">Admit with a warning</option>
              <option value="deny">Deny</option>
            </select>
          </div>
          <div class="field">
            <label for="inc-tz">Time zone</label>
            <input id="inc-tz" type="text" value={timeZone} onInput={(e) => setTimeZone(e.currentTarget.value)} />
          </div>
        </div>
        <fieldset>
          <legend>Check-in locations (ICS 211 block 3)</legend>
          {locations.map((l, i) => (
            <div class="row" key={i}>
              <div class="field">
                <label for={`new-loc-${i}`}>Location {i + 1}</label>
                <input
                  id={`new-loc-${i}`}
                  type="text"
                  value={l.name}
                  onInput={(e) => setLocations(locations.map((x, j) => (j === i ? { ...x, name: e.currentTarget.value } : x)))}
                />
              </div>
              <div class="field">
                <label for={`new-loc-kind-${i}`}>Kind</label>
                <select
                  id={`new-loc-kind-${i}`}
                  value={l.kind}
                  onChange={(e) => setLocations(locations.map((x, j) => (j === i ? { ...x, kind: e.currentTarget.value as LocationKind } : x)))}
                >
                  {LOCATION_KINDS.map((k) => (
                    <option key={k}>{k}</option>
                  ))}
                </select>
              </div>
            </div>
          ))}
          <button type="button" class="button-small" onClick={() => setLocations([...locations, { name: '', kind: 'Staging Area' }])}>
            Another location
          </button>
        </fieldset>
        <fieldset>
          <legend>Positions</legend>
          {positions.map((p, i) => (
            <div class="row" key={i}>
              <div class="field">
                <label for={`new-pos-${i}`}>Position {i + 1}</label>
                <input
                  id={`new-pos-${i}`}
                  type="text"
                  placeholder="Triage Nurse"
                  value={p.name}
                  onInput={(e) => setPositions(positions.map((x, j) => (j === i ? { ...x, name: e.currentTarget.value } : x)))}
                />
              </div>
              <div class="field">
                <label for={`new-pos-q-${i}`}>Qualifications (any of)</label>
                <input
                  id={`new-pos-q-${i}`}
                  type="text"
                  placeholder="RN, APRN"
                  value={p.qualifications}
                  onInput={(e) => setPositions(positions.map((x, j) => (j === i ? { ...x, qualifications: e.currentTarget.value } : x)))}
                />
              </div>
            </div>
          ))}
          <button type="button" class="button-small" onClick={() => setPositions([...positions, { name: '', qualifications: '' }])}>
            Another position
          </button>
        </fieldset>
        <div class="actions">
          <button type="submit" class="button-primary" disabled={action.busy}>
            Open incident
          </button>
        </div>
      </form>
      <ErrorNotice error={action.error} />
      {created && (
        <p role="status" class="saved">
          <span aria-hidden="true">✔ </span>
          {created}
        </p>
      )}
    </details>
  );
}
