/** Inputs above this size are refused before any parsing (a badge is a few KiB). */
export const MAX_INPUT_BYTES = 64 * 1024;

/**
 * Bounds on the work one verification request can cause, whoever wrote the credential (docs/verification.md,
 * "Limits"). Every number here is reached only by input no issuer produces in practice: a badge presentation
 * carries one or two credentials, a credential two status entries, and a state's status list is well under 1 MiB.
 */
export const VERIFICATION_LIMITS = {
  /** Enveloped credentials verified in one presentation (more: the presentation fails its data model check). */
  credentialsPerPresentation: 4,
  /** `credentialStatus` entries read in one credential (more: its status check fails). */
  statusEntriesPerCredential: 4,
  /** Distinct status list URLs one verification (a credential, or a presentation with everything in it) may name. */
  statusListsPerRequest: 8,
  /** Decompressed size of one status list: 16,777,216 one-bit entries. Larger lists are refused. */
  statusListBytes: 2 * 1024 * 1024,
  /** Status-list bytes one verification may decompress (lists already in memory cost nothing). */
  statusBytesPerRequest: 8 * 1024 * 1024,
  /** Decoded status lists of one issuer held in a process's memory (the oldest of that issuer goes first). */
  statusListsPerIssuer: 64,
  /** Decoded status lists held in a process's memory, in bytes, all issuers together. */
  statusListCacheBytes: 128 * 1024 * 1024,
  /** Disclosures in one SD-JWT (a national identity credential has about 40; more: the SD-JWT is `malformed`). */
  sdJwtDisclosures: 128,
  /** Encoded size of one Disclosure in characters (a portrait photo would not fit the 64 KiB input anyway). */
  sdJwtDisclosureChars: 16 * 1024,
  /** Nesting of objects and arrays in an SD-JWT payload and its Disclosures (deeper: `malformed`). */
  sdJwtDepth: 32,
} as const;

/** What one verification may still decompress; shared by everything the request verifies. */
export class DecodeBudget {
  private readonly urls: string[] = [];
  private bytes: number;

  constructor(
    readonly maxLists: number = VERIFICATION_LIMITS.statusListsPerRequest,
    readonly maxBytes: number = VERIFICATION_LIMITS.statusBytesPerRequest,
  ) {
    this.bytes = maxBytes;
  }

  /** Counts a status list URL the request names; false once it names more distinct lists than allowed. */
  admitList(url: string): boolean {
    if (this.urls.includes(url)) return true;
    if (this.urls.length >= this.maxLists) return false;
    this.urls.push(url);
    return true;
  }

  /** Takes `bytes` of decompression; false (and nothing taken) when the request has no more to give. */
  take(bytes: number): boolean {
    if (bytes > this.bytes) return false;
    this.bytes -= bytes;
    return true;
  }
}
