import { ApiClient } from './api/http';
import type { Principal, TokenResponse } from './api/types';
import { Store, useStore } from './store';

/**
 * The signed-in user. The access token lives in sessionStorage: it survives a reload of the tab but not the tab,
 * and is never shared with other tabs (a shared check-in tablet starts each tab signed out).
 */
export interface Session {
  token: string;
  user: Principal;
  expiresAt: number;
  /** Signed in with a temporary password: the app shows only the form that replaces it. */
  passwordChangeRequired: boolean;
}

const SESSION_KEY = 'responder-checkin.session';
const DEVICE_KEY = 'responder-checkin.device-id';

function restore(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    if (!raw) return undefined;
    const s = JSON.parse(raw) as Session;
    return s.expiresAt > Date.now() ? s : undefined;
  } catch {
    return undefined;
  }
}

export const sessionStore = new Store<Session | undefined>(restore());
/** Why the user was signed out, shown on the sign-in page (e.g. the token expired). */
export const signOutReason = new Store<string | undefined>(undefined);

let expiryTimer: ReturnType<typeof setTimeout> | undefined;

function schedule(s: Session | undefined): void {
  clearTimeout(expiryTimer);
  if (s) expiryTimer = setTimeout(() => signOut('Your session has expired. Sign in again.'), Math.max(0, s.expiresAt - Date.now()));
}
schedule(sessionStore.value);

export function signedIn(res: TokenResponse): Session {
  const s: Session = {
    token: res.accessToken,
    user: res.user,
    expiresAt: Date.now() + res.expiresIn * 1000,
    passwordChangeRequired: res.passwordChangeRequired,
  };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
  signOutReason.set(undefined);
  sessionStore.set(s);
  schedule(s);
  return s;
}

export function signOut(reason?: string): void {
  sessionStorage.removeItem(SESSION_KEY);
  signOutReason.set(reason);
  sessionStore.set(undefined);
  schedule(undefined);
}

export const useSession = (): Session | undefined => useStore(sessionStore);

export const api = new ApiClient(
  () => sessionStore.value?.token,
  () => signOut('Your session has ended. Sign in again.'),
);

/** A stable id for this browser (the check-in API records which device scanned). */
export function deviceId(): string {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    id = `web-${uuid()}`;
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

/** A random UUID; crypto.randomUUID only exists in secure contexts, so build one from random bytes otherwise. */
export function uuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
