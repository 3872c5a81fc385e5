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
  private constructor(
    readonly number: number,
    readonly alg: SigningAlgorithm,
    private readonly privateJwk: JWK,
    private readonly signingKey: SigningKey,
  ) {}

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
