/**
 * @app/deployment-records: the credential a responder owns for each deployment. At check-out the agency issues an
 * Open Badges 3.0 AchievementCredential (vc+jwt) signed with its own records key, published in its did:web document,
 * with its own Bitstring Status List (admin revocation, audited); delivery (QR code, downloads, an e-mail hook) and
 * the deployment history a presented record shows at a station. Implements @app/incidents' DeploymentReleaseHook;
 * imports @app/incidents, @app/credentials, @app/auth, @app/audit, @app/common, @app/config and @app/db.
 */
export * from './records/deployment-record';
export * from './records/record-credential';
export * from './records/deployment-records.repository';
export * from './records/deployment-records.service';
export * from './keys/record-keys.repository';
export * from './keys/record-issuer-keys.service';
export * from './delivery/record-mailer';
export * from './http/dto/deployment-record.dto';
export * from './http/deployment-records.controller';
export * from './deployment-records.module';
