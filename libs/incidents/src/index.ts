/**
 * @app/incidents: incidents (locations, positions, operational periods, staff), responders and the credentials
 * they presented, check-in (ICS 211), deployments with resource status and check-out, the incident access policy,
 * and the deployment reports for state agencies (scoped by @app/audit's AuditScope). Uses @app/credentials
 * (verification), @app/audit and @app/realtime (outbox) inside its transactions.
 */
export * from './incidents/incident';
export * from './incidents/incidents.service';
export * from './incidents/dto/incident.dto';
export * from './check-in/check-in.types';
export * from './check-in/check-in-decision';
export * from './check-in/check-in.service';
export * from './check-in/dto/check-in.dto';
export * from './check-in/dto/check-in-response.dto';
export * from './check-in/idempotency-key-hints';
export * from './deployments/deployment';
export * from './deployments/deployment.view';
export * from './deployments/deployment-reader';
export * from './deployments/deployment-release';
export * from './deployments/deployments.service';
export * from './deployments/credential-flags.service';
export * from './deployments/deployed-credentials.repository';
export * from './deployments/ics211';
export * from './deployments/roster.service';
export * from './deployments/work-periods.repository';
export * from './ports/assignment-rules';
export * from './ports/check-out-rules';
export * from './responders/responder-identity';
export * from './responders/responders.repository';
export * from './reports/deployment-report';
export * from './responders/responder';
export * from './responders/presented-credential';
export * from './responders/verification';
export * from './retention/retention.service';
export * from './walk-ups/walk-up';
export * from './walk-ups/walk-ups.service';
export * from './walk-ups/walk-up-badges';
export { WalkUpDto } from './walk-ups/dto/walk-up.dto';
export { idempotencyKeyFrom, sendCheckInOutcome } from './check-in/check-in-http';
export * from './incidents.module';
