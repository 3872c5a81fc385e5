import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * Starts the built api (`node dist/apps/api/src/main.js`, built by `npm run build`; or the worker) with exactly `env`
 * (plus PATH), and resolves when it exits, or once its PORT answers /health/ready (then it is stopped: `ready`).
 */
export function runApiProcess(
  env: Record<string, string>,
  opts: { timeoutMs?: number; app?: 'api' | 'worker' } = {},
): Promise<{ code: number | null; stderr: string; ready: boolean }> {
  const port = Number(env.PORT);
  const proc = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', `dist/apps/${opts.app ?? 'api'}/src/main.js`], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    let ready = false;
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    const poll = setInterval(() => {
      if (Date.now() > deadline) proc.kill('SIGKILL');
      if (!port) return;
      fetch(`http://127.0.0.1:${port}/health/ready`)
        .then((r) => {
          if (r.status === 200 && !ready) {
            ready = true;
            proc.kill('SIGTERM');
          }
        })
        .catch(() => undefined);
    }, 250);
    proc.on('close', (code) => {
      clearInterval(poll);
      resolve({ code: ready ? null : code, stderr, ready });
    });
  });
}

/** A port nothing listens on now (good enough for one test process at a time). */
export const somePort = (): string => String(20000 + Math.floor(Math.random() * 20000));
