import fc from 'fast-check';
import { canonicalJson } from '../canonical-json';
import { buildEntry } from '../entry-builder';
import { GENESIS_HASH, type AuditEntryRecord } from '../audit.types';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fastLink, linkLines, linkOfLine, linkRange } from './bundle-chunk';
import { linkOf } from './chain-verifier';

const INCIDENT = '6f1c2b9e-6c39-4a43-9a55-0d1b2f7a1c00';

function entry(payload: Record<string, unknown>, actor: AuditEntryRecord['actor'] = { kind: 'user', userId: 'u-1', role: 'checkin' }): AuditEntryRecord {
  const e = buildEntry(
    { actor, action: 'checkin.admitted', incidentId: INCIDENT, target: { type: 'deployment', id: 'd-1' }, payload, occurredAt: new Date(Date.UTC(2026, 0, 1)) },
    7,
    GENESIS_HASH.replace(/0$/, '1'),
  );
  return { id: '42', ...e };
}

const parse = (line: string): AuditEntryRecord => JSON.parse(line) as AuditEntryRecord;

describe('linkOfLine (hashing exported lines without re-serializing them)', () => {
  it('agrees with linkOf on arbitrary entries written by the export', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (payload, role) => {
        let e: AuditEntryRecord;
        try {
          e = entry(payload, { kind: 'user', userId: 'u-2', role });
        } catch {
          return; // lone surrogates: never written
        }
        const line = canonicalJson(e);
        expect(linkOfLine(line, parse(line))).toEqual({ ...linkOf(e), contentOk: true });
        expect(fastLink(line)).toEqual({ ...linkOf(e), contentOk: true }); // and without parsing the line
      }),
      { numRuns: 500 },
    );
  });

  it('leaves what it cannot prove to the full check: nested look-alike members, other layouts', () => {
    const nested = entry({ responderId: 'r-1' }, {
      kind: 'user',
      userId: 'u-1',
      role: 'checkin',
      ...({ a: 1, chainId: 'x', incidentId: null } as object),
    } as AuditEntryRecord['actor']);
    const line = canonicalJson(nested);
    expect(line).toContain('"actor":{"a":1,"chainId":"x","incidentId":null');
    expect(fastLink(line)).toBeNull();
    expect(linkOfLine(line, parse(line)).contentOk).toBe(true);

    const e = entry({ responderId: 'r-1' });
    const canonical = canonicalJson(e);
    expect(fastLink(canonical)).not.toBeNull();
    expect(fastLink(`${canonical} `)).toBeNull();
    expect(fastLink(canonical.replace('"targetType":"deployment"}', '"targetType":"deployment","x":1}'))).toBeNull();
    const moved = canonical.replace(`"hash":"${e.hash}","id":"42",`, '').replace('"payload":{', `"payload":{"hash":"${e.hash}","id":"42",`);
    expect(fastLink(moved)).toBeNull();
  });

  it('still accepts an intact entry written in another layout (keys reordered, spaces)', () => {
    const e = entry({ responderId: 'r-1', nested: { b: 1, a: 2 } });
    const reordered = Object.fromEntries(Object.entries(e).reverse());
    const other = JSON.stringify(reordered, null, 1).replace(/\n/g, ' ');
    expect(other).toMatch(/^\{\s+"hash"/);
    expect(linkOfLine(other, parse(other)).contentOk).toBe(true);
  });

  it('rejects an entry whose text was changed, or that hides a copy of its members inside its content', () => {
    const e = entry({ responderId: 'r-1', decision: 'admitted' });
    const line = canonicalJson(e);
    const changed = line.replace('"decision":"admitted"', '"decision":"denied"');
    expect(linkOfLine(changed, parse(changed)).contentOk).toBe(false);

    const block = `"chainId":"${e.chainId}","hash":"${e.hash}","id":"42","incidentId":null,`;
    const smuggled = line.replace('"payload":{', `"payload":{${block.replace(/,$/, '')},`);
    expect(smuggled).not.toBe(line);
    expect(linkOfLine(smuggled, parse(smuggled)).contentOk).toBe(false);
  });

  it('reads the lines of an export: one entry per line, commas at line ends', () => {
    let prev = GENESIS_HASH;
    const entries: AuditEntryRecord[] = [];
    for (let seq = 1; seq <= 3; seq++) {
      const e = buildEntry({ actor: { kind: 'system', process: 'api' }, action: 'x', incidentId: INCIDENT, payload: { seq } }, seq, prev);
      entries.push({ id: String(seq), ...e });
      prev = e.hash;
    }
    const text = `\n${entries.map((e) => canonicalJson(e)).join(',\n')}\n`;
    const result = linkLines(Buffer.from(text));
    expect(result).toEqual({
      ok: true,
      links: {
        ids: ['1', '2', '3'],
        seqs: [1, 2, 3],
        prevHashes: entries.map((e) => e.prevHash),
        hashes: entries.map((e) => e.hash),
        contentOk: [true, true, true],
        anchors: [],
      },
    });
    const file = join(mkdtempSync(join(tmpdir(), 'chunk-')), 'lines.json');
    writeFileSync(file, `[${text}]`);
    // small windows: lines are never split between two reads
    expect(linkRange({ path: file, start: 1, end: Buffer.byteLength(text) + 1 }, 800)).toEqual(result);
    expect(linkLines(Buffer.from('{"not": "an entry"}\n'))).toMatchObject({ ok: false, reason: expect.stringContaining('has no id') });
    expect(linkLines(Buffer.from('{broken\n'))).toMatchObject({ ok: false, reason: expect.stringContaining('not JSON') });
  });

  it("collects what entries say about offline stations' device chains (registration and synced scans), and nothing else", () => {
    const lines = [
      buildEntry(
        {
          actor: { kind: 'system', process: 'api' },
          action: 'offline.device_registered',
          incidentId: INCIDENT,
          payload: { deviceId: 'd-1', keyThumbprint: 'tp' },
        },
        1,
        GENESIS_HASH,
      ),
      buildEntry(
        {
          actor: { kind: 'system', process: 'api' },
          action: 'checkin.admitted',
          incidentId: INCIDENT,
          payload: { offline: { deviceId: 'd-1', seq: 4, hash: 'h4', signature: 's4', scanId: 'x' } },
        },
        2,
        GENESIS_HASH,
      ),
      // An alert's offline context names the scan but is not its record: no anchor.
      buildEntry(
        { actor: { kind: 'system', process: 'api' }, action: 'credential.flagged', incidentId: INCIDENT, payload: { offline: { deviceId: 'd-1' } } },
        3,
        GENESIS_HASH,
      ),
    ].map((e, i) => canonicalJson({ id: String(i + 1), ...e }));
    const result = linkLines(Buffer.from(lines.join(',\n')));
    expect(result.ok && result.links.contentOk).toEqual([true, true, true]);
    expect(result.ok && result.links.anchors).toEqual([
      { kind: 'registered', auditSeq: 1, deviceId: 'd-1', keyThumbprint: 'tp' },
      { kind: 'scan', auditSeq: 2, deviceId: 'd-1', seq: 4, hash: 'h4', signature: 's4' },
    ]);
  });
});
