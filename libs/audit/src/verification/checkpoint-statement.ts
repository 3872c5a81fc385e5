import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { canonicalJson } from '../canonical-json';

/** JWS `typ` of a checkpoint, so a checkpoint can never be mistaken for an access token (or the reverse). */
export const CHECKPOINT_TYP = 'audit-checkpoint+jws';
export const CHECKPOINT_STATEMENT_TYPE = 'responder-checkin.audit-checkpoint';

/**
 * What the server signs: "chain C had N entries and its head hash was H", linked to the chain's previous checkpoint
 * so a checkpoint removed from the table shows as a broken link.
 */
export interface CheckpointStatement {
  type: typeof CHECKPOINT_STATEMENT_TYPE;
  chainId: string;
  seq: number;
  headHash: string;
  previous: { seq: number; headHash: string } | null;
  createdAt: string;
}

/** A stored checkpoint (table audit_checkpoint, and the `checkpoints` of an export bundle). */
export interface CheckpointRecord {
  id?: string;
  chainId: string;
  seq: number;
  headHash: string;
  jws: string;
  kid: string;
  createdAt: string;
}

/** Signs bytes as a compact JWS with the server's checkpoint key: ServerKeysService.signCheckpoint. */
export type JwsSigner = (payload: Uint8Array, typ: string) => Promise<string>;

/** The JWS of a checkpoint: the statement in canonical JSON, signed, with `typ` CHECKPOINT_TYP. */
export function signCheckpoint(sign: JwsSigner, statement: Omit<CheckpointStatement, 'type'>): Promise<string> {
  const full: CheckpointStatement = { type: CHECKPOINT_STATEMENT_TYPE, ...statement };
  return sign(new TextEncoder().encode(canonicalJson(full)), CHECKPOINT_TYP);
}

export type StatementCheck = { ok: true; statement: CheckpointStatement } | { ok: false; reason: string };

/**
 * Checks a checkpoint's JWS against a JWK Set of pinned keys (the server's trusted checkpoint keys, or the set an
 * auditor passes to audit-verify; never the keys a bundle or the key table merely lists, never a URL named in the
 * JWS) and that the signed statement is the one the row claims.
 */
export class CheckpointSignatureChecker {
  private readonly keys = new Map<string, Promise<CryptoKey | Uint8Array | undefined>>();

  constructor(private readonly jwks: { keys: JWK[] }) {}

  async check(record: CheckpointRecord): Promise<StatementCheck> {
    let kid: string | undefined;
    let typ: string | undefined;
    try {
      const header = decodeProtectedHeader(record.jws);
      kid = header.kid;
      typ = header.typ;
    } catch {
      return { ok: false, reason: 'the checkpoint signature is not a compact JWS' };
    }
    if (typ !== CHECKPOINT_TYP) return { ok: false, reason: `the JWS is not a checkpoint (typ ${typ ?? 'missing'})` };
    if (!kid) return { ok: false, reason: 'the checkpoint JWS names no key (kid)' };
    if (kid !== record.kid) return { ok: false, reason: `the checkpoint row names key ${record.kid} but the JWS was made with ${kid}` };
    const key = await this.key(kid);
    if (!key) return { ok: false, reason: `key ${kid} is not a trusted checkpoint key` };
    let payload: Uint8Array;
    try {
      ({ payload } = await compactVerify(record.jws, key, { algorithms: ['EdDSA'] }));
    } catch {
      return { ok: false, reason: `the checkpoint signature does not verify with key ${kid}` };
    }
    let statement: CheckpointStatement;
    try {
      statement = JSON.parse(new TextDecoder().decode(payload)) as CheckpointStatement;
    } catch {
      return { ok: false, reason: 'the signed checkpoint is not JSON' };
    }
    if (statement?.type !== CHECKPOINT_STATEMENT_TYPE) return { ok: false, reason: 'the signed statement is not a checkpoint' };
    if (statement.chainId !== record.chainId) return { ok: false, reason: `the signature is for chain ${String(statement.chainId)}, not ${record.chainId}` };
    if (statement.seq !== record.seq) return { ok: false, reason: `the signature is for seq ${String(statement.seq)}, the row says ${record.seq}` };
    if (statement.headHash !== record.headHash)
      return { ok: false, reason: `the signed head hash ${String(statement.headHash)} differs from the row's ${record.headHash}` };
    return { ok: true, statement };
  }

  private key(kid: string): Promise<CryptoKey | Uint8Array | undefined> {
    let key = this.keys.get(kid);
    if (!key) {
      const jwk = this.jwks.keys.find((k) => k.kid === kid);
      key = jwk ? importJWK({ ...jwk, alg: 'EdDSA' }, 'EdDSA').catch(() => undefined) : Promise.resolve(undefined);
      this.keys.set(kid, key);
    }
    return key;
  }
}
