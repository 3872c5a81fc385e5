import { Store, useStore } from './store';

/** Hash routing (`#/board?incident=...`): the server serves one index.html, so no server-side fallback is needed. */
export interface Route {
  path: string;
  params: URLSearchParams;
}

function parse(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [path, query] = raw.split('?', 2);
  return { path: path.replace(/\/+$/, ''), params: new URLSearchParams(query ?? '') };
}

function format(path: string, params?: Record<string, string | undefined> | URLSearchParams): string {
  const p = params instanceof URLSearchParams ? params : new URLSearchParams(Object.entries(params ?? {}).filter((e): e is [string, string] => !!e[1]));
  const q = p.toString();
  return `#/${path}${q ? `?${q}` : ''}`;
}

export const routeStore = new Store<Route>(parse(location.hash));
window.addEventListener('hashchange', () => {
  const next = parse(location.hash);
  const current = routeStore.value;
  if (next.path !== current.path || next.params.toString() !== current.params.toString()) routeStore.set(next);
});

export const useRoute = (): Route => useStore(routeStore);

export function navigate(path: string, params?: Record<string, string | undefined>): void {
  goTo(format(path, params));
}

/** Opens a page by its full hash. The route changes at once (not on the later hashchange event), so effects that
 *  run in between see where the app is going. */
export function goTo(hash: string): void {
  routeStore.set(parse(hash));
  if (location.hash !== hash) location.hash = hash;
}

/** Changes one query parameter of the current page without adding a history entry. */
export function setParam(key: string, value: string | undefined): void {
  const { path, params } = routeStore.value;
  const next = new URLSearchParams(params);
  if (value) next.set(key, value);
  else next.delete(key);
  const hash = format(path, next);
  history.replaceState(null, '', hash);
  routeStore.set(parse(hash));
}

export const href = (path: string, params?: Record<string, string | undefined>): string => format(path, params);
