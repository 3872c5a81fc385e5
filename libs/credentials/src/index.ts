/**
 * @app/credentials: the credential verification engine. Parses what a badge scan yields, resolves issuer keys
 * (did:jwk, did:key, did:web, issuer JWKS or controller document, JWT VC Issuer Metadata), verifies JWS signatures
 * (algorithm allow-list), Data Integrity proofs (JSON-LD with pinned contexts, RDFC-1.0 or JCS) and SD-JWT VCs
 * (Disclosures, Key Binding), checks the VC data model, validity dates, Bitstring / StatusList2021 / Token Status
 * Lists and issuer trust (through the TrustSource contract
 * that @app/trust implements), and returns a VerificationResult with stable reason codes and evidence.
 * Also owns the project's one outbound HTTP client (BoundedFetcher) and POST /credentials/verify.
 * Framework-free core; CredentialsModule is the thin Nest wrapper (see docs/verification.md). Imports @app/config,
 * @app/common and @app/auth (route decorators) only; never @app/trust, @app/incidents or anything above them.
 */
export * from './verification-result';
export * from './limits';
export * from './fetch/bounded-fetcher';
export * from './input/scan-input';
export * from './jws/compact-jws';
export * from './jws/verify-signature';
export * from './keys/jwk';
export * from './keys/multibase';
export * from './keys/key-resolver';
export * from './model/data-model';
export * from './model/instants';
export * from './model/credential-format';
export * from './model/credential-summary';
export * from './status/bitstring';
export * from './status/status-list-store';
export * from './status/redis-status-list-store';
export * from './status/status-list-service';
export * from './trust/trust-source';
export * from './trust/own-record-issuer';
export * from './data-integrity/limits';
export * from './data-integrity/context-store';
export * from './data-integrity/data-integrity-verifier';
export * from './sd-jwt/sd-jwt';
export * from './sd-jwt/key-binding';
export * from './sd-jwt/token-status-list';
export * from './sd-jwt/sd-jwt-issue';
export { isJwsJson, sdJwtFromJson, type JsonSdJwt } from './sd-jwt/json-serialization';
export * from './engine/check-board';
export * from './engine/credential-verifier';
export * from './engine/contract-verifier';
export * from './credentials.module';
export * from './http/credentials.controller';
export * from './http/dto/verification-result.dto';
export * from './offline/pack-verifier';
