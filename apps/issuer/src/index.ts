/**
 * Demo issuer (demo and tests only, never production): plays state licensing boards and national certifiers.
 * Each board has a did:web identity served over HTTP, a signing key, a revocation and a suspension Bitstring Status
 * List, and issues Open Badges 3.0 licences/certifications as VC 2.0 `vc+jwt`, OB 3.0 VC-JWT, VC-JWT 1.1, SD-JWT VC
 * (`dc+sd-jwt`) or VC 2.0 with a Data Integrity proof (`ldp-vc`). It also implements the `issue` side of the W3C
 * vc-jose-cose test-suite contract.
 *
 * Owns: apps/issuer. The JOSE formats share no code with the verifier in libs/credentials, which is tested against
 * what this issuer produces. The one exception is `ldp-vc`: its proof's hash data comes from @app/credentials'
 * RDFC-1.0 canonicalization over the bundled contexts (checked on its own against the W3C test vectors), so that
 * nothing but what the verifier can canonicalize is signed; the signature itself is node:crypto's.
 */
export { startIssuerServer, DEFAULT_STATUS_LIST_TTL_MS } from './issuer-server';
export type { IssuerServer, IssuerServerOptions } from './issuer-server';
export type { Board, IssuedCredential, SignedStatusList } from './issuing-board';
export { DEFAULT_BOARDS, SIGNING_ALGORITHMS } from './board-catalog';
export type { BoardKind, BoardSpec, SigningAlgorithm } from './board-catalog';
export { CREDENTIAL_FORMATS } from './issue-request';
export type { CredentialFormat, IssueRequest } from './issue-request';
export { QUALIFICATION_CODES, describeQualification } from './qualifications';
export type { QualificationCode, AchievementType } from './qualifications';
export { vctOf } from './sd-jwt-vc';
export { MIN_STATUS_LIST_LENGTH, STATUS_PURPOSES, StatusBitstring } from './bitstring-status-list';
export type { StatusPurpose } from './bitstring-status-list';
export { IssuerError } from './issuer-error';
export type { IssuerErrorCode } from './issuer-error';
export { issueForTestSuite, runIssueContract, CONTRACT_FEATURES } from './jose-cose-issue';
export type { ContractResult } from './jose-cose-issue';
