import { CompactSign, exportJWK, generateKeyPair, type JWK } from 'jose';
import { buildEntry } from '../entry-builder';
import { entryHash } from '../audit-hash';
import { GENESIS_HASH, type AuditEntryRecord } from '../audit.types';
import { verifyEntries, type ChainVerification } from './chain-verifier';
import { CHECKPOINT_TYP, signCheckpoint, type CheckpointRecord, type JwsSigner } from './checkpoint-statement';

const INCIDENT = '6f1c2b9e-6c39-4a43-9a55-0d1b2f7a1c00';
const CHAIN = `incident:${INCIDENT}`;

function chain(n: number): AuditEntryRecord[] {
  const entries: AuditEntryRecord[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const e = buildEntry(
      {
        actor: { kind: 'user', userId: 'u-1', role: 'checkin', ip: '10.0.0.7' },
        action: seq % 2 ? 'checkin.admitted' : 'deployment.status_changed',
        incidentId: INCIDENT,
        target: { type: 'deployment', id: `d-${seq}` },
        payload: { responderId: `r-${seq % 3}`, n: seq },
        occurredAt: new Date(Date.UTC(2025, 10, 28, 8, 0, seq)),
      },
      seq,
      prev,
    );
    entries.push({ id: String(100 + seq), ...e });
    prev = e.hash;
  }
  return entries;
}

/** Rewrites an entry's content and recomputes its own hash (what an attacker with the formula would do). */
function rehash(e: AuditEntryRecord): AuditEntryRecord {
  return { ...e, hash: entryHash(e.prevHash, e) };
}

