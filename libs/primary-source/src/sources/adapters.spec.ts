import { createHash, createHmac } from 'node:crypto';
import { SourceFailure, type SourceHttp } from './licence-source';
import { NursysSource } from './nursys.source';
import { DEFAULT_STATE_BOARD_MAPPING, stateBoardMapping, StateBoardSource } from './state-board.source';

const SECRET = 'unit-test-notice-secret';
/** As the source signs: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. */
const signNotice = (secret: string, body: string, at = Math.floor(Date.now() / 1000)): string =>
  `t=${at},v1=${createHmac('sha256', secret).update(`${at}.${body}`).digest('hex')}`;
const answer = (status: number, body: unknown): { status: number; text: string; hash: string } => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { status, text, hash: createHash('sha256').update(text).digest('hex') };
};
/** HTTP answering from a script of responses (or failures), recording what was asked. */
function scripted(...steps: Array<ReturnType<typeof answer> | SourceFailure>): SourceHttp & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    request: (method, path) => {
      asked.push(`${method} ${path}`);
      const next = steps.shift();
      if (!next) throw new Error('no more answers');
      return next instanceof SourceFailure ? Promise.reject(next) : Promise.resolve(next);
    },
  };
}
const nursys = (http: SourceHttp): NursysSource =>
  new NursysSource(http, { id: 'nursys', name: 'Nurse licensure database', freshnessSeconds: 60, noticeSecret: SECRET, timeoutMs: 1000, pollMs: 1 });
const record = {
  JurisdictionAbbreviation: 'FL',
  LicenseType: 'RN',
  LicenseNumber: 'RN1',
  FirstName: 'Ann',
  LastName: 'Lee',
  LicenseStatus: 'Active',
  LicenseExpirationDate: '2030-01-31',
};

describe('NursysSource', () => {
  it('submits, retrieves until complete, and reads the licence in our terms', async () => {
    const http = scripted(answer(202, { TransactionId: 't-1' }), answer(200, { Status: 'Processing' }), answer(200, { Status: 'Complete', Results: [record] }));
    const found = await nursys(http).lookup({ kind: 'licence', licenceNumber: 'RN1', state: 'FL', profession: 'RN' });
    expect(found).toMatchObject({ kind: 'found', record: { holderName: 'Ann Lee', status: 'active', expiresOn: '2030-01-31' } });
    expect(http.asked).toEqual(['POST /nursys/lookups', 'GET /nursys/lookups/t-1', 'GET /nursys/lookups/t-1']);
  });

  it.each([
    ['no result', [answer(202, { TransactionId: 't' }), answer(200, { Status: 'Complete', Results: [] })], 'not_found'],
    ['several matches', [answer(202, { TransactionId: 't' }), answer(200, { Status: 'Complete', Results: [record, record] })], 'indeterminate'],
    [
      'a status word we do not know',
      [answer(202, { TransactionId: 't' }), answer(200, { Status: 'Complete', Results: [{ ...record, LicenseStatus: 'Pending' }] })],
      'indeterminate',
    ],
    ['an error', [answer(503, { error: 'down' })], 'indeterminate'],
    ['HTML', [answer(202, '<html>')], 'indeterminate'],
    ['a timeout', [new SourceFailure('timeout')], 'indeterminate'],
  ])('answers %s without "found"', async (_label, steps, kind) => {
    const got = await nursys(scripted(...steps)).lookup({ kind: 'licence', licenceNumber: 'RN1', state: 'FL', profession: 'RN' });
    expect(got.kind).toBe(kind);
  });

  it('reads a notice signed with its secret, and refuses a wrong, missing or stale signature and a body naming no licence', () => {
    const source = nursys(scripted());
    const now = new Date();
    const body = JSON.stringify({ ...record, NoticeId: 'n-1', LicenseStatus: 'Suspended' });
    expect(source.readNotice(body, { 'x-notice-signature': signNotice(SECRET, body) }, now)).toMatchObject({
      noticeId: 'n-1',
      licenceNumber: 'RN1',
      status: 'suspended',
    });
    const refusal = (headers: Record<string, string>, text = body): unknown => source.readNotice(text, headers, now);
    expect(refusal({ 'x-notice-signature': signNotice('another-secret-entirely', body) })).toMatchObject({ code: 'notice_signature_invalid' });
    expect(refusal({})).toMatchObject({ code: 'notice_signature_invalid' });
    expect(refusal({ 'x-notice-signature': signNotice(SECRET, body, Math.floor(now.getTime() / 1000) - 301) })).toMatchObject({
      code: 'notice_signature_invalid',
    });
    // A signature over other bytes: the body was altered in transit.
    expect(refusal({ 'x-notice-signature': signNotice(SECRET, body) }, body.replace('Suspended', 'Active'))).toMatchObject({
      code: 'notice_signature_invalid',
    });
    const empty = JSON.stringify({ NoticeId: 'n-2' });
    expect(refusal({ 'x-notice-signature': signNotice(SECRET, empty) }, empty)).toMatchObject({ code: 'notice_invalid' });
  });
});

