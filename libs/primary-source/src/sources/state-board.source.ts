import { parseAnswer } from './bounded-http';
import {
  SourceFailure,
  type LicenceNotice,
  type LicenceQuery,
  type LicenceSource,
  type LicenceStatus,
  type LookupAnswer,
  type NoticeRefusal,
  type SourceHttp,
} from './licence-source';

/**
 * Where a state board's lookup page keeps each fact (configurable per board, docs/primary-source.md):
 * `path` with {state}, {profession} and {number} placeholders; field names as dotted paths into the JSON answer;
 * `statusValues` maps the board's words to ours; `expiresOnFormat` is YYYY-MM-DD or MM/DD/YYYY.
 */
export interface StateBoardMapping {
  path: string;
  licenceNumber: string;
  holderName: string;
  status: string;
  expiresOn: string;
  expiresOnFormat: 'YYYY-MM-DD' | 'MM/DD/YYYY';
  statusValues: Record<string, LicenceStatus>;
}

export const DEFAULT_STATE_BOARD_MAPPING: StateBoardMapping = {
  path: '/boards/{state}/licences?number={number}&type={profession}',
  licenceNumber: 'LicNo',
  holderName: 'FullName',
  status: 'LicStatus',
  expiresOn: 'ExpDate',
  expiresOnFormat: 'MM/DD/YYYY',
  statusValues: {
    CLEAR: 'active',
    ACTIVE: 'active',
    EXPIRED: 'expired',
    SUSPENDED: 'suspended',
    REVOKED: 'revoked',
    PROBATION: 'probation',
    INACTIVE: 'inactive',
  },
};

const STATUSES: ReadonlySet<string> = new Set(['active', 'expired', 'suspended', 'revoked', 'probation', 'inactive']);

/** A board mapping from configuration (strings and one object of status words), checked against the fields it needs. */
export function stateBoardMapping(config: Record<string, string | Record<string, string>> | undefined): StateBoardMapping {
  const merged = { ...DEFAULT_STATE_BOARD_MAPPING, ...(config ?? {}) } as Record<string, unknown>;
  for (const key of ['path', 'licenceNumber', 'holderName', 'status', 'expiresOn'] as const) {
    if (typeof merged[key] !== 'string') throw new Error(`state-board mapping: ${key} must be a string`);
  }
  if (merged.expiresOnFormat !== 'YYYY-MM-DD' && merged.expiresOnFormat !== 'MM/DD/YYYY')
    throw new Error('state-board mapping: expiresOnFormat must be YYYY-MM-DD or MM/DD/YYYY');
  const values = merged.statusValues;
  if (typeof values !== 'object' || values === null || !Object.values(values).every((v) => typeof v === 'string' && STATUSES.has(v))) {
    throw new Error(`state-board mapping: statusValues must map to ${[...STATUSES].join(', ')}`);
  }
  return merged as unknown as StateBoardMapping;
}

/**
 * A state licensing board's online verification, looked up over HTTP with a configurable mapping. Boards of this
 * kind send no notices: deployed licences are looked up again on a schedule. Lookups by person are not offered.
 */
export class StateBoardSource implements LicenceSource {
  readonly pushesNotices = false;

  constructor(
    private readonly http: SourceHttp,
    readonly id: string,
    readonly name: string,
    readonly freshnessSeconds: number,
    private readonly mapping: StateBoardMapping,
  ) {}

  async lookup(query: LicenceQuery): Promise<LookupAnswer> {
    if (query.kind !== 'licence') return { kind: 'indeterminate', detail: 'this board is looked up by licence number only', responseHash: null };
    const path = this.mapping.path
      .replace('{state}', encodeURIComponent(query.state))
      .replace('{profession}', encodeURIComponent(query.profession))
      .replace('{number}', encodeURIComponent(query.licenceNumber));
    try {
      const got = await this.http.request('GET', path);
      if (got.status === 404) return { kind: 'not_found', responseHash: got.hash };
      if (got.status !== 200) throw new SourceFailure(`error ${got.status}`, got.hash);
      const answer = parseAnswer(got.text, got.hash);
      const number = at(answer, this.mapping.licenceNumber);
      const word = at(answer, this.mapping.status);
      const status = word ? this.mapping.statusValues[word.toUpperCase()] : undefined;
      if (!number || !status) throw new SourceFailure('unreadable answer', got.hash);
      return {
        kind: 'found',
        responseHash: got.hash,
        record: {
          state: query.state,
          profession: query.profession,
          licenceNumber: number.slice(0, 40),
          holderName: displayName(at(answer, this.mapping.holderName) ?? ''),
          status,
          expiresOn: isoDate(at(answer, this.mapping.expiresOn), this.mapping.expiresOnFormat),
        },
      };
    } catch (err) {
      if (err instanceof SourceFailure) return { kind: 'indeterminate', detail: err.detail, responseHash: err.responseHash };
      throw err;
    }
  }

  subscribe(): Promise<boolean> {
    return Promise.resolve(false);
  }

  readNotice(): LicenceNotice | NoticeRefusal {
    return { code: 'notice_signature_invalid', message: 'This source sends no notices.' };
  }
}

function at(value: unknown, path: string): string | undefined {
  let v: unknown = value;
  for (const part of path.split('.')) v = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>)[part] : undefined;
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** "LAST, FIRST" as boards print it, as "First Last". */
function displayName(text: string): string {
  const clipped = text.slice(0, 200).trim();
  const [last, first] = clipped.split(',').map((s) => s.trim());
  const title = (s: string): string => s.toLowerCase().replace(/\b\p{L}/gu, (c) => c.toUpperCase());
  return first ? `${title(first)} ${title(last)}` : title(clipped);
}

function isoDate(text: string | undefined, format: StateBoardMapping['expiresOnFormat']): string | undefined {
  if (!text) return undefined;
  if (format === 'YYYY-MM-DD') return /^\d{4}-\d{2}-\d{2}$/.test(text) ? text : undefined;
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text);
  return m ? `${m[3]}-${m[1]}-${m[2]}` : undefined;
}
