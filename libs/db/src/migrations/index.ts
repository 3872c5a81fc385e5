import type { MigrationInterface } from 'typeorm';
import { UsersAndKeys1764300000000 } from './1764300000000-users-and-keys';
import { OutboxAndAudit1764300050000 } from './1764300050000-outbox-and-audit';
import { Incidents1764300100000 } from './1764300100000-incidents';
import { TrustRegistry1764300200000 } from './1764300200000-trust-registry';
import { AuditProtection1764300300000 } from './1764300300000-audit-protection';
import { LiveRelay1764300400000 } from './1764300400000-live-relay';
import { ReverificationJobs1764300500000 } from './1764300500000-reverification-jobs';
import { AuditChainLink1764300600000 } from './1764300600000-audit-chain-link';
import { AuditAppendFunction1764300700000 } from './1764300700000-audit-append-function';
import { Lz4Compression1764300800000 } from './1764300800000-lz4-compression';
import { ActiveDeploymentLookup1764300900000 } from './1764300900000-active-deployment-lookup';
import { CheckInResponseText1764301000000 } from './1764301000000-check-in-response-text';
import { ResponderIdentityChange1765000000010 } from './1765000000010-responder-identity-change';
import { QualificationRuleVct1765000000240 } from './1765000000240-qualification-rule-vct';
import { TokenVersionsAndSealedKeys1765000050000 } from './1765000050000-token-versions-and-sealed-keys';
import { IncidentTimeZoneKnown1765000400000 } from './1765000400000-incident-time-zone-known';
import { OfflineStations1765004000000 } from './1765004000000-offline-stations';
import { VcClaimFormatName1765000500000 } from './1765000500000-vc-claim-format-name';
import { OutboxTraceParent1765006000000 } from './1765006000000-outbox-trace-parent';
import { Retention1765006000100 } from './1765006000100-retention';
import { TimeRecords1765007000000 } from './1765007000000-time-records';
import { PrimarySource1765008000000 } from './1765008000000-primary-source';
import { WalkUps1765008100000 } from './1765008100000-walk-ups';
import { TimePackage1765008300000 } from './1765008300000-time-package';
import { SigningKeyWindows1765008400000 } from './1765008400000-signing-key-windows';
import { IncidentOfflineLimit1765008500000 } from './1765008500000-incident-offline-limit';
import { ParMemberWithoutDeploymentKey1765009200000 } from './1765009200000-par-member-without-deployment-key';
import { ResponderMatchingHashes1765010000000 } from './1765010000000-responder-matching-hashes';
import { SweepShards1765010100000 } from './1765010100000-sweep-shards';
import { TimePeriodApproval1765010300000 } from './1765010300000-time-period-approval';
import { PracticeRuleSet1765002000000 } from './1765002000000-practice-rule-set';
import { DeploymentPracticeAuthority1765002100000 } from './1765002100000-deployment-practice-authority';
import { PositionPracticeRequirements1765002200000 } from './1765002200000-position-practice-requirements';
import { Accountability1765001000000 } from './1765001000000-accountability';
import { DeploymentRecords1765003000000 } from './1765003000000-deployment-records';

/**
 * Every migration, in order. Each feature adds its own file here (timestamp-name.ts) and one line below;
 * a migration holds SQL only and imports nothing from the libraries.
 */
export const migrations: Array<new () => MigrationInterface> = [
  UsersAndKeys1764300000000,
  OutboxAndAudit1764300050000,
  Incidents1764300100000,
  TrustRegistry1764300200000,
  AuditProtection1764300300000,
  LiveRelay1764300400000,
  ReverificationJobs1764300500000,
  AuditChainLink1764300600000,
  AuditAppendFunction1764300700000,
  Lz4Compression1764300800000,
  ActiveDeploymentLookup1764300900000,
  CheckInResponseText1764301000000,
  ResponderIdentityChange1765000000010,
  QualificationRuleVct1765000000240,
  TokenVersionsAndSealedKeys1765000050000,
  IncidentTimeZoneKnown1765000400000,
  VcClaimFormatName1765000500000,
  Accountability1765001000000,
  PracticeRuleSet1765002000000,
  DeploymentPracticeAuthority1765002100000,
  PositionPracticeRequirements1765002200000,
  DeploymentRecords1765003000000,
  OfflineStations1765004000000,
  OutboxTraceParent1765006000000,
  Retention1765006000100,
  TimeRecords1765007000000,
  PrimarySource1765008000000,
  WalkUps1765008100000,
  TimePackage1765008300000,
  SigningKeyWindows1765008400000,
  IncidentOfflineLimit1765008500000,
  ParMemberWithoutDeploymentKey1765009200000,
  ResponderMatchingHashes1765010000000,
  SweepShards1765010100000,
  TimePeriodApproval1765010300000,
];
