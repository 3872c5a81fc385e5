import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { STATUS_PURPOSES, type StatusPurpose } from './bitstring-status-list';
import { BOARD_SLUG_PATTERN, DEFAULT_BOARDS, type BoardSpec } from './board-catalog';
import { FileBoardStore, MemoryBoardStore, type BoardStore } from './board-store';
import { IssuerError } from './issuer-error';
import { IssuingBoard, type Board, type SignedStatusList } from './issuing-board';
import { describeQualification, isQualificationCode } from './qualifications';

export interface IssuerServerOptions {
  /** 0 (the default) picks a free port; DIDs carry the port actually bound. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1: the management API has no authentication. */
  host?: string;
  /** Host name written into DIDs and URLs. Default: `host`, or `localhost` when binding a wildcard address. */
  publicHost?: string;
  /** Status list `ttl` and the Cache-Control max-age of the served lists. Default 60 000 ms. */
  statusListTtlMs?: number;
  /**
   * Cache-Control max-age of the DID documents, in seconds. Default 0: `no-cache`, so verifiers see a key rotation
   * at once (demos, tests). A board's web server would let them be cached for minutes.
   */
  didDocumentMaxAgeSeconds?: number;
  /** Where keys and status lists are kept (one JSON file per board). Default: memory only. */
  dataDir?: string;
  boards?: readonly BoardSpec[];
}

export interface IssuerServer {
  /** `http://<publicHost>:<port>` */
  url: string;
  boards: Board[];
  /** Throws for an unknown slug. */
  board(slug: string): Board;
  close(): Promise<void>;
}

export const DEFAULT_STATUS_LIST_TTL_MS = 60_000;
const MAX_BODY_BYTES = 64 * 1024;
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/** Starts the demo issuer: every board's did.json and status lists, plus the management API. */
export async function startIssuerServer(opts: IssuerServerOptions = {}): Promise<IssuerServer> {
  const host = opts.host ?? '127.0.0.1';
  const ttlMs = opts.statusListTtlMs ?? DEFAULT_STATUS_LIST_TTL_MS;
  if (!Number.isInteger(ttlMs) || ttlMs < 0) throw new Error('statusListTtlMs must be a non-negative integer');
  const didMaxAge = opts.didDocumentMaxAgeSeconds ?? 0;
  if (!Number.isInteger(didMaxAge) || didMaxAge < 0) throw new Error('didDocumentMaxAgeSeconds must be a non-negative integer');
  const didCacheControl = didMaxAge > 0 ? `max-age=${didMaxAge}` : 'no-cache';
  const specs = opts.boards ?? DEFAULT_BOARDS;
  assertDistinctSlugs(specs);
  const store: BoardStore = opts.dataDir ? new FileBoardStore(resolve(opts.dataDir)) : new MemoryBoardStore();

  const boards = new Map<string, IssuingBoard>();
  let ready = false;
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => sendError(res, err));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!ready) throw new IssuerError('not_ready', 'the issuer is still starting');
    const path = new URL(req.url ?? '/', 'http://issuer.invalid').pathname;
    const segments = path.split('/').filter(Boolean).map(decodeSegment);
    const method = req.method ?? 'GET';

    if (segments.length === 1 && segments[0] === 'health') return route(method, ['GET'], () => sendJson(res, 200, { status: 'ok' }));
    if (segments[0] !== 'boards') throw new IssuerError('not_found', `no route for ${path}`);
    if (segments.length === 1) return route(method, ['GET'], () => sendJson(res, 200, { boards: [...boards.values()].map(describeBoard) }));

    const board = boards.get(segments[1]);
    if (!board) throw new IssuerError('unknown_board', `no board ${segments[1]}`);
    const rest = segments.slice(2);

    if (rest.length === 0) return route(method, ['GET'], () => sendJson(res, 200, describeBoard(board)));
    if (rest.length === 1 && rest[0] === 'did.json') {
      return route(method, ['GET', 'HEAD'], () => sendJson(res, 200, board.didDocument(), { 'cache-control': didCacheControl }));
    }
    if (rest.length === 2 && rest[0] === 'status' && isStatusPurpose(rest[1])) {
      const purpose = rest[1];
      return route(method, ['GET', 'HEAD'], () => serveStatusList(req, res, board.signedStatusList(purpose), 'application/vc+jwt'));
    }
    if (rest.length === 2 && rest[0] === 'status' && rest[1] === 'token') {
      return route(method, ['GET', 'HEAD'], () => serveStatusList(req, res, board.signedTokenStatusList(), 'application/statuslist+jwt'));
    }
    if (rest.length === 2 && rest[0] === 'achievements') {
      const code = rest[1].toUpperCase();
      if (!isQualificationCode(code)) throw new IssuerError('not_found', `no achievement ${rest[1]}`);
      const a = describeQualification(code, board.kind);
      return route(method, ['GET'], () =>
        sendJson(res, 200, {
          id: board.achievementUrl(code),
          type: ['Achievement'],
          achievementType: a.achievementType,
          name: a.name,
          description: a.description,
          criteria: { narrative: a.criteria },
          humanCode: a.code,
          creator: { id: board.did, type: ['Profile'], name: board.name },
        }),
      );
    }
    if (rest.length === 1 && rest[0] === 'credentials') {
      return route(method, ['POST'], async () => {
        const issued = await board.issue((await readJson(req)) as Parameters<Board['issue']>[0]);
        sendJson(res, 201, { jws: issued.jws, credentialId: issued.credentialId, statusIndex: issued.statusIndex });
      });
    }
    if (rest.length === 3 && rest[0] === 'credentials' && ['revoke', 'suspend', 'reinstate'].includes(rest[2])) {
      return route(method, ['POST'], () => {
        const index = parseStatusIndex(rest[1]);
        if (rest[2] === 'revoke') board.revoke(index);
        else if (rest[2] === 'suspend') board.suspend(index);
        else board.reinstate(index);
        sendJson(res, 200, { board: board.slug, statusIndex: index, ...board.statusOf(index) });
      });
    }
    throw new IssuerError('not_found', `no route for ${path}`);
  }

  async function serveStatusList(req: IncomingMessage, res: ServerResponse, list: Promise<SignedStatusList>, contentType: string): Promise<void> {
    const { jws, etag } = await list;
    const headers = { etag, 'cache-control': `max-age=${Math.floor(ttlMs / 1000)}` };
    if (etagMatches(req.headers['if-none-match'], etag)) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(jws) });
    res.end(req.method === 'HEAD' ? undefined : jws);
  }

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const { port } = server.address() as AddressInfo;
  const publicHost = opts.publicHost ?? (WILDCARD_HOSTS.has(host) ? 'localhost' : host);
  const origin = new URL(`http://${publicHost.includes(':') ? `[${publicHost}]` : publicHost}:${port}`);

  try {
    for (const spec of specs) boards.set(spec.slug, await IssuingBoard.open(spec, origin, store, ttlMs));
  } catch (err) {
    await closeServer(server);
    throw err;
  }
  ready = true;

  return {
    url: origin.toString().replace(/\/$/, ''),
    boards: [...boards.values()],
    board(slug: string): Board {
      const board = boards.get(slug);
      if (!board) throw new IssuerError('unknown_board', `no board ${slug}`);
      return board;
    },
    close: () => closeServer(server),
  };
}

