import { useCallback, useEffect, useRef } from 'preact/hooks';
import type { WorkLimit } from '../api/types';
import { api } from '../session';
import { useAsync, type AsyncState } from './use-async';

/** Limits move with the clock, not only with events: read again this often while the board is open. */
const REFRESH_MS = 60_000;
/** A burst of events (a surge of check-ins) asks for one read, this long after the first. */
const SOON_MS = 2_000;

/**
 * Who is near (amber) or over (red) a work limit of the incident, or in mandatory rest (GET /incidents/:id/work-limits).
 * The caller also reloads it on the events that change it (a status change, a limit announcement).
 */
export function useWorkLimits(incidentId: string | undefined): AsyncState<WorkLimit[]> & { reloadSoon(): void } {
  const limits = useAsync(() => (incidentId ? api.get<WorkLimit[]>(`/incidents/${incidentId}/work-limits`) : Promise.resolve([])), [incidentId]);
  const { reload } = limits;
  const soon = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const reloadSoon = useCallback(() => {
    soon.current ??= setTimeout(() => {
      soon.current = undefined;
      reload();
    }, SOON_MS);
  }, [reload]);
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => {
      clearInterval(timer);
      clearTimeout(soon.current);
      soon.current = undefined;
    };
  }, [reload]);
  return { ...limits, reloadSoon };
}

const hours = (n: number): string => `${n.toFixed(1)} h`;
const days = (n: number): string => `${n.toFixed(1)} days`;

/** One limit in the words of a commander's board. */
export function limitText(l: WorkLimit): string {
  switch (l.limit) {
    case 'days_on_incident':
      return l.level === 'breached' ? `Over the ${l.max}-day deployment limit (${days(l.value)})` : `${l.value.toFixed(1)} of ${l.max} days on this incident`;
    case 'hours_in_period':
      return l.level === 'breached' ? `Over the ${l.max} h work-period limit (${hours(l.value)})` : `${l.value.toFixed(1)} of ${l.max} h this work period`;
    case 'rest_between_periods':
      return `Mandatory rest: ${l.value.toFixed(1)} of ${l.max} h rested`;
  }
}

/** The pills on a roster card: amber near a limit or resting, red over one. */
export function WorkLimitPills({ limits }: { limits: readonly WorkLimit[] }) {
  if (limits.length === 0) return null;
  return (
    <p class="card-line" data-testid="work-limits">
      {limits.map((l) => (
        <span key={l.limit} class={`limit-pill limit-${l.level}`} data-limit={l.limit} data-level={l.level}>
          {l.level === 'breached' && <span aria-hidden="true">⚠ </span>}
          {limitText(l)}
        </span>
      ))}
    </p>
  );
}
