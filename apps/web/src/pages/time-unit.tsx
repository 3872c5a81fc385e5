import { useState } from 'preact/hooks';
import { IncidentSelect, useIncidentChoice } from '../components/incident-picker';
import { ErrorNotice, Loading, Notice } from '../components/notices';
import { useAction, useAsync } from '../components/use-async';
import type { Deployment, Incident, TimeCorrection, TimePackage } from '../api/types';
import { setParam, useRoute } from '../router';
import { api, useSession } from '../session';
import { formatTime } from '../text';

const hours = (minutes: number): string => (minutes / 60).toFixed(2);
const money = (cents: number): string => (cents / 100).toFixed(2);

/**
 * The time unit's page: an agency's timesheets (responder days with hours, amounts and day status), the corrections
 * with their reasons, approving corrections, days and operational periods, certifying the package, and the CSV and PDF
 * downloads.
 */
export function TimeUnitPage() {
  const choice = useIncidentChoice({ includeClosed: true });
  const incident = choice.chosen;
  return (
    <div class="page time-unit">
      <h1>Time unit</h1>
      <IncidentSelect choice={choice} />
      {incident && <AgencyTime key={incident.id} incidentId={incident.id} incidentNumber={incident.number} periods={incident.operationalPeriods} />}
    </div>
  );
}

type Periods = Incident['operationalPeriods'];

