/**
 * The multi-node topology of docs/operations.md as processes on one machine: HAProxy in front of N api processes,
 * M workers, a scratch database on the shared PostgreSQL and a Redis prefix of its own. Used by npm run test:cluster
 * and npm run bench:scale.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, must, ready, withDb } from '../chaos/harness';
import { postgres, redis, ServiceProcess, waitUntil } from '../chaos/services';

export const ROOT = resolve(__dirname, '..', '..', '..'); // dist/test/cluster -> repository
const HAPROXY = process.env.HAPROXY ?? 'haproxy';
export const CLUSTER_ADMIN = { email: 'cluster-admin@test.example', password: 'cluster-admin-password-1' };

/** Round robin over the apis that answer /health/ready; websockets tunnelled for an hour. */
export function haproxyConfig(port: number, apiPorts: number[], maxConnections = 4096): string {
  return [
    'global',
    `  maxconn ${maxConnections}`,
    'defaults',
    '  mode http',
    `  maxconn ${maxConnections}`,
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout tunnel 1h',
    '  option redispatch',
    '  retries 2',
    'frontend checkin',
    `  bind 127.0.0.1:${port}`,
    '  default_backend apis',
    'backend apis',
    '  balance roundrobin',
    '  option httpchk GET /health/ready',
    '  http-check expect status 200',
    ...apiPorts.map((p, i) => `  server api-${i + 1} 127.0.0.1:${p} check inter 500 fall 2 rise 2 maxconn ${maxConnections}`),
    '',
  ].join('\n');
}

export interface TopologyOptions {
  /** Names the run folder (test-artifacts/<label>/run-…) and the scratch database. */
  label: string;
  apis: number;
  workers: number;
  /** Added to (or replacing) the common environment of every api and worker. */
  env?: Record<string, string>;
  /** Connections HAProxy accepts (each board holds one websocket). */
  maxConnections?: number;
  log: (line: string) => void;
}

export interface Topology {
  /** The balancer's base URL. */
  lb: string;
  dbUrl: string;
  dbName: string;
  apiPorts: number[];
  apis: ServiceProcess[];
  workers: ServiceProcess[];
  logDir: string;
  adminToken: string;
  /** Stops the balancer and every process and drops the scratch database. */
  stop(): Promise<void>;
}

/** True when HAProxy can be run; otherwise says how to get it. */
export function haproxyAvailable(): boolean {
  if (spawnSync(HAPROXY, ['-v']).status === 0) return true;
  process.stderr.write(`HAProxy not found (${HAPROXY}): install it from the operating system's packages (apt-get install haproxy) or set HAPROXY.\n`);
  return false;
}

/**
 * Starts the topology from a copy of dist/ (a rebuild meanwhile does not change the running processes) and signs
 * in the bootstrap admin through the balancer. The first api migrates the scratch database and creates the admin.
 */
export async function startTopology(opts: TopologyOptions): Promise<Topology> {
  if (!(await postgres.up()) || !(await redis.up())) throw new Error('PostgreSQL and Redis must be running');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const runDir = join(ROOT, 'test-artifacts', opts.label, `run-${stamp}`);
  const logDir = join(runDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const dist = join(runDir, 'dist');
  cpSync(join(ROOT, 'dist'), dist, { recursive: true });
  const dbName = `${opts.label}_${stamp.replace(/-/g, '_').toLowerCase()}`;
  const dbUrl = `postgres://postgres@127.0.0.1:5432/${dbName}`;
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    DATABASE_URL: dbUrl,
    DATABASE_POOL_SIZE: '8',
    REDIS_PREFIX: `${opts.label}_${randomBytes(3).toString('hex')}`,
    BOOTSTRAP_ADMIN_EMAIL: CLUSTER_ADMIN.email,
    BOOTSTRAP_ADMIN_PASSWORD: CLUSTER_ADMIN.password,
    BOOTSTRAP_ADMIN_MUST_CHANGE_PASSWORD: 'false',
    ACCESS_TOKEN_TTL_SECONDS: '3600',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    CHECKIN_RATE_LIMIT_PER_MINUTE: '100000',
    FETCH_INSECURE_HOSTS: 'localhost,127.0.0.1',
    FETCH_ALLOW_PRIVATE_NETWORK: 'true',
    SWEEP_INTERVAL_MS: '86400000',
    STATUS_LIST_REFRESH_CHECK_MS: '3600000',
    REVERIFY_BATCH_SIZE: '100',
    JOB_DISPATCH_INTERVAL_MS: '500',
    JOB_LOCK_DURATION_MS: '2000',
    JOB_STALLED_INTERVAL_MS: '1000',
    JOB_BACKOFF_MS: '200',
    ...opts.env,
  };
  const apiPorts = await Promise.all(Array.from({ length: opts.apis }, () => freePort()));
  const apis = apiPorts.map(
    (port, i) => new ServiceProcess(`api-${i + 1}`, join(dist, 'apps', 'api', 'src', 'main.js'), { ...env, PORT: String(port) }, logDir),
  );
  const workers = Array.from(
    { length: opts.workers },
    (_, i) => new ServiceProcess(`worker-${i + 1}`, join(dist, 'apps', 'worker', 'src', 'main.js'), env, logDir),
  );
  const lbPort = await freePort();
  const lb = `http://127.0.0.1:${lbPort}`;
  const configFile = join(runDir, 'haproxy.cfg');
  writeFileSync(configFile, haproxyConfig(lbPort, apiPorts, opts.maxConnections));
  let haproxy: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    haproxy?.kill('SIGTERM');
    await Promise.all([...apis, ...workers].map((p) => p.stop()));
    await withDb('postgres://postgres@127.0.0.1:5432/postgres', (db) => db.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)).catch(() => undefined);
  };
  try {
    opts.log(`scratch database ${dbName}, logs in ${logDir}`);
    apis[0].start();
    await waitUntil('api-1 ready', () => ready(`http://127.0.0.1:${apiPorts[0]}`), 90_000, 250);
    for (const api of apis.slice(1)) api.start();
    for (const worker of workers) worker.start();
    await Promise.all(apiPorts.map((port, i) => waitUntil(`api-${i + 1} ready`, () => ready(`http://127.0.0.1:${port}`), 90_000, 250)));
    haproxy = spawn(HAPROXY, ['-f', configFile, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
    await waitUntil('the balancer', () => ready(lb), 30_000, 250);
    const adminToken = String((await must(lb, 'POST', '/auth/token', 200, { body: CLUSTER_ADMIN })).accessToken);
    return { lb, dbUrl, dbName, apiPorts, apis, workers, logDir, adminToken, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
