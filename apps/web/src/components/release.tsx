import { useState } from 'preact/hooks';
import type { Release } from '../api/types';
import { api } from '../session';
import { formatClock, formatTime } from '../text';
import { ErrorNotice } from './notices';
import { useAction, useAsync, type AsyncState } from './use-async';

/** The ICS 221 release of one deployment: sign-offs, travel home, ready or not (GET .../demob). */
export function useRelease(incidentId: string, deploymentId: string, load = true): AsyncState<Release | undefined> {
  return useAsync(
    () => (load ? api.get<Release>(`/incidents/${incidentId}/deployments/${deploymentId}/demob`) : Promise.resolve(undefined)),
    [incidentId, deploymentId, load],
  );
}

const unitName = (unit: string): string => unit.charAt(0).toUpperCase() + unit.slice(1);

/** What still stands between the responder and their release, in words. */
export function releaseMissing(release: Release): string[] {
  const missing = release.signoffs.filter((s) => !s.signed).map((s) => `${unitName(s.unit)} sign-off`);
  if (!release.travel) missing.push('travel home');
  return missing;
}

/**
 * The release checklist (ICS 221) at check-out, when the incident asks for one: each unit signs off with one tap,
 * travel home is recorded, and the printable form is at hand. `onChanged` reloads the release after each step.
 */
export function ReleaseChecklist({ incidentId, release, onChanged }: { incidentId: string; release: Release; onChanged: () => void }) {
  const action = useAction();
  const download = useAction();
  const [method, setMethod] = useState('');
  const [eta, setEta] = useState('');
  const base = `/incidents/${incidentId}/deployments/${release.deploymentId}`;
  const id = release.deploymentId;
  const missing = releaseMissing(release);

  const signOff = async (unit: string): Promise<void> => {
    if (await action.run(() => api.post<Release>(`${base}/demob/signoffs`, { unit }))) onChanged();
  };
  const saveTravel = async (e: Event): Promise<void> => {
    e.preventDefault();
    const etaHome = new Date(eta);
    if (await action.run(() => api.put<Release>(`${base}/demob/travel`, { method: method.trim(), etaHome: etaHome.toISOString() }))) onChanged();
  };

  return (
    <section class="release" aria-label={`Release of ${release.name} (ICS 221)`} data-testid="release" data-ready={release.ready}>
      <h3>Release (ICS 221)</h3>
      <ul class="release-steps">
        {release.signoffs.map((s) => (
          <li key={s.unit} data-unit={s.unit} data-done={s.signed}>
            {s.signed ? (
              <>
                <span aria-hidden="true">✔ </span>
                <strong>{unitName(s.unit)}</strong> signed off by the {s.signedBy} at {formatClock(s.signedAt)}
                {s.note ? ` – “${s.note}”` : ''}
              </>
            ) : (
              <>
                <span aria-hidden="true">○ </span>
                <strong>{unitName(s.unit)}</strong> not signed off{' '}
                <button type="button" class="button-small" disabled={action.busy} onClick={() => void signOff(s.unit)}>
                  Sign off {unitName(s.unit)}
                </button>
              </>
            )}
          </li>
        ))}
        <li data-unit="travel" data-done={!!release.travel}>
          {release.travel ? (
            <>
              <span aria-hidden="true">✔ </span>
              <strong>Travel home</strong>: {release.travel.method}, arriving {formatTime(release.travel.etaHome)}
            </>
          ) : (
            <form class="row" onSubmit={(e) => void saveTravel(e)} aria-label="Travel home">
              <div class="field">
                <label for={`travel-method-${id}`}>Travel home by</label>
                <input
                  id={`travel-method-${id}`}
                  type="text"
                  required
                  maxLength={60}
                  placeholder="POV, air, bus"
                  value={method}
                  onInput={(e) => setMethod(e.currentTarget.value)}
                />
              </div>
              <div class="field">
                <label for={`travel-eta-${id}`}>Arriving home (estimate)</label>
                <input id={`travel-eta-${id}`} type="datetime-local" required value={eta} onInput={(e) => setEta(e.currentTarget.value)} />
              </div>
              <div class="field field-button">
                <button type="submit" class="button-small" disabled={action.busy}>
                  Save travel
                </button>
              </div>
            </form>
          )}
        </li>
      </ul>
      <p class={release.ready ? 'release-ready' : 'release-missing'} data-testid="release-state">
        {release.ready ? '✔ Ready for release.' : `Not ready: ${missing.join(', ')}.`}
      </p>
      <button
        type="button"
        class="button-small"
        disabled={download.busy}
        onClick={() => void download.run(() => api.download(`${base}/ics221.html`, `ics221-${release.name.replace(/[^\w-]+/g, '-')}.html`))}
      >
        <span aria-hidden="true">⬇ </span>ICS 221 (printable)
      </button>
      <ErrorNotice error={action.error ?? download.error} />
    </section>
  );
}
