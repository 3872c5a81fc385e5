import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api/http';
import type { DeploymentRecord, PresentedRecord } from '../api/types';
import { api } from '../session';
import { formatTime } from '../text';
import { ErrorNotice, Loading } from './notices';
import { toApiError } from './use-async';

/** A download of `text` named `name`, made in the page (the record never leaves through another server). */
function downloadUrl(text: string, type: string): string {
  return URL.createObjectURL(new Blob([text], { type }));
}

/**
 * The deployment record handed to the responder at check-out: a QR code for a wallet or a later station, and the
 * .jwt and JSON downloads. Shown on the station's result and the board's check-out.
 */
export function DeploymentRecordPanel({ incidentId, deploymentId }: { incidentId: string; deploymentId: string }) {
  const [record, setRecord] = useState<DeploymentRecord | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [urls, setUrls] = useState<{ jwt: string; json: string } | undefined>(undefined);
  useEffect(() => {
    api.get<DeploymentRecord>(`/incidents/${incidentId}/deployments/${deploymentId}/record`).then(setRecord, (e: unknown) => setError(toApiError(e)));
  }, [incidentId, deploymentId]);
  useEffect(() => {
    if (!record?.jwt || !record.credential) return undefined;
    const made = { jwt: downloadUrl(record.jwt, 'application/vc+jwt'), json: downloadUrl(JSON.stringify(record.credential, null, 2), 'application/json') };
    setUrls(made);
    return () => {
      URL.revokeObjectURL(made.jwt);
      URL.revokeObjectURL(made.json);
    };
  }, [record]);
  // 404: this agency issues no records (or none for this deployment); nothing to hand out.
  if (error?.status === 404) return null;
  if (error) return <ErrorNotice error={error} prefix="The deployment record could not be loaded" />;
  if (!record) return <Loading what="the deployment record" />;
  const file = `deployment-record-${record.id}`;
  return (
    <section class="deployment-record" aria-labelledby={`record-${record.id}`} data-testid="deployment-record">
      <h2 id={`record-${record.id}`}>Deployment record</h2>
      {record.state === 'revoked' && (
        <p class="notice notice-warning">
          Revoked {formatTime(record.revokedAt)}: {record.revokeReason}
        </p>
      )}
      {record.state === 'pending' && <p>Not signed yet: try again in a minute.</p>}
      {record.jwt && (
        <>
          <p>{String(record.credential?.name ?? 'Deployment record')}: the responder scans this code into their wallet, or downloads the record.</p>
          {/* The SVG comes from our own API (qrcode's output), never from the credential. */}
          {record.qrSvg && (
            <div class="record-qr" role="img" aria-label="QR code of the deployment record" dangerouslySetInnerHTML={{ __html: record.qrSvg }} />
          )}
          {urls && (
            <p class="actions">
              <a class="button-secondary" href={urls.jwt} download={`${file}.jwt`} data-testid="record-download-jwt">
                Download .jwt
              </a>{' '}
              <a class="button-secondary" href={urls.json} download={`${file}.json`} data-testid="record-download-json">
                Download JSON
              </a>
            </p>
          )}
        </>
      )}
    </section>
  );
}

/** A deployment record presented at the station: the holder's earlier deployments, beside (never instead of) the licence check. */
export function PresentedRecordPanel({ credential }: { credential: string }) {
  const [shown, setShown] = useState<PresentedRecord | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  useEffect(() => {
    api.post<PresentedRecord>('/deployment-records/presented', { verifiableCredential: credential }).then(setShown, (e: unknown) => setError(toApiError(e)));
  }, [credential]);
  if (error) return <ErrorNotice error={error} prefix="The deployment history could not be read" />;
  if (!shown) return <Loading what="the deployment history" />;
  if (!shown.verified || !shown.history) return <p class="notice notice-warning">Deployment record not accepted: {shown.reason}</p>;
  const h = shown.history;
  return (
    <section class="deployment-history" aria-labelledby="history-title" data-testid="deployment-history">
      <h2 id="history-title">Prior deployments</h2>
      <p data-testid="deployment-history-summary">
        {shown.name}: {h.deployments} {h.deployments === 1 ? 'deployment' : 'deployments'}, {h.totalDays} {h.totalDays === 1 ? 'day' : 'days'} in total.
      </p>
      <ul>
        {h.items.map((i) => (
          <li key={i.recordId}>
            {i.incident} ({i.incidentNumber}): {formatTime(i.from)} – {formatTime(i.until)}, {i.days} {i.days === 1 ? 'day' : 'days'}
          </li>
        ))}
      </ul>
    </section>
  );
}
