/**
 * apps/web: the browser app served by the api process under /app/ (docs/web-app.md): sign-in, check-in station,
 * commander board, verify, audit and admin pages. Preact and plain CSS, bundled by scripts/build-web.mjs. Talks to the
 * server only through the HTTP API (api/http.ts) and the live board's socket (libs/realtime's browser client).
 */
import { render } from 'preact';
import { App } from './app';
import './styles.css';

const root = document.getElementById('root');
if (root) {
  root.textContent = '';
  render(<App />, root);
}

// The station opens with no network once this worker has cached the shell (docs/offline.md).
if ('serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('sw.js').catch(() => undefined);
  });
}