function AgencyTime({ incidentId, incidentNumber, periods }: { incidentId: string; incidentNumber: string; periods: Periods }) {
  const route = useRoute();
  const agency = route.params.get('agency') ?? '';
  const deployments = useAsync(() => api.get<Deployment[]>(`/incidents/${incidentId}/deployments`, { query: { include: 'checked_out' } }), [incidentId]);
  const agencies = [...new Set((deployments.data ?? []).map((d) => d.ics211.agency).filter((a): a is string => !!a))].sort();
  return (
    <>
      <div class="field">
        <label for="time-agency">Agency</label>
        <select id="time-agency" value={agency} onChange={(e) => setParam('agency', e.currentTarget.value || undefined)}>
          <option value="">Choose an agency…</option>
          {agencies.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </div>
      {agency && <AgencyPackage key={agency} incidentId={incidentId} incidentNumber={incidentNumber} agency={agency} periods={periods} />}
    </>
  );
}

function AgencyPackage({ incidentId, incidentNumber, agency, periods }: { incidentId: string; incidentNumber: string; agency: string; periods: Periods }) {
  const session = useSession();
  const canWrite = session?.user.role === 'admin' || session?.user.role === 'timekeeper';
  const pkg = useAsync(() => api.get<TimePackage>(`/incidents/${incidentId}/time/package`, { query: { agency } }), [incidentId, agency]);
  const corrections = useAsync(() => api.get<TimeCorrection[]>(`/incidents/${incidentId}/time/corrections`), [incidentId]);
  const action = useAction();
  const [done, setDone] = useState<string | undefined>(undefined);
  const [periodId, setPeriodId] = useState('');
  const act = (what: () => Promise<unknown>, message: string): void => {
    setDone(undefined);
    void action.run(async () => {
      await what();
      setDone(message);
      pkg.reload();
      corrections.reload();
    });
  };
  const download = (file: string, name: string): void => {
    setDone(undefined);
    void action.run(async () => setDone(`Downloaded ${await api.download(`/incidents/${incidentId}/time/${file}`, name, { agency })}.`));
  };

  if (pkg.loading && !pkg.data) return <Loading what="timesheets" />;
  if (pkg.error) return <ErrorNotice error={pkg.error} prefix="The timesheets could not be made" />;
  const p = pkg.data!;
  const dates = [...new Set(p.rows.map((r) => r.date))].sort();
  const mine = (corrections.data ?? []).filter((c) => c.agency === agency);
  const names = new Map(p.rows.map((r) => [r.responderId, r.name]));
  const locked = !!p.certification;

  return (
    <div class="time-package">
      <p>
        Mission or order: <strong>{p.missionReference ?? 'not set'}</strong>
      </p>
      {action.error && <ErrorNotice error={action.error} />}
      {done && <Notice kind="ok">{done}</Notice>}

      <section aria-labelledby="timesheets-title">
        <h2 id="timesheets-title">Timesheets</h2>
        <div class="table-scroll">
          <table class="data-table" data-testid="timesheets">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Date</th>
                <th scope="col">On duty h</th>
                <th scope="col">Travel h</th>
                <th scope="col">Regular h</th>
                <th scope="col">Overtime h</th>
                <th scope="col">Claim</th>
                <th scope="col">Donated</th>
                <th scope="col">Work</th>
                <th scope="col">Day</th>
              </tr>
            </thead>
            <tbody>
              {p.rows.map((r) => (
                <tr key={`${r.responderId}|${r.date}`}>
                  <td>{r.name}</td>
                  <td>{r.date}</td>
                  <td>{hours(r.onDutyMinutes)}</td>
                  <td>{hours(r.travelMinutes)}</td>
                  <td>{hours(r.regularMinutes)}</td>
                  <td>{hours(r.overtimeMinutes)}</td>
                  <td>{money(r.claimCents)}</td>
                  <td>{r.employment === 'volunteer' ? money(r.donatedCents) : ''}</td>
                  <td>{r.workDescription}</td>
                  <td>{r.status.replace('_', ' ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p data-testid="time-totals">
          Totals: travel {hours(p.totals.travelMinutes)} h, regular {hours(p.totals.regularMinutes)} h, overtime {hours(p.totals.overtimeMinutes)} h, claim{' '}
          {money(p.totals.claimCents)}, donated {hours(p.totals.donatedMinutes)} h worth {money(p.totals.donatedCents)}
        </p>
      </section>

      <section aria-labelledby="corrections-title">
        <h2 id="corrections-title">Corrections</h2>
        {mine.length === 0 && <p>No corrections for {agency}.</p>}
        <ul class="corrections" data-testid="corrections">
          {mine.map((c) => (
            <li key={c.id}>
              {names.get(c.responderId) ?? c.responderId}, {c.date}: {c.onDuty.map((i) => `${formatTime(i.start)}–${formatTime(i.end)}`).join(', ')}. Reason:{' '}
              {c.reason}. {c.approverId ? `Approved ${formatTime(c.approvedAt)}.` : 'Waiting for approval.'}{' '}
              {canWrite && !c.approverId && !locked && (
                <button
                  type="button"
                  class="button-secondary"
                  disabled={action.busy || c.authorId === session?.user.userId}
                  onClick={() => act(() => api.post(`/incidents/${incidentId}/time/corrections/${c.id}/approve`), 'Correction approved.')}
                >
                  Approve correction
                </button>
              )}
            </li>
          ))}
        </ul>
      </section>

      {canWrite && !locked && (
        <section aria-labelledby="approvals-title">
          <h2 id="approvals-title">Approvals</h2>
          <div class="actions">
            {dates.map((date) => (
              <button
                key={date}
                type="button"
                class="button-secondary"
                disabled={action.busy}
                onClick={() => act(() => api.post(`/incidents/${incidentId}/time/approvals`, { agency, date }), `${date} approved.`)}
              >
                Approve {date}
              </button>
            ))}
          </div>
          {periods.length > 0 && (
            <div class="actions">
              <div class="field">
                <label for="time-period">Operational period</label>
                <select id="time-period" value={periodId} onChange={(e) => setPeriodId(e.currentTarget.value)}>
                  <option value="">Choose a period…</option>
                  {periods.map((op) => (
                    <option key={op.id} value={op.id}>
                      {op.label} ({formatTime(op.startsAt)} – {formatTime(op.endsAt)})
                    </option>
                  ))}
                </select>
              </div>
              <button
                type="button"
                class="button-secondary"
                disabled={action.busy || !periodId}
                onClick={() =>
                  act(
                    () => api.post(`/incidents/${incidentId}/time/period-approvals`, { agency, periodId }),
                    `${periods.find((op) => op.id === periodId)?.label ?? 'Period'} approved.`,
                  )
                }
              >
                Approve operational period
              </button>
            </div>
          )}
          <div class="actions">
            <button
              type="button"
              disabled={action.busy}
              onClick={() => act(() => api.post(`/incidents/${incidentId}/time/certifications`, { agency }), 'Package certified.')}
            >
              Certify the package
            </button>
          </div>
        </section>
      )}

      <section aria-labelledby="certification-title">
        <h2 id="certification-title">Certification</h2>
        {p.certification ? (
          <p data-testid="certification">
            {p.certification.statement} Certified by {p.certification.certifierName} at {formatTime(p.certification.certifiedAt)}.
          </p>
        ) : (
          <p data-testid="certification">Not certified.</p>
        )}
      </section>

      <div class="actions">
        <button type="button" class="button-secondary" disabled={action.busy} onClick={() => download('package.csv', `time-package-${incidentNumber}.csv`)}>
          <span aria-hidden="true">⬇ </span>Package (CSV)
        </button>
        <button type="button" class="button-secondary" disabled={action.busy} onClick={() => download('package.pdf', `time-package-${incidentNumber}.pdf`)}>
          <span aria-hidden="true">⬇ </span>Package (PDF)
        </button>
      </div>
    </div>
  );
}
