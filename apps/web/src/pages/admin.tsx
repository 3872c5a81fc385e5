import { href, useRoute } from '../router';
import { IncidentsAdmin } from '../admin/incidents-admin';
import { TrustAdmin } from '../admin/trust-admin';
import { UsersAdmin } from '../admin/users-admin';

const TABS = [
  { path: 'admin/incidents', title: 'Incidents' },
  { path: 'admin/users', title: 'Users and roles' },
  { path: 'admin/trust', title: 'Trust registry' },
];

/** Administration: incidents and their staff, users and roles, the trust registry. */
export function AdminPage() {
  const route = useRoute();
  const tab = TABS.find((t) => t.path === route.path) ?? TABS[0];
  return (
    <div class="page admin">
      <h1>Administration</h1>
      <nav aria-label="Administration" class="tabs">
        <ul>
          {TABS.map((t) => (
            <li key={t.path}>
              <a href={href(t.path)} aria-current={t === tab ? 'page' : undefined}>
                {t.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {tab.path === 'admin/incidents' && <IncidentsAdmin />}
      {tab.path === 'admin/users' && <UsersAdmin />}
      {tab.path === 'admin/trust' && <TrustAdmin />}
    </div>
  );
}