describe('verifyEntries (the shared detection logic)', () => {
  let jwks: { keys: JWK[] };
  let sign: JwsSigner;
  let kid: string;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
    kid = 'test-key';
    jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'EdDSA' }] };
    sign = (payload, typ) => new CompactSign(payload).setProtectedHeader({ alg: 'EdDSA', kid, typ }).sign(privateKey);
  });

  const verify = (entries: AuditEntryRecord[], checkpoints: CheckpointRecord[] = [], head?: { seq: number; hash: string }): Promise<ChainVerification> =>
    verifyEntries({ chainId: CHAIN, entries, checkpoints, jwks, head: head ?? null });

  it('accepts an intact chain and reports its head', async () => {
    const entries = chain(20);
    const report = await verify(entries, [], { seq: 20, hash: entries[19].hash });
    expect(report).toMatchObject({ ok: true, entries: 20, head: { seq: 20, hash: entries[19].hash } });
  });

  it('locates a modified entry', async () => {
    const entries = chain(20);
    entries[6] = { ...entries[6], payload: { responderId: 'r-0', n: 999 } };
    const report = await verify(entries);
    expect(report).toMatchObject({ ok: false, problem: { kind: 'modified', seq: 7, entryId: '107' } });
  });

  it('locates a modified entry whose own hash was recomputed', async () => {
    const entries = chain(20);
    entries[6] = rehash({ ...entries[6], action: 'checkin.denied' });
    const report = await verify(entries);
    expect(report).toMatchObject({ ok: false, problem: { kind: 'modified', seq: 7, entryId: '107' } });
  });

  it('locates a deleted entry (gap), and one deleted with the rest renumbered', async () => {
    const gap = chain(20);
    gap.splice(9, 1);
    expect((await verify(gap)).problem).toMatchObject({ kind: 'deleted', seq: 10, entryId: null });

    const renumbered = chain(20);
    renumbered.splice(9, 1);
    for (let i = 9; i < renumbered.length; i++) renumbered[i] = { ...renumbered[i], seq: renumbered[i].seq - 1 };
    expect((await verify(renumbered)).problem).toMatchObject({ kind: 'deleted', seq: 10 });
  });

  it('locates the last entries deleted, against the chain head', async () => {
    const entries = chain(20);
    const head = { seq: 20, hash: entries[19].hash };
    expect((await verify(entries.slice(0, 18), [], head)).problem).toMatchObject({ kind: 'deleted', seq: 19 });
  });

  it('locates an inserted entry (renumbered after it, or with a duplicate seq, or past the head)', async () => {
    const entries = chain(20);
    const forged = buildEntry(
      { actor: { kind: 'system', process: 'api' }, action: 'checkin.admitted', incidentId: INCIDENT, payload: { forged: true } },
      8,
      entries[6].hash,
    );
    const renumbered = [...entries.slice(0, 7), { id: '999', ...forged }, ...entries.slice(7).map((e) => ({ ...e, seq: e.seq + 1 }))];
    expect((await verify(renumbered)).problem).toMatchObject({ kind: 'inserted', seq: 8, entryId: '999' });

    const duplicate = [...entries.slice(0, 8), { id: '999', ...forged }, ...entries.slice(8)];
    expect((await verify(duplicate)).problem).toMatchObject({ kind: 'inserted', seq: 8, entryId: '999' });

    const head = { seq: 20, hash: entries[19].hash };
    const tail = buildEntry({ actor: { kind: 'system', process: 'api' }, action: 'x', incidentId: INCIDENT, payload: {} }, 21, entries[19].hash);
    expect((await verify([...entries, { id: '998', ...tail }], [], head)).problem).toMatchObject({ kind: 'inserted', seq: 21, entryId: '998' });
  });

  it('locates two reordered entries (seq numbers swapped, or listed out of order)', async () => {
    const entries = chain(20);
    const swapped = entries.map((e) => (e.seq === 5 ? { ...e, seq: 9 } : e.seq === 9 ? { ...e, seq: 5 } : e)).sort((a, b) => a.seq - b.seq);
    expect((await verify(swapped)).problem).toMatchObject({ kind: 'reordered', seq: 5, entryId: '109' });

    const adjacent = entries.map((e) => (e.seq === 5 ? { ...e, seq: 6 } : e.seq === 6 ? { ...e, seq: 5 } : e)).sort((a, b) => a.seq - b.seq);
    expect((await verify(adjacent)).problem).toMatchObject({ kind: 'reordered', seq: 5, entryId: '106' });

    const listed = [...entries];
    [listed[4], listed[8]] = [listed[8], listed[4]];
    expect((await verify(listed)).problem).toMatchObject({ kind: 'reordered', seq: 9 });
  });

  describe('checkpoints', () => {
    async function checkpoint(entries: AuditEntryRecord[], seq: number, previous: CheckpointRecord | null): Promise<CheckpointRecord> {
      const createdAt = new Date(Date.UTC(2025, 10, 28, 9, 0, seq)).toISOString();
      const headHash = entries[seq - 1].hash;
      const jws = await signCheckpoint(sign, {
        chainId: CHAIN,
        seq,
        headHash,
        previous: previous ? { seq: previous.seq, headHash: previous.headHash } : null,
        createdAt,
      });
      return { chainId: CHAIN, seq, headHash, jws, kid, createdAt };
    }

    it('verifies signed checkpoints and counts them', async () => {
      const entries = chain(30);
      const c10 = await checkpoint(entries, 10, null);
      const c20 = await checkpoint(entries, 20, c10);
      const report = await verify(entries, [c10, c20]);
      expect(report).toMatchObject({ ok: true, checkpoints: { verified: 2, latest: { seq: 20 } } });
    });

    it('catches a chain rewritten from some entry on (every hash recomputed) at the next checkpoint', async () => {
      const entries = chain(30);
      const c10 = await checkpoint(entries, 10, null);
      const c20 = await checkpoint(entries, 20, c10);
      for (let i = 14; i < entries.length; i++) {
        const prevHash = i === 14 ? entries[13].hash : entries[i - 1].hash;
        entries[i] = rehash({ ...entries[i], prevHash, payload: i === 14 ? { forged: true } : entries[i].payload });
      }
      const report = await verify(entries, [c10, c20]);
      expect(report.problem).toMatchObject({ kind: 'checkpoint_mismatch', seq: 20, afterSeq: 10 });
    });

    it('catches a replaced checkpoint (other key, changed head, removed)', async () => {
      const entries = chain(30);
      const c10 = await checkpoint(entries, 10, null);
      const c20 = await checkpoint(entries, 20, c10);
      const c30 = await checkpoint(entries, 30, c20);

      const { privateKey } = await generateKeyPair('EdDSA');
      const otherKeyJws = await new CompactSign(new TextEncoder().encode('{}')).setProtectedHeader({ alg: 'EdDSA', kid, typ: CHECKPOINT_TYP }).sign(privateKey);
      expect((await verify(entries, [c10, { ...c20, jws: otherKeyJws }, c30])).problem).toMatchObject({ kind: 'checkpoint_mismatch', seq: 20 });

      expect((await verify(entries, [c10, { ...c20, headHash: entries[18].hash }, c30])).problem).toMatchObject({
        kind: 'checkpoint_mismatch',
        seq: 20,
        message: expect.stringContaining('differs from the row'),
      });
      expect((await verify(entries, [c10, c30])).problem).toMatchObject({ kind: 'checkpoint_mismatch', seq: 30 });
      expect((await verify(entries, [c20, c30])).problem).toMatchObject({ kind: 'checkpoint_mismatch', seq: 20 });
      expect((await verify(entries, [c10, c20, c30], undefined)).ok).toBe(true);
      expect((await verifyEntries({ chainId: CHAIN, entries, checkpoints: [c10], jwks: { keys: [] } })).problem).toMatchObject({
        kind: 'checkpoint_mismatch',
        seq: 10,
        message: expect.stringContaining('not a trusted checkpoint key'),
      });
    });

    it('reports the earliest problem: a modified entry before a bad checkpoint', async () => {
      const entries = chain(30);
      const c10 = await checkpoint(entries, 10, null);
      const c20 = await checkpoint(entries, 20, c10);
      entries[3] = { ...entries[3], action: 'changed' };
      const report = await verify(entries, [c10, { ...c20, headHash: 'f'.repeat(64) }]);
      expect(report.problem).toMatchObject({ kind: 'modified', seq: 4 });
    });
  });

  it('verifies a range anchored on the entry before it', async () => {
    const entries = chain(30);
    const report = await verifyEntries({
      chainId: CHAIN,
      entries: entries.slice(10, 20),
      checkpoints: [],
      jwks,
      range: { fromSeq: 11, toSeq: 20, anchorHash: entries[9].hash },
    });
    expect(report).toMatchObject({ ok: true, fromSeq: 11, toSeq: 20, entries: 10 });
    const bad = await verifyEntries({
      chainId: CHAIN,
      entries: entries.slice(10, 20),
      checkpoints: [],
      jwks,
      range: { fromSeq: 11, toSeq: 20, anchorHash: entries[8].hash },
    });
    expect(bad.ok).toBe(false);
  });
});
