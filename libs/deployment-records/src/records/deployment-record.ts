import type { ReleasedDeployment } from '@app/incidents';

export type RecordState = 'pending' | 'issued' | 'revoked';

/** A deployment record as stored: the facts it states, and once signed its JWT. */
export interface DeploymentRecord {
  id: string;
  deploymentId: string;
  incidentId: string;
  responderId: string;
  subjectId: string | null;
  statusIndex: number;
  facts: ReleasedDeployment;
  state: RecordState;
  jwt: string | null;
  kid: string | null;
  createdAt: Date;
  issuedAt: Date | null;
  revokedAt: Date | null;
  revokeReason: string | null;
}

/** The achievement a record names: a deployment kind the agency defines, per incident or per incident type. */
export interface DeploymentKind {
  name: string;
  description: string | null;
}

/** A responder's deployments as their records show them. */
export interface DeploymentHistory {
  deployments: number;
  /** Calendar days on scene, each deployment counted from its first to its last day inclusive. */
  totalDays: number;
  hoursOnDuty: number;
  items: Array<{ recordId: string; incident: string; incidentNumber: string; from: string; until: string; days: number; hoursOnDuty: number }>;
}
