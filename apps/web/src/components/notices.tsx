import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api/http';

/** An error in words, announced to screen readers. */
export function ErrorNotice({ error, prefix }: { error: ApiError | undefined; prefix?: string }) {
  if (!error) return null;
  return (
    <p class="notice notice-error" role="alert">
      <span aria-hidden="true">✖ </span>
      {prefix ? `${prefix}: ` : ''}
      {error.plain}
    </p>
  );
}

export function Notice({ kind, children }: { kind: 'info' | 'ok' | 'warn' | 'error'; children: ComponentChildren }) {
  const icon = { info: 'ℹ', ok: '✔', warn: '⚠', error: '✖' }[kind];
  return (
    <p class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <span aria-hidden="true">{icon} </span>
      {children}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}