describe('StateBoardSource', () => {
  const board = (http: SourceHttp, mapping = DEFAULT_STATE_BOARD_MAPPING): StateBoardSource => new StateBoardSource(http, 'fl-ems', 'Florida EMS', 0, mapping);

  it('reads the board’s own field names through the mapping', async () => {
    const http = scripted(answer(200, { LicNo: 'PMD1', FullName: 'HERRERA, LUIS', LicStatus: 'CLEAR', ExpDate: '12/01/2027' }));
    const got = await board(http).lookup({ kind: 'licence', licenceNumber: 'PMD1', state: 'FL', profession: 'PARAMEDIC' });
    expect(got).toMatchObject({ kind: 'found', record: { licenceNumber: 'PMD1', holderName: 'Luis Herrera', status: 'active', expiresOn: '2027-12-01' } });
    expect(http.asked).toEqual(['GET /boards/FL/licences?number=PMD1&type=PARAMEDIC']);
  });

  it('follows a configured mapping with nested fields', async () => {
    const mapping = stateBoardMapping({
      path: '/verify/{profession}/{number}',
      licenceNumber: 'licence.id',
      holderName: 'licence.holder',
      status: 'licence.standing',
      expiresOn: 'licence.expires',
      expiresOnFormat: 'YYYY-MM-DD',
      statusValues: { GOOD: 'active', LAPSED: 'expired' },
    });
    const http = scripted(answer(200, { licence: { id: 'MD7', holder: 'Jo Park', standing: 'LAPSED', expires: '2024-05-31' } }));
    const got = await board(http, mapping).lookup({ kind: 'licence', licenceNumber: 'MD7', state: 'TX', profession: 'MD' });
    expect(got).toMatchObject({ kind: 'found', record: { status: 'expired', expiresOn: '2024-05-31' } });
    expect(http.asked).toEqual(['GET /verify/MD/MD7']);
  });

  it('answers 404 as not found and an unmapped status as indeterminate', async () => {
    expect((await board(scripted(answer(404, {}))).lookup({ kind: 'licence', licenceNumber: 'X', state: 'FL', profession: 'EMT' })).kind).toBe('not_found');
    const odd = scripted(answer(200, { LicNo: 'X', LicStatus: 'UNDER REVIEW' }));
    expect((await board(odd).lookup({ kind: 'licence', licenceNumber: 'X', state: 'FL', profession: 'EMT' })).kind).toBe('indeterminate');
  });

  it('refuses a mapping to statuses we do not have', () => {
    expect(() => stateBoardMapping({ statusValues: { OK: 'fine' } })).toThrow(/statusValues/);
    expect(() => stateBoardMapping({ expiresOnFormat: 'DD.MM.YYYY' })).toThrow(/expiresOnFormat/);
  });
});
