import { useEffect } from 'preact/hooks';
import type { Incident } from '../api/types';
import { setParam, useRoute } from '../router';
import { api } from '../session';
import { ErrorNotice, Loading } from './notices';
import { useAsync } from './use-async';

const LAST_INCIDENT_KEY = 'responder-checkin.incident';

/**
 * The incidents this user may see, and which one the page works on (kept in the address, `?incident=`, and
 * remembered for the next visit). Only active incidents are offered unless `includeClosed`.
 */
export function useIncidentChoice(opts: { includeClosed?: boolean } = {}) {
  const route = useRoute();
  const incidents = useAsync(() => api.get<Incident[]>('/incidents'), []);
  const list = (incidents.data ?? []).filter((i) => opts.includeClosed || i.state === 'active');
  const wanted = route.params.get('incident') ?? localStorage.getItem(LAST_INCIDENT_KEY) ?? undefined;
  const chosen = list.find((i) => i.id === wanted) ?? (list.length === 1 ? list[0] : undefined);

  useEffect(() => {
    if (chosen && route.params.get('incident') !== chosen.id) setParam('incident', chosen.id);
    if (chosen) localStorage.setItem(LAST_INCIDENT_KEY, chosen.id);
  }, [chosen?.id]);

  return { incidents, list, chosen, choose: (id: string) => setParam('incident', id || undefined) };
}

export function IncidentSelect({ choice, id = 'incident-select' }: { choice: ReturnType<typeof useIncidentChoice>; id?: string }) {
  const { incidents, list, chosen, choose } = choice;
  if (incidents.loading && !incidents.data) return <Loading what="incidents" />;
  if (incidents.error) return <ErrorNotice error={incidents.error} prefix="Incidents could not be loaded" />;
  if (list.length === 0) return <p class="notice notice-info">No incident is open to you. An administrator assigns staff to incidents.</p>;
  return (
    <div class="field">
      <label for={id}>Incident</label>
      <select id={id} value={chosen?.id ?? ''} onChange={(e) => choose(e.currentTarget.value)}>
        {!chosen && <option value="">Choose an incident…</option>}
        {list.map((i) => (
          <option key={i.id} value={i.id}>
            {i.name} ({i.number}){i.state === 'closed' ? ' – closed' : ''}
          </option>
        ))}
      </select>
    </div>
  );
}
