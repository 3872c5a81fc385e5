import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { base58Encode } from '@app/credentials';
import { CompactSign, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { SigningAlgorithm } from './board-catalog';

/** How a key sits in the board's data file. `number` makes the verification method id `#key-<number>`. */
export interface StoredBoardKey {
  number: number;
  alg: SigningAlgorithm;
  privateJwk: JWK;
}

type SigningKey = Awaited<ReturnType<typeof importJWK>>;

/** One board signing key. Private material never leaves this class except as the stored JWK (data file). */
export class BoardKey {
  /** The same key for node:crypto, which signs the raw bytes of Data Integrity proofs. */
  private readonly keyObject: KeyObject;

  private constructor(
    readonly number: number,
    readonly alg: SigningAlgorithm,
    private readonly privateJwk: JWK,
    private readonly signingKey: SigningKey,
  ) {
    this.keyObject = createPrivateKey({ key: { ...privateJwk }, format: 'jwk' });
  }

  static async generate(alg: SigningAlgorithm, number: number): Promise<BoardKey> {
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    return BoardKey.fromStored({ number, alg, privateJwk: await exportJWK(privateKey) });
  }

  static async fromStored(stored: StoredBoardKey): Promise<BoardKey> {
    if (typeof stored.privateJwk.d !== 'string') throw new Error(`key-${stored.number} has no private part`);
    return new BoardKey(stored.number, stored.alg, stored.privateJwk, await importJWK(stored.privateJwk, stored.alg));
  }

  get fragment(): string {
    return `key-${this.number}`;
  }

  /** The verification method id of the same key as a Multikey (what Data Integrity proofs name). */
  get multikeyFragment(): string {
    return `multikey-${this.number}`;
  }

  /**
   * The public key as a Multikey `publicKeyMultibase`: base58btc of the multicodec prefix and the raw key (Ed25519)
   * or the compressed point (P-256, P-384).
   */
  get publicKeyMultibase(): string {
    const x = Buffer.from(this.privateJwk.x ?? '', 'base64url');
    if (this.alg === 'EdDSA') return `z${base58Encode(Buffer.concat([Buffer.from([0xed, 0x01]), x]))}`;
    const y = Buffer.from(this.privateJwk.y ?? '', 'base64url');
    const prefix = this.alg === 'ES384' ? [0x81, 0x24] : [0x80, 0x24];
    return `z${base58Encode(Buffer.concat([Buffer.from(prefix), Buffer.from([0x02 | (y[y.length - 1] & 1)]), x]))}`;
  }

  /** The Data Integrity cryptosuite for this key: eddsa-rdfc-2022 for Ed25519, ecdsa-rdfc-2019 for P-256 and P-384. */
  get cryptosuite(): 'eddsa-rdfc-2022' | 'ecdsa-rdfc-2019' {
    return this.alg === 'EdDSA' ? 'eddsa-rdfc-2022' : 'ecdsa-rdfc-2019';
  }

  /** RDFC-1.0's hash for this key's suite: SHA-384 with P-384, SHA-256 otherwise. */
  get digest(): 'sha256' | 'sha384' {
    return this.alg === 'ES384' ? 'sha384' : 'sha256';
  }

  /** A raw signature over `data`: Ed25519, or ECDSA r||s over its `digest`. */
  signBytes(data: Uint8Array): Buffer {
    if (this.alg === 'EdDSA') return sign(null, data, this.keyObject);
    return sign(this.digest, data, { key: this.keyObject, dsaEncoding: 'ieee-p1363' });
  }

  /** The public half, as published in the DID document (`alg` included so verifiers need not guess). */
  get publicJwk(): JWK {
    const { kty, crv, x, y } = this.privateJwk;
    return { kty, crv, x, ...(y === undefined ? {} : { y }), alg: this.alg };
  }

  toStored(): StoredBoardKey {
    return { number: this.number, alg: this.alg, privateJwk: this.privateJwk };
  }

  /** Compact JWS over `payload` with the given `typ` and `kid` (the full verification method id). */
  async sign(payload: object, typ: string, kid: string): Promise<string> {
    return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: this.alg, typ, kid }).sign(this.signingKey);
  }
}
