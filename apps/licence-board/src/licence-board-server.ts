import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NURSE_PROFESSIONS, SEEDED_LICENCES, type BoardLicence } from './licence-data';

export type FaultMode = 'timeout' | 'error' | 'garbage' | 'oversized';
export type FaultTarget = 'nursys' | 'state-board' | 'all';

export interface LicenceBoardOptions {
  port?: number;
  host?: string;
  /** Delay before each lookup answer. Default 20 ms. */
  latencyMs?: number;
  /** Shared secret the e-Notify-style notices are signed with (HMAC-SHA256). */
  noticeSecret: string;
  licences?: readonly BoardLicence[];
}

export interface LicenceBoard {
  url: string;
  /** Lookups answered (or faulted) so far, per service. */
  stats(): { nursys: number; stateBoard: number };
  /** The next `count` lookups to `target` fail this way. */
  injectFault(target: FaultTarget, mode: FaultMode, count: number): void;
  /** Changes a licence's status and delivers a signed notice to every enrolment for it; resolves with the HTTP statuses. */
  changeStatus(state: string, profession: string, licenceNumber: string, status: BoardLicence['status']): Promise<number[]>;
  close(): Promise<void>;
}

const MAX_BODY = 16 * 1024;
const NURSYS_STATUS: Record<BoardLicence['status'], string> = {
  active: 'Active',
  expired: 'Expired',
  suspended: 'Suspended',
  revoked: 'Revoked',
  probation: 'Active - Probation',
};
const BOARD_STATUS: Record<BoardLicence['status'], string> = {
  active: 'CLEAR',
  expired: 'EXPIRED',
  suspended: 'SUSPENDED',
  revoked: 'REVOKED',
  probation: 'PROBATION',
};

/** Signs a notice body as the simulated e-Notify service does: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. */
export function signNotice(secret: string, body: string, at = Math.floor(Date.now() / 1000)): string {
  return `t=${at},v1=${createHmac('sha256', secret).update(`${at}.${body}`).digest('hex')}`;
}

const norm = (s: string): string => s.replace(/[\s-]/g, '').toUpperCase();

/**
 * A simulated licensing authority on one port: a national nurse licensure lookup (asynchronous submit / retrieve,
 * e-Notify-style enrolment and signed status notices) and state-board lookups for other professions (synchronous,
 * in each board's own field names). Latency, errors, timeouts, malformed and oversized answers can be injected.
 * For tests and the demo only: no authentication.
 */
