/**
 * The station's service worker (built by scripts/build-web.mjs into /app/sw.js, scope /app/): caches the app shell
 * and code at install so the station opens with no network. API calls are never cached here: the incident pack and
 * the scan log live in IndexedDB (offline/station.ts). Served from the app's origin, so the CSP's script-src 'self'
 * (which worker-src falls back to) allows it.
 */
declare const __PRECACHE__: string[];
declare const __VERSION__: string;

interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(r: Promise<Response>): void;
}
interface WorkerScope {
  addEventListener(type: 'install' | 'activate', listener: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (e: FetchEvent) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  registration: { scope: string };
}

const worker = self as unknown as WorkerScope;
const CACHE = `responder-checkin-shell-${__VERSION__}`;
const SHELL = new URL('./', worker.registration.scope).href;

worker.addEventListener('install', (e) => {
  e.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(['./', ...__PRECACHE__].map((p) => new URL(p, SHELL).href)))
      .then(() => worker.skipWaiting()),
  );
});

worker.addEventListener('activate', (e) => {
  e.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('responder-checkin-shell-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => worker.clients.claim()),
  );
});

worker.addEventListener('fetch', (e) => {
  const request = e.request;
  if (request.method !== 'GET' || !request.url.startsWith(SHELL)) return;
  // The page: the network first (a new build shows at once), the cached shell when there is none.
  if (request.mode === 'navigate') {
    e.respondWith(
      fetch(request).catch(async () => (await caches.match(SHELL)) ?? new Response('Offline, and the station was never opened online.', { status: 503 })),
    );
    return;
  }
  // Hashed code and styles never change under a name: the cache first.
  e.respondWith(caches.match(request).then((hit) => hit ?? fetch(request)));
});
