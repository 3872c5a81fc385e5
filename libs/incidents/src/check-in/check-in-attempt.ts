import type { CheckInDecision, CheckInReason } from './check-in.types';

/** A scan at a check-in point, admitted or denied; the response is kept to replay an Idempotency-Key exactly. */
export interface CheckInAttempt {
  id: string;
  performedBy: string;
  idempotencyKey: string | null;
  /** Hash of the request (JCS), to refuse an Idempotency-Key used again for another request. */
  requestHash: string;
  decision: CheckInDecision;
  reasons: CheckInReason[];
  credentialHash: string | null;
  responderId: string | null;
  deploymentId: string | null;
  verificationId: string | null;
  locationId: string | null;
  deviceId: string | null;
  responseStatus: number;
  /** The response body (a CheckInResponse) as the JSON text that was sent: a replay sends the same bytes. */
  response: string;
  performedAt: Date;
}

/** The response first given to a request under an Idempotency-Key. */
export interface RecordedResponse {
  requestHash: string;
  status: number;
  body: string;
}
