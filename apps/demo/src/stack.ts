import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
// Dropping the demo database needs a connection to the server's postgres database, outside any app's pool.
// eslint-disable-next-line no-restricted-imports
import { Client } from 'pg';

/**
 * The processes behind the demo: the swc-built api and worker (as `npm start` runs them), each logging to a file,
 * and the clean slate they start from (a dropped demo database, an emptied Redis namespace).
 */

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves when the process has exited (with its code, or the signal's name). */
  exited: Promise<number | string>;
  alive(): boolean;
}

/** `npm run build` (swc into dist/), then the web app into dist/web when the build did not make it. */
export function buildDist(root: string, log: (line: string) => void): void {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const started = Date.now();
  let build = spawnSync(npm, ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  // Once more if it failed: `rm -rf dist` loses a race with anything else writing dist/ at that moment.
  if (build.status !== 0) build = spawnSync(npm, ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`npm run build failed (${build.status ?? build.signal})`);
  const webBuilder = join(root, 'scripts/build-web.mjs');
  if (!existsSync(join(root, 'dist/web/index.html')) && existsSync(webBuilder)) {
    const web = spawnSync(process.execPath, [webBuilder], { cwd: root, stdio: 'inherit' });
    if (web.status !== 0) log(`warning: the web app did not build (${web.status ?? web.signal}); the API still works`);
  }
  log(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export function startNodeProcess(name: string, script: string, env: NodeJS.ProcessEnv, logDir: string, cwd: string): ManagedProcess {
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${name}.log`);
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, ['--enable-source-maps', '--disable-warning=ExperimentalWarning', script], {
    cwd,
    env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let running = true;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return { name, child, logFile, exited, alive: () => running };
}

/** SIGTERM, then SIGKILL after `graceMs` if still running. */
export async function stopProcess(p: ManagedProcess, graceMs = 5000): Promise<void> {
  if (!p.alive()) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (p.alive()) p.child.kill('SIGKILL');
  }, graceMs);
  await p.exited;
  clearTimeout(timer);
}

export function tailOf(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

const SAFE_NAME = /^[a-z0-9_]+$/;

/** Drops the demo database so every start is a fresh incident (the api creates and migrates it again). */
export async function dropDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!SAFE_NAME.test(name) || !name.includes('demo')) throw new Error(`refusing to drop ${name}: the demo only drops a database whose name contains "demo"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Deletes every key of the demo's Redis namespace (`<prefix>:*`): queues, caches, socket.io channels. */
export async function clearRedisNamespace(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = nextCursor;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
