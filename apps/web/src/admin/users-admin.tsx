import { useState } from 'preact/hooks';
import { ROLES, type Role, type UserView } from '../api/types';
import { ErrorNotice, Loading } from '../components/notices';
import { useAction, useAsync } from '../components/use-async';
import { api } from '../session';
import { formatDate } from '../text';

const ROLE_WORD: Record<Role, string> = {
  admin: 'Administrator',
  commander: 'Commander',
  checkin: 'Check-in staff',
  auditor: 'Auditor',
  supervisor: 'Division/group supervisor',
  timekeeper: 'Timekeeper',
};
export const roleWord = (r: Role): string => ROLE_WORD[r];

export const splitList = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function UsersAdmin() {
  const users = useAsync(() => api.get<UserView[]>('/users'), []);
  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">Users and roles</h2>
      <CreateUser onCreated={users.reload} />
      {users.loading && !users.data && <Loading what="users" />}
      <ErrorNotice error={users.error} />
      {users.data && (
        <table class="data-table" data-testid="users">
          <caption>{users.data.length} users</caption>
          <thead>
            <tr>
              <th scope="col">Name and e-mail</th>
              <th scope="col">Role</th>
              <th scope="col">Jurisdictions</th>
              <th scope="col">Active</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.data.map((u) => (
              <UserRow key={u.id} user={u} onChanged={users.reload} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function UserRow({ user, onChanged }: { user: UserView; onChanged: () => void }) {
  const [role, setRole] = useState<Role>(user.role);
  const [jurisdictions, setJurisdictions] = useState(user.jurisdictions.join(', '));
  const [password, setPassword] = useState('');
  const action = useAction();
  const save = async (body: Record<string, unknown>): Promise<void> => {
    if (await action.run(() => api.patch<UserView>(`/users/${user.id}`, body))) {
      setPassword('');
      onChanged();
    }
  };
  return (
    <tr class={user.active ? '' : 'inactive'}>
      <td>
        {user.displayName}
        <div class="hint wrap">{user.email}</div>
        <div class="hint">since {formatDate(user.createdAt)}</div>
      </td>
      <td>
        <label class="sr-only" for={`role-${user.id}`}>
          Role of {user.displayName}
        </label>
        <select id={`role-${user.id}`} value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_WORD[r]}
            </option>
          ))}
        </select>
      </td>
      <td>
        <label class="sr-only" for={`jur-${user.id}`}>
          Jurisdictions of {user.displayName}
        </label>
        <input id={`jur-${user.id}`} type="text" size={10} value={jurisdictions} placeholder="US-FL" onInput={(e) => setJurisdictions(e.currentTarget.value)} />
      </td>
      <td>{user.active ? 'Yes' : 'No'}</td>
      <td class="cell-actions">
        <button
          type="button"
          class="button-small"
          disabled={action.busy}
          onClick={() => void save({ role, jurisdictions: splitList(jurisdictions.toUpperCase()) })}
        >
          Save
        </button>
        <button type="button" class="button-small" disabled={action.busy} onClick={() => void save({ active: !user.active })}>
          {user.active ? 'Deactivate' : 'Activate'}
        </button>
        <details class="inline-details">
          <summary>Password</summary>
          <label class="sr-only" for={`pw-${user.id}`}>
            New password for {user.displayName}
          </label>
          <input
            id={`pw-${user.id}`}
            type="password"
            autocomplete="new-password"
            placeholder="New password (12+)"
            size={14}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
          <button type="button" class="button-small" disabled={action.busy || password.length < 12} onClick={() => void save({ password })}>
            Set password
          </button>
        </details>
        <ErrorNotice error={action.error} />
      </td>
    </tr>
  );
}

function CreateUser({ onCreated }: { onCreated: () => void }) {
  const empty = { email: '', displayName: '', password: '', role: 'checkin' as Role, jurisdictions: '' };
  const [form, setForm] = useState(empty);
  const [created, setCreated] = useState<string | undefined>(undefined);
  const action = useAction();
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setCreated(undefined);
    const user = await action.run(() =>
      api.post<UserView>('/users', {
        email: form.email.trim(),
        displayName: form.displayName.trim(),
        password: form.password,
        role: form.role,
        jurisdictions: form.jurisdictions.trim() ? splitList(form.jurisdictions) : undefined,
      }),
    );
    if (user) {
      setCreated(`${user.displayName} (${ROLE_WORD[user.role]}) created.`);
      setForm(empty);
      onCreated();
    }
  };
  return (
    <details class="panel">
      <summary>Add a user</summary>
      <form class="row" onSubmit={(e) => void submit(e)}>
        <div class="field">
          <label for="new-user-email">E-mail</label>
          <input id="new-user-email" type="email" required value={form.email} onInput={(e) => setForm({ ...form, email: e.currentTarget.value })} />
        </div>
        <div class="field">
          <label for="new-user-name">Display name</label>
          <input id="new-user-name" type="text" required value={form.displayName} onInput={(e) => setForm({ ...form, displayName: e.currentTarget.value })} />
        </div>
        <div class="field">
          <label for="new-user-password">Password (12+ characters)</label>
          <input
            id="new-user-password"
            type="password"
            autocomplete="new-password"
            required
            minLength={12}
            value={form.password}
            onInput={(e) => setForm({ ...form, password: e.currentTarget.value })}
          />
        </div>
        <div class="field">
          <label for="new-user-role">Role</label>
          <select id="new-user-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value as Role })}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_WORD[r]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="new-user-jurisdictions">Jurisdictions (auditors; comma separated)</label>
          <input
            id="new-user-jurisdictions"
            type="text"
            placeholder="US-FL"
            value={form.jurisdictions}
            onInput={(e) => setForm({ ...form, jurisdictions: e.currentTarget.value })}
          />
        </div>
        <div class="field field-button">
          <button type="submit" class="button-primary" disabled={action.busy}>
            Add user
          </button>
        </div>
      </form>
      <ErrorNotice error={action.error} />
      {created && (
        <p role="status" class="saved">
          <span aria-hidden="true">✔ </span>
          {created}
        </p>
      )}
    </details>
  );
}
