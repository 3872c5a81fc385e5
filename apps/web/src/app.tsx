import { useEffect } from 'preact/hooks';
import type { Role } from './api/types';
import { ActivityLogPage } from './pages/activity-log';
import { AdminPage } from './pages/admin';
import { AuditPage } from './pages/audit';
import { CheckInStationPage } from './pages/check-in-station';
import { ChangePasswordPage } from './pages/change-password';
import { CommanderBoardPage } from './pages/commander-board';
import { RollCallPage } from './pages/roll-call';
import { OfflineStationPage } from './offline/offline-station-page';
import { SignInPage } from './pages/sign-in';
import { TimeUnitPage } from './pages/time-unit';
import { VerifyPage } from './pages/verify';
import { goTo, href, navigate, useRoute } from './router';
import { signOut, useSession } from './session';

interface PageDef {
  path: string;
  title: string;
  roles: readonly Role[];
  render: () => preact.JSX.Element;
}

/** The pages, who may open them (the API enforces the same rules; this only keeps menus honest). */
const PAGES: PageDef[] = [
  { path: 'check-in', title: 'Check-in', roles: ['admin', 'commander', 'checkin'], render: () => <CheckInStationPage /> },
  { path: 'offline', title: 'Offline station', roles: ['admin', 'commander', 'checkin'], render: () => <OfflineStationPage /> },
  { path: 'board', title: 'Board', roles: ['admin', 'commander', 'supervisor'], render: () => <CommanderBoardPage /> },
  { path: 'roll-call', title: 'Roll call', roles: ['admin', 'commander', 'supervisor'], render: () => <RollCallPage /> },
  { path: 'activity-log', title: 'Activity log', roles: ['admin', 'commander', 'supervisor', 'checkin', 'auditor'], render: () => <ActivityLogPage /> },
  { path: 'verify', title: 'Verify', roles: ['admin', 'commander', 'checkin', 'auditor'], render: () => <VerifyPage /> },
  { path: 'audit', title: 'Audit', roles: ['admin', 'auditor'], render: () => <AuditPage /> },
  { path: 'time', title: 'Time unit', roles: ['admin', 'timekeeper', 'auditor'], render: () => <TimeUnitPage /> },
  { path: 'admin', title: 'Admin', roles: ['admin'], render: () => <AdminPage /> },
];

const HOME: Record<Role, string> = { admin: 'admin', commander: 'board', checkin: 'check-in', auditor: 'audit', supervisor: 'board', timekeeper: 'time' };
const RETURN_KEY = 'responder-checkin.return-to';

export function App() {
  const session = useSession();
  const route = useRoute();
  const top = route.path.split('/')[0];

  // Signed out (or the session expired): remember where the user was, show the sign-in page.
  useEffect(() => {
    if (!session && top !== 'sign-in') {
      if (top) sessionStorage.setItem(RETURN_KEY, location.hash);
      navigate('sign-in');
    }
  }, [session, top]);

  const page = PAGES.find((p) => p.path === top);
  // Signed in on an unknown page (or the sign-in page): go to the role's home page.
  useEffect(() => {
    if (session && !page) navigate(HOME[session.user.role]);
  }, [session, page]);
  useEffect(() => {
    document.title = `${session && page ? `${page.title} – ` : top === 'sign-in' ? 'Sign in – ' : ''}Responder Check-in`;
  }, [page, top, session]);

  if (!session) {
    return (
      <Shell>
        <SignInPage
          onSignedIn={(role) => {
            const back = sessionStorage.getItem(RETURN_KEY);
            sessionStorage.removeItem(RETURN_KEY);
            const backPage = back ? PAGES.find((p) => back.startsWith(`#/${p.path}`)) : undefined;
            if (back && backPage?.roles.includes(role)) goTo(back);
            else navigate(HOME[role]);
          }}
        />
      </Shell>
    );
  }

  const role = session.user.role;
  const signOutButton = (
    <button type="button" class="button-link" onClick={() => signOut('You have signed out.')}>
      Sign out
    </button>
  );
  // A temporary password (the first admin's): nothing else works until it is replaced.
  if (session.passwordChangeRequired) {
    return (
      <Shell user={<div class="user">{signOutButton}</div>}>
        <ChangePasswordPage />
      </Shell>
    );
  }
  const allowed = PAGES.filter((p) => p.roles.includes(role));
  if (!page) return <Shell />;
  return (
    <Shell
      nav={
        <nav aria-label="Main">
          <ul>
            {allowed.map((p) => (
              <li key={p.path}>
                <a href={href(p.path)} aria-current={p.path === top ? 'page' : undefined}>
                  {p.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      }
      user={
        <div class="user">
          <span>
            {session.user.displayName} <span class="role">({role})</span>
          </span>
          {signOutButton}
        </div>
      }
    >
      {page.roles.includes(role) ? (
        page.render()
      ) : (
        <div class="page">
          <h1>{page.title}</h1>
          <p class="notice notice-warn" role="alert">
            <span aria-hidden="true">⚠ </span>Your role ({role}) cannot open this page.
          </p>
        </div>
      )}
    </Shell>
  );
}

function Shell({ nav, user, children }: { nav?: preact.ComponentChildren; user?: preact.ComponentChildren; children?: preact.ComponentChildren }) {
  return (
    <>
      {/* Not href="#main": the hash is the router's. */}
      <button type="button" class="skip-link" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header class="app-header">
        <p class="brand">
          <span aria-hidden="true" class="brand-mark">
            ✚
          </span>{' '}
          Responder Check-in
        </p>
        {nav}
        {user}
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
