import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseAnswer } from './bounded-http';
import {
  SourceFailure,
  type LicenceNotice,
  type LicenceNumberQuery,
  type LicenceQuery,
  type LicenceRecord,
  type LicenceSource,
  type LicenceStatus,
  type LookupAnswer,
  type NoticeRefusal,
  type SourceHttp,
} from './licence-source';

export interface NursysOptions {
  id: string;
  name: string;
  freshnessSeconds: number;
  /** The secret notices are signed with; without it no notice is accepted. */
  noticeSecret?: string;
  /** The whole lookup (submit and every retrieve) ends by then. */
  timeoutMs: number;
  /** Between retrieves while the source is still processing. */
  pollMs?: number;
}

/** How old a notice's signature time may be (replays of an old notice are refused). */
const NOTICE_TOLERANCE_SECONDS = 300;

/** The source's status words, in ours (anything else: the answer is not relied on). */
const STATUS: Record<string, LicenceStatus> = {
  active: 'active',
  'active - probation': 'probation',
  expired: 'expired',
  suspended: 'suspended',
  revoked: 'revoked',
  inactive: 'inactive',
  lapsed: 'expired',
};

/**
 * The national nurse licensure database, as its lookup works: a lookup is submitted (a transaction id comes back)
 * and its result retrieved once processed; licences can be enrolled for status-change notices (e-Notify style),
 * pushed to us signed with a shared secret (HMAC-SHA256 over "timestamp.body").
 */
export class NursysSource implements LicenceSource {
  readonly id: string;
  readonly name: string;
  readonly freshnessSeconds: number;
  readonly pushesNotices: boolean;

  constructor(
    private readonly http: SourceHttp,
    private readonly opts: NursysOptions,
  ) {
    this.id = opts.id;
    this.name = opts.name;
    this.freshnessSeconds = opts.freshnessSeconds;
    this.pushesNotices = Boolean(opts.noticeSecret);
  }

  async lookup(query: LicenceQuery): Promise<LookupAnswer> {
    const deadline = Date.now() + this.opts.timeoutMs;
    const request =
      query.kind === 'licence'
        ? { JurisdictionAbbreviation: query.state, LicenseType: query.profession, LicenseNumber: query.licenceNumber }
        : {
            JurisdictionAbbreviation: query.state,
            LicenseType: query.profession,
            FirstName: query.firstName,
            LastName: query.lastName,
            BirthDate: query.dateOfBirth,
          };
    try {
      const submitted = await this.http.request('POST', '/nursys/lookups', request);
      if (submitted.status !== 202 && submitted.status !== 200) throw new SourceFailure(`error ${submitted.status}`, submitted.hash);
      const id = field(parseAnswer(submitted.text, submitted.hash), 'TransactionId');
      if (!id || !/^[A-Za-z0-9-]{1,64}$/.test(id)) throw new SourceFailure('unreadable answer', submitted.hash);
      for (;;) {
        if (Date.now() >= deadline) throw new SourceFailure('timeout');
        const got = await this.http.request('GET', `/nursys/lookups/${id}`);
        if (got.status !== 200) throw new SourceFailure(`error ${got.status}`, got.hash);
        const answer = parseAnswer(got.text, got.hash);
        const status = field(answer, 'Status');
        if (status === 'Processing' || status === 'Submitted') {
          await sleep(Math.min(this.opts.pollMs ?? 25, Math.max(0, deadline - Date.now())));
          continue;
        }
        if (status !== 'Complete') throw new SourceFailure('unreadable answer', got.hash);
        const results = isRecord(answer) && Array.isArray(answer.Results) ? answer.Results : null;
        if (!results) throw new SourceFailure('unreadable answer', got.hash);
        // A lookup by person that matches several licences is not an answer about one person.
        if (results.length === 0) return { kind: 'not_found', responseHash: got.hash };
        if (results.length > 1) return { kind: 'indeterminate', detail: 'several licences match', responseHash: got.hash };
        const record = toRecord(results[0]);
        if (!record) throw new SourceFailure('unreadable answer', got.hash);
        return { kind: 'found', record, responseHash: got.hash };
      }
    } catch (err) {
      if (err instanceof SourceFailure) return { kind: 'indeterminate', detail: err.detail, responseHash: err.responseHash };
      throw err;
    }
  }

  async subscribe(licence: LicenceNumberQuery, callbackUrl: string): Promise<boolean> {
    if (!this.pushesNotices) return false;
    try {
      const r = await this.http.request('POST', '/nursys/enotify/enrolments', {
        JurisdictionAbbreviation: licence.state,
        LicenseType: licence.profession,
        LicenseNumber: licence.licenceNumber,
        CallbackUrl: callbackUrl,
      });
      return r.status === 201 || r.status === 200;
    } catch (err) {
      if (err instanceof SourceFailure) return false;
      throw err;
    }
  }

  readNotice(rawBody: string, headers: Record<string, string | undefined>, now: Date): LicenceNotice | NoticeRefusal {
    const secret = this.opts.noticeSecret;
    const header = headers['x-notice-signature'] ?? '';
    const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
    const t = Number(parts.t);
    if (!secret || !Number.isInteger(t) || typeof parts.v1 !== 'string' || !/^[0-9a-f]{64}$/.test(parts.v1)) {
      return { code: 'notice_signature_invalid', message: 'The notice carries no signature this source makes.' };
    }
    const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
    if (!timingSafeEqual(expected, Buffer.from(parts.v1, 'hex'))) {
      return { code: 'notice_signature_invalid', message: "The notice's signature does not verify with this source's secret." };
    }
    if (Math.abs(now.getTime() / 1000 - t) > NOTICE_TOLERANCE_SECONDS) {
      return { code: 'notice_signature_invalid', message: 'The notice was signed too long ago (a replay is refused).' };
    }
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      return { code: 'notice_invalid', message: 'The notice is not JSON.' };
    }
    const record = toRecord(body);
    const noticeId = field(body, 'NoticeId');
    if (!record || !noticeId) return { code: 'notice_invalid', message: 'The notice does not name a licence and its status.' };
    return {
      noticeId: noticeId.slice(0, 100),
      state: record.state,
      profession: record.profession,
      licenceNumber: record.licenceNumber,
      status: record.status,
      expiresOn: record.expiresOn,
      sentAt: field(body, 'SentAt') ?? now.toISOString(),
    };
  }
}

function toRecord(value: unknown): LicenceRecord | undefined {
  const state = field(value, 'JurisdictionAbbreviation');
  const profession = field(value, 'LicenseType');
  const number = field(value, 'LicenseNumber');
  const status = STATUS[(field(value, 'LicenseStatus') ?? '').toLowerCase()];
  if (!state || !/^[A-Z]{2}$/.test(state) || !profession || !number || !status) return undefined;
  const expires = field(value, 'LicenseExpirationDate');
  const name = [field(value, 'FirstName'), field(value, 'LastName')].filter(Boolean).join(' ');
  return {
    state,
    profession,
    licenceNumber: number.slice(0, 40),
    holderName: name.slice(0, 200),
    status,
    expiresOn: expires && /^\d{4}-\d{2}-\d{2}$/.test(expires) ? expires : undefined,
    multistate: field(value, 'Multistate') === 'Yes' ? true : field(value, 'Multistate') === 'No' ? false : undefined,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const field = (v: unknown, name: string): string | undefined => (isRecord(v) && typeof v[name] === 'string' ? (v[name] as string) : undefined);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
