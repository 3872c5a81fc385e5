import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BoundedFetcher } from '../fetch/bounded-fetcher';
import { DecodeBudget } from '../limits';
import { encodeList } from './bitstring';
import { StatusListError, StatusListService, type VerifiedStatusListCredential } from './status-list-service';
import { InMemoryStatusListStore } from './status-list-store';

describe('StatusListService', () => {
  let server: Server;
  let url: string;
  let hits = 0;
  let conditionalHits = 0;
  let set = [5];
  let maxAge: number | undefined;
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      const body = JSON.stringify({ set });
      const etag = `"${Buffer.from(body).toString('base64url')}"`;
      if (req.headers['if-none-match'] === etag) {
        conditionalHits++;
        return void res.writeHead(304, { etag }).end();
      }
      setTimeout(() => res.writeHead(200, { etag, ...(maxAge !== undefined ? { 'cache-control': `max-age=${maxAge}` } : {}) }).end(body), 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/list`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // The "list credential" here is a JSON stand-in; the engine supplies the real (signature-checking) verifier.
  const verify = async (body: string): Promise<VerifiedStatusListCredential> => {
    const { set: bits } = JSON.parse(body) as { set: number[] };
    return { issuer: 'did:example:board', purposes: ['revocation'], encodedList: encodeList(131072, bits), ttlMs: 60_000 };
  };
  const make = (store = new InMemoryStatusListStore(), now = () => clock) =>
    new StatusListService({
      fetcher: new BoundedFetcher({ insecureHosts: ['127.0.0.1'], allowPrivateNetwork: true, timeoutMs: 1000, maxBytes: 65536, cacheTtlMs: 0 }),
      store,
      verifyListCredential: verify,
      now,
      minBits: 131072,
      defaultTtlMs: 300_000,
    });
  let clock = 1_000_000;

  it('fetches once for concurrent readers, then serves from memory while fresh', async () => {
    const service = make();
    const before = hits;
    const lists = await Promise.all(Array.from({ length: 10 }, () => service.get(url)));
    expect(hits - before).toBe(1);
    expect(StatusListService.read(lists[9], 5)).toBe(1);
    expect(StatusListService.read(lists[9], 4)).toBe(0);
    expect(() => StatusListService.read(lists[0], 131072)).toThrow(StatusListError);
    await service.get(url);
    expect(hits - before).toBe(1);
  });

  it('freshness is the smaller of ttl and max-age; afterwards it revalidates with If-None-Match', async () => {
    maxAge = 10;
    const service = make();
    const list = await service.get(url);
    expect(list.expiresAt - list.fetchedAt).toBe(10_000);
    clock += 11_000;
    const conditional = conditionalHits;
    const again = await service.get(url);
    expect(conditionalHits).toBe(conditional + 1);
    expect(again.version).toBe(list.version);
    maxAge = undefined;
  });

  it('a second process adopts what the first stored; refresh reports changes; peek never fetches', async () => {
    const shared = new InMemoryStatusListStore();
    const first = make(shared);
    const second = make(shared);
    await first.get(url);
    const before = hits;
    expect(StatusListService.read(await second.get(url), 5)).toBe(1);
    expect(hits).toBe(before);
    set = [6];
    const refreshed = await first.refresh(url);
    expect(refreshed.changed).toBe(true);
    expect(StatusListService.read(refreshed.list, 6)).toBe(1);
    const peeked = await second.peek(url);
    expect(peeked && StatusListService.read(peeked, 6)).toBe(1);
    expect((await first.refresh(url)).changed).toBe(false);
    expect(await make().peek('http://127.0.0.1:1/never-fetched')).toBeUndefined();
  });

  it('an unreachable list is status_unavailable; a short one status_list_invalid', async () => {
    await expect(make().get('http://127.0.0.1:1/list')).rejects.toMatchObject({ code: 'status_unavailable' });
    const short = new StatusListService({
      fetcher: new BoundedFetcher({ insecureHosts: ['127.0.0.1'], allowPrivateNetwork: true, timeoutMs: 1000, maxBytes: 65536, cacheTtlMs: 0 }),
      store: new InMemoryStatusListStore(),
      verifyListCredential: async () => ({ issuer: 'x', purposes: ['revocation'], encodedList: encodeList(1024, []) }),
      minBits: 131072,
      defaultTtlMs: 1000,
    });
    await expect(short.get(url)).rejects.toMatchObject({ code: 'status_list_invalid' });
  });

  it("keeps at most so many of one issuer's lists in memory, the oldest going first", async () => {
    const service = new StatusListService({
      fetcher: new BoundedFetcher({ insecureHosts: ['127.0.0.1'], allowPrivateNetwork: true, timeoutMs: 1000, maxBytes: 65536, cacheTtlMs: 0 }),
      store: new InMemoryStatusListStore(),
      verifyListCredential: verify,
      now: () => clock,
      minBits: 131072,
      defaultTtlMs: 300_000,
      memoryEntriesPerIssuer: 2,
    });
    const urls = [1, 2, 3].map((n) => `${url}?n=${n}`);
    for (const u of urls) await service.get(u);
    expect(urls.map((u) => service.cached(u) !== undefined)).toEqual([false, true, true]);
  });

  it("charges decompression to the asking request's budget; a request that joined a load whose budget ran out loads on its own", async () => {
    const service = make();
    const poor = new DecodeBudget(8, 1024);
    const rich = new DecodeBudget();
    const [refused, loaded] = await Promise.allSettled([service.get(`${url}?budget`, poor), service.get(`${url}?budget`, rich)]);
    expect(refused).toMatchObject({ status: 'rejected', reason: { code: 'status_list_invalid', opts: { fails: true, budget: poor } } });
    expect(loaded.status).toBe('fulfilled');
    expect(rich.take(8 * 1024 * 1024 - 131072 / 8)).toBe(true); // the list's 16 KiB were charged to it
    expect(rich.take(1)).toBe(false);
  });

  it('hands the last known copy over with the error when a fresh one cannot be had', async () => {
    const store = new InMemoryStatusListStore();
    const service = make(store);
    set = [9];
    const first = await service.get(url);
    const downUrl = url.replace(/:\d+\//, ':1/'); // nothing listens there
    await store.put({ ...(await store.get(url))!, url: downUrl, expiresAt: clock - 1 });
    const err = await service.get(downUrl).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'status_unavailable' });
    const stale = (err as StatusListError).stale;
    expect(stale && { stale: stale.stale, fetchedAt: stale.fetchedAt, bit: StatusListService.read(stale, 9) }).toEqual({
      stale: true,
      fetchedAt: first.fetchedAt,
      bit: 1,
    });
  });
});
