import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BoundedFetcher, caresLookup, FetchError, isPublicAddress, type FetchPolicy } from './bounded-fetcher';

describe('BoundedFetcher', () => {
  let server: Server;
  let base: string;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      const url = req.url ?? '/';
      if (url === '/ok') return void res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60', etag: '"v1"' }).end('{"ok":true}');
      if (url === '/etag') {
        if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304, { etag: '"v1"' }).end();
        return void res.writeHead(200, { etag: '"v1"' }).end('body');
      }
      if (url === '/big') return void res.writeHead(200).end(Buffer.alloc(5000));
      if (url === '/big-stream') {
        res.writeHead(200);
        let sent = 0;
        const timer = setInterval(() => {
          if (sent > 100000 || res.destroyed) return clearInterval(timer);
          res.write(Buffer.alloc(1000));
          sent += 1000;
        }, 1);
        return;
      }
      if (url === '/slow') return void setTimeout(() => res.writeHead(200).end('late'), 1500);
      if (url.startsWith('/redirect/')) {
        const n = Number(url.split('/')[2]);
        return void res.writeHead(302, { location: n > 0 ? `/redirect/${n - 1}` : '/ok' }).end();
      }
      if (url === '/to-https') return void res.writeHead(302, { location: 'http://example.invalid/x' }).end();
      if (url === '/nostore') return void res.writeHead(200, { 'cache-control': 'no-store' }).end('fresh');
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const make = (overrides: Partial<FetchPolicy> = {}) =>
    new BoundedFetcher({ insecureHosts: ['127.0.0.1'], allowPrivateNetwork: true, timeoutMs: 500, maxBytes: 4096, cacheTtlMs: 10000, ...overrides });

  it('fetches, caches for max-age, and answers conditional requests', async () => {
    const fetcher = make();
    const first = await fetcher.get(`${base}/ok`);
    expect(first).toMatchObject({ status: 200, etag: '"v1"', maxAgeMs: 60000, fromCache: false });
    const before = hits;
    expect((await fetcher.get(`${base}/ok`)).fromCache).toBe(true);
    expect(hits).toBe(before);
    const conditional = await fetcher.get(`${base}/etag`, { ifNoneMatch: '"v1"' });
    expect(conditional).toMatchObject({ notModified: true, status: 304 });
    await fetcher.get(`${base}/nostore`);
    expect((await fetcher.get(`${base}/nostore`)).fromCache).toBe(false);
  });

  it('enforces the byte limit from Content-Length and while streaming', async () => {
    await expect(make().get(`${base}/big`)).rejects.toMatchObject({ code: 'too_large' });
    await expect(make({ maxBytes: 20000, timeoutMs: 3000 }).get(`${base}/big-stream`)).rejects.toMatchObject({ code: 'too_large' });
  });

  it('times out', async () => {
    // The slow route answers after 1.5 s: only the 500 ms timeout can turn that into this refusal.
    await expect(make().get(`${base}/slow`)).rejects.toMatchObject({ code: 'timeout' });
  });

  it('follows at most 3 redirects and re-checks each target', async () => {
    expect((await make().get(`${base}/redirect/2`)).url).toBe(`${base}/ok`);
    await expect(make().get(`${base}/redirect/5`)).rejects.toMatchObject({ code: 'too_many_redirects' });
    await expect(make().get(`${base}/to-https`)).rejects.toMatchObject({ code: 'scheme_not_allowed' });
  });

  it('refuses plain http for other hosts, and private or loopback addresses unless allowed', async () => {
    await expect(make({ insecureHosts: [] }).get(`${base}/ok`)).rejects.toMatchObject({ code: 'scheme_not_allowed' });
    await expect(make({ allowPrivateNetwork: false }).get(`${base}/ok`)).rejects.toMatchObject({ code: 'private_address' });
    const rebinding = new BoundedFetcher(
      { insecureHosts: ['evil.test'], allowPrivateNetwork: false, timeoutMs: 500, maxBytes: 4096, cacheTtlMs: 0 },
      { lookup: async () => [{ address: '169.254.169.254', family: 4 }] },
    );
    await expect(rebinding.get('http://evil.test/latest/meta-data')).rejects.toBeInstanceOf(FetchError);
    await expect(rebinding.get('http://evil.test/latest/meta-data')).rejects.toMatchObject({ code: 'private_address' });
    await expect(make().get('ftp://127.0.0.1/x')).rejects.toMatchObject({ code: 'scheme_not_allowed' });
    await expect(make().get('https://user:pw@example.org/')).rejects.toMatchObject({ code: 'invalid_url' });
  });

  it('classifies addresses', () => {
    expect(isPublicAddress('93.184.216.34')).toBe(true);
    expect(isPublicAddress('2606:2800:220:1::1')).toBe(true);
    for (const a of [
      '127.0.0.1',
      '10.0.0.1',
      '192.168.1.1',
      '172.16.0.1',
      '169.254.169.254',
      '::1',
      'fe80::1',
      'fc00::1',
      '::ffff:10.0.0.1',
      '100.64.0.1',
      '0.0.0.0',
    ]) {
      expect(isPublicAddress(a)).toBe(false);
    }
  });

  it('refuses IPv6 addresses that carry an IPv4 address, except IPv4-mapped ones of a public address', () => {
    expect(isPublicAddress('::ffff:93.184.216.34')).toBe(true);
    const embedded = [
      ['::127.0.0.1', 'IPv4-compatible, dotted'],
      ['::7f00:1', 'IPv4-compatible, hex'],
      ['::93.184.216.34', 'IPv4-compatible, even of a public address'],
      ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
      ['::ffff:169.254.169.254', 'IPv4-mapped link-local'],
      ['::ffff:0:7f00:1', 'SIIT (RFC 6145)'],
      ['64:ff9b::7f00:1', 'NAT64 of loopback'],
      ['64:ff9b::5db8:d822', 'NAT64 of a public address'],
      ['64:ff9b:1::a00:1', 'local-use NAT64'],
      ['2002:7f00:1::1', '6to4 of loopback'],
      ['2002:5db8:d822::1', '6to4 of a public address'],
      ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
      ['2606:2800:220:1:0:5efe:a00:1', 'ISATAP interface id'],
    ];
    for (const [address, form] of embedded) expect({ address, form, public: isPublicAddress(address) }).toEqual({ address, form, public: false });
  });

  it('never connects to an embedded IPv4 address, whether in the URL or in a DNS answer', async () => {
    const port = new URL(base).port;
    const strict = (hosts: string[], lookup?: () => Promise<Array<{ address: string; family: number }>>) =>
      new BoundedFetcher({ insecureHosts: hosts, allowPrivateNetwork: false, timeoutMs: 500, maxBytes: 4096, cacheTtlMs: 0 }, lookup ? { lookup } : {});
    await expect(strict(['::7f00:1']).get(`http://[::127.0.0.1]:${port}/ok`)).rejects.toMatchObject({ code: 'private_address' });
    await expect(strict(['::ffff:7f00:1']).get(`http://[::ffff:127.0.0.1]:${port}/ok`)).rejects.toMatchObject({ code: 'private_address' });
    for (const address of ['::ffff:127.0.0.1', '64:ff9b::a9fe:a9fe', '2002:a9fe:a9fe::1']) {
      await expect(strict(['evil.test'], async () => [{ address, family: 6 }]).get('http://evil.test/latest/meta-data')).rejects.toMatchObject({
        code: 'private_address',
      });
    }
  });

  it('resolves names with c-ares under a deadline that cancels the query', async () => {
    // A DNS server that never answers: the lookup must give up at its deadline, not hold the fetch.
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    try {
      const fetcher = new BoundedFetcher(
        { insecureHosts: ['board.test'], allowPrivateNetwork: true, timeoutMs: 3000, dnsTimeoutMs: 300, maxBytes: 4096, cacheTtlMs: 0 },
        { lookup: caresLookup([`127.0.0.1:${silent.address().port}`]) },
      );
      const started = Date.now();
      await expect(fetcher.get('http://board.test/did.json')).rejects.toMatchObject({ code: 'timeout', message: expect.stringContaining('resolving') });
      // Below the fetch's own 3 s timeout: the DNS deadline gave up first.
      expect(Date.now() - started).toBeLessThan(2500);
      expect(await caresLookup(['127.0.0.1:1'])('localhost', 300)).toEqual([
        { address: '127.0.0.1', family: 4 },
        { address: '::1', family: 6 },
      ]);
    } finally {
      silent.close();
    }
  });
});
