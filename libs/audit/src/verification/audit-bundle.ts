import type { JWK } from 'jose';
import { z } from 'zod';
import type { AuditEntryRecord } from '../audit.types';
import { verifyEntries, type ChainVerification } from './chain-verifier';
import type { CheckpointRecord } from './checkpoint-statement';
import type { DeviceChain } from './device-chains';

export const BUNDLE_FORMAT = 'responder-checkin.audit-bundle';
export const BUNDLE_VERSION = 1;

/**
 * What GET /audit/export returns and `audit-verify` reads: one chain, every entry, every checkpoint, so the bundle
 * verifies with no server and no database. `jwks` lists the checkpoint keys the exporting server trusted, for
 * reference only: audit-verify checks signatures with the keys the auditor pinned, never with these.
 */
export interface AuditBundle {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  chainId: string;
  incidentId: string | null;
  exportedAt: string;
  /** The chain head recorded by the server when the bundle was made. */
  head: { seq: number; hash: string } | null;
  entries: AuditEntryRecord[];
  checkpoints: CheckpointRecord[];
  jwks: { keys: JWK[] };
  /** An incident's offline stations: each device's key and synced, signed log (absent from bundles of the system chain). */
  deviceChains?: DeviceChain[];
}

const entrySchema = z.object({
  id: z.string(),
  chainId: z.string(),
  seq: z.number().int(),
  occurredAt: z.string(),
  actor: z.record(z.string(), z.unknown()),
  action: z.string(),
  incidentId: z.string().nullable(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
const checkpointSchema = z.object({
  id: z.string().optional(),
  chainId: z.string(),
  seq: z.number().int(),
  headHash: z.string(),
  jws: z.string(),
  kid: z.string(),
  createdAt: z.string(),
});
const deviceChainSchema = z.object({
  deviceId: z.string(),
  label: z.string(),
  publicJwk: z.object({ kty: z.string(), crv: z.string(), x: z.string(), y: z.string() }),
  keyThumbprint: z.string(),
  registeredAt: z.string(),
  revokedAt: z.string().nullable(),
  head: z.object({ seq: z.number().int(), hash: z.string() }),
  entries: z.array(
    z.object({ seq: z.number().int(), prevHash: z.string(), hash: z.string(), signature: z.string(), record: z.string(), receivedAt: z.string() }),
  ),
});
const headerSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(BUNDLE_VERSION),
  chainId: z.string(),
  incidentId: z.string().nullable().optional(),
  exportedAt: z.string(),
  head: z.object({ seq: z.number().int(), hash: z.string() }).nullable().optional(),
  checkpoints: z.array(checkpointSchema),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
  deviceChains: z.array(deviceChainSchema).optional(),
});
const bundleSchema = headerSchema.extend({ entries: z.array(entrySchema) });

export type BundleParse = { ok: true; bundle: AuditBundle } | { ok: false; reason: string };

/**
 * Checks the shape only (what the verifier needs to be present). Nothing here decides whether the contents are
 * genuine: that is verifyBundle's job. Parsing does not re-create objects, so key order (and with it the speed of
 * canonical serialization) is what the file had.
 */
export function parseBundle(value: unknown): BundleParse {
  const shape = bundleSchema.safeParse(value);
  if (!shape.success) {
    const issue = shape.error.issues[0];
    return { ok: false, reason: `not an audit bundle: ${issue.path.join('.') || 'document'} ${issue.message}` };
  }
  const raw = value as AuditBundle;
  return { ok: true, bundle: { ...raw, incidentId: raw.incidentId ?? null, head: raw.head ?? null } };
}

/** The bundle without its entries (the part before them in an exported file), from its JSON text. */
export function parseBundleHeader(text: string): { ok: true; header: Omit<AuditBundle, 'entries'> } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'the bundle header is not JSON' };
  }
  const shape = headerSchema.safeParse(value);
  if (!shape.success)
    return { ok: false, reason: `not an audit bundle: ${shape.error.issues[0].path.join('.') || 'document'} ${shape.error.issues[0].message}` };
  const raw = value as Omit<AuditBundle, 'entries'>;
  return { ok: true, header: { ...raw, incidentId: raw.incidentId ?? null, head: raw.head ?? null } };
}

/** Verifies a bundle offline, checking checkpoint signatures with the keys the auditor pinned (`trustedJwks`) only. */
export function verifyBundle(bundle: AuditBundle, trustedJwks: { keys: JWK[] }): Promise<ChainVerification> {
  return verifyEntries({
    chainId: bundle.chainId,
    entries: bundle.entries,
    checkpoints: bundle.checkpoints,
    jwks: trustedJwks,
    head: bundle.head,
  });
}
