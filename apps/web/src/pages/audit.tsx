import { useState } from 'preact/hooks';
import { IncidentSelect, useIncidentChoice } from '../components/incident-picker';
import { ErrorNotice, Loading } from '../components/notices';
import { useAction, useAsync } from '../components/use-async';
import { api } from '../session';
import { formatTime } from '../text';
import type { AuditEntry, AuditPage as AuditEntriesPage, ChainVerification, DeploymentReport } from '../api/audit-types';
import { describeActor, entriesOf, nextCursorOf, summarizePayload, verificationSummary } from '../api/audit-types';

/** Auditor view (read-only): the incident's audit log, whether its hash chain is intact, and the evidence to take away. */
export function AuditPage() {
  const choice = useIncidentChoice({ includeClosed: true });
  const incident = choice.chosen;
  return (
    <div class="page audit">
      <h1>Audit</h1>
      <IncidentSelect choice={choice} />
      {incident && (
        <div key={incident.id}>
          <ChainStatus incidentId={incident.id} />
          <Downloads incidentId={incident.id} incidentNumber={incident.number} />
          <Deployments incidentId={incident.id} />
          <AuditSearch incidentId={incident.id} />
        </div>
      )}
    </div>
  );
}

function ChainStatus({ incidentId }: { incidentId: string }) {
  const check = useAsync(() => api.get<ChainVerification>('/audit/verify', { query: { incidentId } }), [incidentId]);
  const summary = check.data ? verificationSummary(check.data) : undefined;
  return (
    <section class="chain" aria-labelledby="chain-title" data-testid="chain-status">
      <h2 id="chain-title">Tamper evidence</h2>
      {check.loading && <Loading what="the chain check" />}
      {check.error && <ErrorNotice error={check.error} prefix="The chain could not be checked" />}
      {summary && !check.loading && (
        <p class={`chain-result ${summary.ok ? 'chain-ok' : 'chain-broken'}`} role="status" data-ok={String(summary.ok)}>
          <span aria-hidden="true" class="result-icon">
            {summary.ok ? '✔' : '✖'}
          </span>{' '}
          <strong>{summary.ok ? 'CHAIN INTACT' : 'CHAIN BROKEN'}</strong> – {summary.text}
        </p>
      )}
      <button type="button" class="button-secondary" onClick={check.reload} disabled={check.loading}>
        Check the chain again
      </button>
    </section>
  );
}

function Downloads({ incidentId, incidentNumber }: { incidentId: string; incidentNumber: string }) {
  const action = useAction();
  const [done, setDone] = useState<string | undefined>(undefined);
  const get = (path: string, name: string, query?: Record<string, string>): void => {
    setDone(undefined);
    void action.run(async () => setDone(`Downloaded ${await api.download(path, name, query)}.`));
  };
  return (
    <section class="downloads" aria-labelledby="downloads-title">
      <h2 id="downloads-title">Evidence and reports</h2>
      <div class="actions">
        <button
          type="button"
          class="button-secondary"
          disabled={action.busy}
          onClick={() => get('/audit/export', `audit-${incidentNumber}.json`, { incidentId })}
        >
          <span aria-hidden="true">⬇ </span>Audit export bundle (JSON)
        </button>
        <button
          type="button"
          class="button-secondary"
          disabled={action.busy}
          onClick={() => get(`/reports/incidents/${incidentId}/deployments`, `deployments-${incidentNumber}.csv`, { format: 'csv' })}
        >
          <span aria-hidden="true">⬇ </span>Deployment report (CSV)
        </button>
        <button
          type="button"
          class="button-secondary"
          disabled={action.busy}
          onClick={() => get(`/reports/incidents/${incidentId}/deployments`, `deployments-${incidentNumber}.json`, { format: 'json' })}
        >
          <span aria-hidden="true">⬇ </span>Deployment report (JSON)
        </button>
        <button
          type="button"
          class="button-secondary"
          disabled={action.busy}
          onClick={() => get(`/incidents/${incidentId}/ics211.csv`, `ics211-${incidentNumber}.csv`)}
        >
          <span aria-hidden="true">⬇ </span>ICS 211 (CSV)
        </button>
      </div>
      <p class="hint">The export bundle holds the entries, the signed checkpoints and the public keys: it can be verified offline.</p>
      {done && (
        <p role="status" class="saved">
          <span aria-hidden="true">✔ </span>
          {done}
        </p>
      )}
      <ErrorNotice error={action.error} prefix="Download failed" />
    </section>
  );
}