function describeBoard(board: IssuingBoard): Record<string, unknown> {
  return {
    slug: board.slug,
    name: board.name,
    jurisdiction: board.jurisdiction,
    kind: board.kind,
    alg: board.alg,
    did: board.did,
    url: board.url,
    didDocument: `${board.url}/did.json`,
    keyId: board.keyId,
    statusLists: { revocation: board.statusListUrl('revocation'), suspension: board.statusListUrl('suspension') },
  };
}

function assertDistinctSlugs(specs: readonly BoardSpec[]): void {
  const seen = new Set<string>();
  for (const s of specs) {
    if (!BOARD_SLUG_PATTERN.test(s.slug)) throw new Error(`board slug ${JSON.stringify(s.slug)} must be lower-case letters, digits and dashes`);
    if (seen.has(s.slug)) throw new Error(`board slug ${s.slug} appears twice`);
    seen.add(s.slug);
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new IssuerError('not_found', `malformed path segment ${segment}`);
  }
}

function isStatusPurpose(value: string): value is StatusPurpose {
  return (STATUS_PURPOSES as readonly string[]).includes(value);
}

function parseStatusIndex(text: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new IssuerError('invalid_request', `status index ${JSON.stringify(text)} is not a non-negative integer`);
  return Number(text);
}

async function route(method: string, allowed: string[], run: () => void | Promise<void>): Promise<void> {
  if (!allowed.includes(method)) throw new IssuerError('method_not_allowed', `${method} is not allowed here (allowed: ${allowed.join(', ')})`);
  await run();
}

/** RFC 9110 If-None-Match: a list of (possibly weak) entity tags, or `*`. */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new IssuerError('payload_too_large', `the body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new IssuerError('invalid_request', 'the body is empty; send the issue request as JSON');
  try {
    return JSON.parse(text);
  } catch {
    throw new IssuerError('malformed_json', 'the body is not valid JSON');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, null, 1);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** RFC 9457 problem details; anything that is not an IssuerError is a bug and says so without internals. */
function sendError(res: ServerResponse, err: unknown): void {
  const known = err instanceof IssuerError ? err : undefined;
  if (!known) process.stderr.write(`issuer: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  const status = known?.httpStatus ?? 500;
  const body = {
    type: `urn:responder-checkin:issuer:${known?.code ?? 'internal_error'}`,
    title: known ? known.code.replace(/_/g, ' ') : 'internal error',
    status,
    code: known?.code ?? 'internal_error',
    detail: known?.message ?? 'the issuer failed; see its log',
    ...(known?.details ? { errors: known.details } : {}),
  };
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function closeServer(server: ReturnType<typeof createServer>): Promise<void> {
  return new Promise((resolveClose, rejectClose) => {
    server.close((err) => (err ? rejectClose(err) : resolveClose()));
    // Keep-alive sockets (test clients, resolvers) would otherwise hold close() open.
    server.closeAllConnections();
  });
}
