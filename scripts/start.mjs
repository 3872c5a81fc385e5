// Starts the api and the worker against local PostgreSQL and Redis (defaults in the README), stops both on Ctrl-C.
import { spawn } from 'node:child_process';

const env = {
  BOOTSTRAP_ADMIN_EMAIL: 'admin@example.org',
  BOOTSTRAP_ADMIN_PASSWORD: 'change-me-on-first-sign-in',
  ...process.env,
};
const node = [process.execPath, '--enable-source-maps', '--disable-warning=ExperimentalWarning'];
// A larger young generation for the api: fewer scavenges under a surge of scans (docs/check-in.md, "Hot path").
// The same flag is in docker/Dockerfile and bench/checkin.ts.
const flags = { api: ['--max-semi-space-size=64'], worker: [] };
// Both processes on one host: the worker's metrics (when METRICS_PORT is set) go on the next port.
const envOf = {
  api: env,
  worker: env.METRICS_PORT && env.METRICS_PORT !== '0' ? { ...env, METRICS_PORT: String(Number(env.METRICS_PORT) + 1) } : env,
};
const children = ['api', 'worker'].map((name) => {
  const child = spawn(node[0], [...node.slice(1), ...flags[name], `dist/apps/${name}/src/main.js`], { env: envOf[name], stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    console.error(`${name} exited (${signal ?? code}); stopping`);
    stopAll(code ?? 1);
  });
  return child;
});
let stopping = false;
function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
console.error(`api on http://localhost:${env.PORT ?? 3000} (docs at /docs); first admin: ${env.BOOTSTRAP_ADMIN_EMAIL}`);
