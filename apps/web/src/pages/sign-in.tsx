import { useEffect, useRef, useState } from 'preact/hooks';
import type { Role, TokenResponse } from '../api/types';
import { ErrorNotice } from '../components/notices';
import { useAction } from '../components/use-async';
import { api, signedIn, signOutReason } from '../session';
import { useStore } from '../store';

/** E-mail and password; the app then opens the page for the user's role (or the page they were on). */
export function SignInPage({ onSignedIn }: { onSignedIn: (role: Role) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const reason = useStore(signOutReason);
  const action = useAction();
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const res = await action.run(() => api.post<TokenResponse>('/auth/token', { email: email.trim(), password }));
    if (res) {
      signedIn(res);
      onSignedIn(res.user.role);
    }
  };

  return (
    <div class="page sign-in">
      <form class="sign-in-form" onSubmit={(e) => void submit(e)} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in</h1>
        {reason && (
          <p class="notice notice-info" role="status">
            <span aria-hidden="true">ℹ </span>
            {reason}
          </p>
        )}
        <div class="field">
          <label for="email">E-mail</label>
          <input id="email" ref={first} type="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input id="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </div>
        <ErrorNotice error={action.error} prefix="Sign-in failed" />
        <button type="submit" class="button-primary" disabled={action.busy}>
          {action.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