export async function startLicenceBoard(opts: LicenceBoardOptions): Promise<LicenceBoard> {
  const licences = (opts.licences ?? SEEDED_LICENCES).map((l) => ({ ...l }));
  const latency = opts.latencyMs ?? 20;
  const transactions = new Map<string, { ready: number; results: BoardLicence[] }>();
  const enrolments = new Map<string, Set<string>>();
  const faults: Array<{ target: FaultTarget; mode: FaultMode; left: number }> = [];
  const counts = { nursys: 0, stateBoard: 0 };
  const held = new Set<ServerResponse>();

  const find = (state: string, profession: string, number: string): BoardLicence | undefined =>
    licences.find((l) => l.state === state && l.profession === profession && norm(l.licenceNumber) === norm(number));
  const keyOf = (l: Pick<BoardLicence, 'state' | 'profession' | 'licenceNumber'>): string => `${l.state}|${l.profession}|${norm(l.licenceNumber)}`;

  const nextFault = (service: 'nursys' | 'state-board'): FaultMode | undefined => {
    const f = faults.find((x) => x.left > 0 && (x.target === 'all' || x.target === service));
    if (!f) return undefined;
    f.left--;
    return f.mode;
  };

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  /** Answers with an injected fault; true when one was due. */
  const faulted = (res: ServerResponse, service: 'nursys' | 'state-board'): boolean => {
    const mode = nextFault(service);
    if (!mode) return false;
    if (mode === 'timeout') {
      // Never answers; released at close.
      held.add(res);
      res.on('close', () => held.delete(res));
    } else if (mode === 'error') send(res, 503, { error: 'service_unavailable' });
    else if (mode === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html>maintenance</html>');
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"padding":"${'x'.repeat(2 * 1024 * 1024)}"}`);
    }
    return true;
  };

  const nursysRecord = (l: BoardLicence): Record<string, unknown> => ({
    JurisdictionAbbreviation: l.state,
    LicenseType: l.profession,
    LicenseNumber: l.licenceNumber,
    FirstName: l.firstName,
    LastName: l.lastName,
    LicenseStatus: NURSYS_STATUS[l.status],
    LicenseExpirationDate: l.expiresOn,
    LicenseOriginalIssueDate: l.issuedOn,
    Multistate: l.multistate === true ? 'Yes' : 'No',
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://board');
    const body = req.method === 'POST' ? await readJson(req) : {};
    if (req.method === 'POST' && url.pathname === '/nursys/lookups') {
      counts.nursys++;
      await sleep(latency);
      if (faulted(res, 'nursys')) return;
      const state = String(body.JurisdictionAbbreviation ?? '');
      const type = String(body.LicenseType ?? '');
      let results: BoardLicence[];
      if (typeof body.LicenseNumber === 'string') {
        const l = find(state, type, body.LicenseNumber);
        results = l ? [l] : [];
      } else {
        results = licences.filter(
          (l) =>
            l.state === state &&
            l.profession === type &&
            l.lastName.toLowerCase() === String(body.LastName ?? '').toLowerCase() &&
            l.firstName.toLowerCase() === String(body.FirstName ?? '').toLowerCase() &&
            l.dateOfBirth === body.BirthDate,
        );
      }
      if (!NURSE_PROFESSIONS.includes(type)) results = [];
      const id = randomUUID();
      // Asynchronous as the real service: the result is ready a moment after submission.
      transactions.set(id, { ready: Date.now() + latency, results: results.map((r) => ({ ...r })) });
      send(res, 202, { TransactionId: id, Status: 'Submitted' });
      return;
    }
    const retrieve = /^\/nursys\/lookups\/([0-9a-f-]{36})$/.exec(url.pathname);
    if (req.method === 'GET' && retrieve) {
      await sleep(latency);
      if (faulted(res, 'nursys')) return;
      const t = transactions.get(retrieve[1]);
      if (!t) return send(res, 404, { error: 'unknown_transaction' });
      if (Date.now() < t.ready) return send(res, 200, { TransactionId: retrieve[1], Status: 'Processing' });
      send(res, 200, { TransactionId: retrieve[1], Status: 'Complete', Results: t.results.map(nursysRecord) });
      return;
    }
    if (req.method === 'POST' && url.pathname === '/nursys/enotify/enrolments') {
      const l = find(String(body.JurisdictionAbbreviation ?? ''), String(body.LicenseType ?? ''), String(body.LicenseNumber ?? ''));
      if (!l || typeof body.CallbackUrl !== 'string') return send(res, 404, { error: 'not_found' });
      const key = keyOf(l);
      const set = enrolments.get(key) ?? new Set<string>();
      set.add(body.CallbackUrl);
      enrolments.set(key, set);
      send(res, 201, { Enrolled: true });
      return;
    }
    const board = /^\/boards\/([A-Z]{2})\/licences$/.exec(url.pathname);
    if (req.method === 'GET' && board) {
      counts.stateBoard++;
      await sleep(latency);
      if (faulted(res, 'state-board')) return;
      const l = find(board[1], url.searchParams.get('type') ?? '', url.searchParams.get('number') ?? '');
      if (!l || NURSE_PROFESSIONS.includes(l.profession)) return send(res, 404, { Message: 'No licence found' });
      const [y, m, d] = l.expiresOn.split('-');
      send(res, 200, {
        LicNo: l.licenceNumber,
        LicType: l.profession,
        FullName: `${l.lastName.toUpperCase()}, ${l.firstName.toUpperCase()}`,
        LicStatus: BOARD_STATUS[l.status],
        ExpDate: `${m}/${d}/${y}`,
      });
      return;
    }
    if (req.method === 'POST' && url.pathname === '/control/faults') {
      faults.push({ target: body.target as FaultTarget, mode: body.mode as FaultMode, left: Number(body.count ?? 1) });
      return send(res, 204, {});
    }
    if (req.method === 'POST' && url.pathname === '/control/status') {
      const statuses = await changeStatus(String(body.state), String(body.profession), String(body.licenceNumber), body.status as BoardLicence['status']);
      return send(res, 200, { delivered: statuses });
    }
    send(res, 404, { error: 'not_found' });
  }

  async function changeStatus(state: string, profession: string, number: string, status: BoardLicence['status']): Promise<number[]> {
    const l = find(state, profession, number);
    if (!l) throw new Error('no such licence');
    const previous = l.status;
    l.status = status;
    const notice = JSON.stringify({
      NoticeId: randomUUID(),
      SentAt: new Date().toISOString(),
      JurisdictionAbbreviation: l.state,
      LicenseType: l.profession,
      LicenseNumber: l.licenceNumber,
      PreviousStatus: NURSYS_STATUS[previous],
      LicenseStatus: NURSYS_STATUS[status],
      LicenseExpirationDate: l.expiresOn,
    });
    const out: number[] = [];
    for (const callback of enrolments.get(keyOf(l)) ?? []) {
      const r = await fetch(callback, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-notice-signature': signNotice(opts.noticeSecret, notice) },
        body: notice,
      }).catch(() => null);
      out.push(r?.status ?? 0);
    }
    return out;
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 400, { error: err instanceof Error ? err.message : 'bad_request' }));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1'}:${port}`,
    stats: () => ({ ...counts }),
    injectFault: (target, mode, count) => faults.push({ target, mode, left: count }),
    changeStatus,
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const parsed: unknown = text ? JSON.parse(text) : {};
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
