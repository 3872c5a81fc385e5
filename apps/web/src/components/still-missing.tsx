import type { MissingPerson } from '../api/types';
import { api } from '../session';
import { formatClock } from '../text';
import { useAsync, type AsyncState } from './use-async';

/**
 * People on scene marked missing in a roll call and not accounted for since (GET /incidents/:id/missing). The
 * caller reloads it when `changesMissing` (live/par-state) says an event does, and when its live feed reconnects.
 */
export function useStillMissing(incidentId: string | undefined): AsyncState<MissingPerson[]> {
  return useAsync(() => (incidentId ? api.get<MissingPerson[]>(`/incidents/${incidentId}/missing`) : Promise.resolve([])), [incidentId]);
}

/** The alert a commander cannot miss: who is still missing, where they were assigned, and since when. */
export function StillMissing({ people }: { people: readonly MissingPerson[] }) {
  if (people.length === 0) return null;
  return (
    <div class="alert-box still-missing" role="alert" data-testid="still-missing" aria-labelledby="still-missing-title">
      <h2 id="still-missing-title">
        <span aria-hidden="true">✖ </span>Missing after roll call ({people.length})
      </h2>
      <ul>
        {people.map((p) => (
          <li key={p.deploymentId} data-deployment={p.deploymentId}>
            <strong>{p.name}</strong>
            {p.assignment ? ` (${p.assignment})` : ''}: marked missing by the {p.markedBy} at <time dateTime={p.markedAt}>{formatClock(p.markedAt)}</time>
          </li>
        ))}
      </ul>
      <p class="alert-note">Until they are accounted for in a roll call or checked out.</p>
    </div>
  );
}