/** Who was deployed, verified how, and hours per day: what reimbursement hangs on. */
function Deployments({ incidentId }: { incidentId: string }) {
  const report = useAsync(() => api.get<DeploymentReport>(`/reports/incidents/${incidentId}/deployments`, { query: { format: 'json' } }), [incidentId]);
  const r = report.data;
  return (
    <section class="downloads" aria-labelledby="deployments-title">
      <h2 id="deployments-title">Deployments and hours</h2>
      {report.loading && !r && <Loading what="the deployment report" />}
      <ErrorNotice error={report.error} prefix="The report could not be made" />
      {r && r.deployments.length === 0 && <p>No deployments at this incident.</p>}
      {r && r.deployments.length > 0 && (
        <>
          <table class="data-table" data-testid="report-deployments">
            <caption>
              {r.deployments.length} deployments, as of {formatTime(r.reportedAt)}
            </caption>
            <thead>
              <tr>
                <th scope="col">Responder</th>
                <th scope="col">Qualification and issuer</th>
                <th scope="col">Verified</th>
                <th scope="col">On scene</th>
                <th scope="col">Hours</th>
              </tr>
            </thead>
            <tbody>
              {r.deployments.map((d) => (
                <tr key={d.deploymentId}>
                  <td>
                    {d.responder.name}
                    {d.agency ? <div class="hint">{d.agency}</div> : null}
                  </td>
                  <td>
                    {d.qualification ?? '–'} {d.licenseNumber ? `#${d.licenseNumber}` : ''}
                    <div class="hint">{d.issuer.name ?? d.issuer.id ?? ''}</div>
                  </td>
                  <td>
                    {d.verification.atCheckIn
                      ? `${d.verification.atCheckIn.method}, ${formatTime(d.verification.atCheckIn.at)}: ${d.verification.atCheckIn.result}`
                      : '–'}
                    {d.verification.reverifications.length > 0 && (
                      <div class="hint">
                        reverified {d.verification.reverifications.length}×, last {formatTime(d.verification.lastReverifiedAt)}
                      </div>
                    )}
                  </td>
                  <td>
                    {formatTime(d.checkedInAt)} – {d.checkedOutAt ? formatTime(d.checkedOutAt) : 'still on scene'}
                  </td>
                  <td>{d.hoursOnScene}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <details>
            <summary>Hours per responder per day</summary>
            <table class="data-table">
              <thead>
                <tr>
                  <th scope="col">Responder</th>
                  <th scope="col">Day</th>
                  <th scope="col">Hours</th>
                </tr>
              </thead>
              <tbody>
                {r.hoursByResponderDay.map((h) => (
                  <tr key={`${h.responderId}-${h.date}`}>
                    <td>{h.name}</td>
                    <td>{h.date}</td>
                    <td>{h.hours}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </section>
  );
}

interface Filters {
  action: string;
  from: string;
  to: string;
}

function AuditSearch({ incidentId }: { incidentId: string }) {
  const [filters, setFilters] = useState<Filters>({ action: '', from: '', to: '' });
  const [applied, setApplied] = useState<Filters>(filters);
  const [more, setMore] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const loadMore = useAction();

  const query = (f: Filters, c?: string) => ({
    incidentId,
    action: f.action.trim() || undefined,
    from: f.from ? new Date(f.from).toISOString() : undefined,
    to: f.to ? new Date(f.to).toISOString() : undefined,
    cursor: c,
    limit: 50,
  });
  const first = useAsync(async () => {
    const page = await api.get<AuditEntriesPage>('/audit/entries', { query: query(applied) });
    setMore([]);
    setCursor(nextCursorOf(page));
    return entriesOf(page);
  }, [incidentId, applied]);

  const next = async (): Promise<void> => {
    const page = await loadMore.run(() => api.get<AuditEntriesPage>('/audit/entries', { query: query(applied, cursor) }));
    if (page) {
      setMore([...more, ...entriesOf(page)]);
      setCursor(nextCursorOf(page));
    }
  };

  const entries = [...(first.data ?? []), ...more];
  return (
    <section class="audit-search" aria-labelledby="search-title">
      <h2 id="search-title">Audit log</h2>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ ...filters });
        }}
      >
        <div class="field">
          <label for="audit-action">Action</label>
          <input
            id="audit-action"
            type="text"
            list="audit-actions"
            placeholder="e.g. checkin.denied"
            value={filters.action}
            onInput={(e) => setFilters({ ...filters, action: e.currentTarget.value })}
          />
          <datalist id="audit-actions">
            {[
              'checkin.*',
              'deployment.*',
              'credential.*',
              'checkin.admitted',
              'checkin.denied',
              'deployment.status_changed',
              'deployment.checked_out',
              'deployment.ics211_edited',
              'credential.flagged',
              'responder.identity_changed',
              'incident.created',
              'incident.updated',
            ].map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </div>
        <div class="field">
          <label for="audit-from">From</label>
          <input id="audit-from" type="datetime-local" value={filters.from} onInput={(e) => setFilters({ ...filters, from: e.currentTarget.value })} />
        </div>
        <div class="field">
          <label for="audit-to">To</label>
          <input id="audit-to" type="datetime-local" value={filters.to} onInput={(e) => setFilters({ ...filters, to: e.currentTarget.value })} />
        </div>
        <div class="field field-button">
          <button type="submit" class="button-primary">
            Search
          </button>
        </div>
      </form>
      {first.loading && <Loading what="audit entries" />}
      {first.error && <ErrorNotice error={first.error} prefix="The audit log could not be read" />}
      {!first.loading && !first.error && entries.length === 0 && <p>No entries match.</p>}
      {entries.length > 0 && (
        <table class="audit-table" data-testid="audit-entries">
          <caption>
            {entries.length} entr{entries.length === 1 ? 'y' : 'ies'}
            {cursor ? ' (more available)' : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">When</th>
              <th scope="col">Action</th>
              <th scope="col">Who</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id ?? `${e.chainId}-${e.seq}`}>
                <td>{e.seq}</td>
                <td>
                  <time dateTime={e.occurredAt}>{formatTime(e.occurredAt)}</time>
                </td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>{describeActor(e.actor)}</td>
                <td>
                  {summarizePayload(e.payload)}
                  <details>
                    <summary>
                      {e.targetType ? `${e.targetType} ` : ''}
                      <span class="mono">{e.targetId ? e.targetId.slice(0, 8) : ''}</span>
                    </summary>
                    <pre class="payload">{JSON.stringify(e.payload, null, 2)}</pre>
                    {e.hash && <p class="mono hint">hash {e.hash}</p>}
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <button type="button" class="button-secondary" disabled={loadMore.busy} onClick={() => void next()}>
          Load more
        </button>
      )}
      <ErrorNotice error={loadMore.error} />
    </section>
  );
}
