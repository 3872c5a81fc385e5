import { useEffect, useRef, useState } from 'preact/hooks';
import type { TokenResponse } from '../api/types';
import { ErrorNotice, Notice } from '../components/notices';
import { useAction } from '../components/use-async';
import { api, signedIn } from '../session';

/** Shown instead of every page after signing in with a temporary password: choose a new one (12 characters or more). */
export function ChangePasswordPage() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const action = useAction();
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setMismatch(next !== repeat);
    if (next !== repeat) return;
    const res = await action.run(() => api.post<TokenResponse>('/auth/password', { currentPassword: current, newPassword: next }));
    if (res) signedIn(res);
  };

  return (
    <div class="page sign-in">
      <form class="sign-in-form" onSubmit={(e) => void submit(e)} aria-labelledby="change-password-title">
        <h1 id="change-password-title">Choose a new password</h1>
        <Notice kind="info">The password you signed in with was temporary. Choose your own before you continue.</Notice>
        <div class="field">
          <label for="current-password">Current password</label>
          <input
            id="current-password"
            ref={first}
            type="password"
            autocomplete="current-password"
            required
            value={current}
            onInput={(e) => setCurrent(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="new-password">New password (at least 12 characters)</label>
          <input
            id="new-password"
            type="password"
            autocomplete="new-password"
            required
            minLength={12}
            maxLength={256}
            value={next}
            onInput={(e) => setNext(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="repeat-password">New password again</label>
          <input id="repeat-password" type="password" autocomplete="new-password" required value={repeat} onInput={(e) => setRepeat(e.currentTarget.value)} />
        </div>
        {mismatch && <Notice kind="error">The two new passwords differ.</Notice>}
        <ErrorNotice error={action.error} prefix="Not changed" />
        <button type="submit" class="button-primary" disabled={action.busy}>
          {action.busy ? 'Saving…' : 'Save the new password'}
        </button>
      </form>
    </div>
  );
}
