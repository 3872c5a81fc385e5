import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The machine's shared PostgreSQL and Redis (stopped, started, restarted: commands from the machine notes), and the
 * project's own processes (api, worker) started from the built dist/, killed with SIGKILL and started again.
 */

const run = promisify(execFile);
/** Asynchronous, so the load and the dashboards keep running while a service stops or starts. */
const sh = async (command: string): Promise<string> => (await run('bash', ['-c', command], { encoding: 'utf8', timeout: 120_000 })).stdout.trim();
const trySh = async (command: string): Promise<{ ok: boolean; out: string }> => {
  try {
    return { ok: true, out: await sh(command) };
  } catch (err) {
    return { ok: false, out: String((err as { stderr?: string }).stderr ?? err) };
  }
};
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const REDIS_START =
  'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log';
const pgCluster = (): string => readdirSync('/etc/postgresql').sort().at(-1) ?? '15';

export const redis = {
  up: async (): Promise<boolean> => (await trySh('timeout 2 redis-cli ping')).out === 'PONG',
  async stop(): Promise<void> {
    // nosave: this Redis keeps nothing on disk anyway; it comes back empty, as after a crash.
    await trySh('redis-cli shutdown nosave');
  },
  async start(): Promise<void> {
    if (!(await redis.up())) await sh(REDIS_START);
  },
};

export const postgres = {
  up: async (): Promise<boolean> => (await trySh('pg_isready -h 127.0.0.1 -p 5432 -t 1')).ok,
  async restart(): Promise<void> {
    await sh(`pg_ctlcluster --skip-systemctl-redirect ${pgCluster()} main restart`);
  },
  async start(): Promise<void> {
    if (!(await postgres.up())) await trySh(`pg_ctlcluster --skip-systemctl-redirect ${pgCluster()} main start`);
  },
};

/** Puts both back whatever happened (end of run, Ctrl-C, crash). */
export async function restoreSharedServices(): Promise<{ postgres: boolean; redis: boolean }> {
  await redis.start();
  await postgres.start();
  for (let i = 0; i < 50 && !((await redis.up()) && (await postgres.up())); i++) await sleep(200);
  return { postgres: await postgres.up(), redis: await redis.up() };
}

export async function waitUntil(what: string, condition: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await condition()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** One of our services: `node <main>` with its environment, output appended to a file. */
export class ServiceProcess {
  private child?: ChildProcess;
  starts = 0;

  constructor(
    readonly name: string,
    private readonly main: string,
    private readonly env: Record<string, string>,
    private readonly logDir: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    if (!existsSync(this.main)) throw new Error(`${this.main} is missing: run npm run build first`);
    this.starts++;
    const out = createWriteStream(join(this.logDir, `${this.name}.out`), { flags: 'a' });
    this.child = spawn(process.execPath, ['--enable-source-maps', '--disable-warning=ExperimentalWarning', this.main], {
      env: { PATH: process.env.PATH ?? '', ...this.env, LOG_FILE: join(this.logDir, `${this.name}.log`) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.pipe(out, { end: false });
    this.child.stderr?.pipe(out, { end: false });
  }

  /** SIGKILL: no shutdown hooks, no goodbye, as when the machine or the container dies. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM (clean shutdown), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    if (!this.running) return;
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 10_000);
    await this.signal('SIGTERM');
    clearTimeout(timer);
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  /** The process's log lines so far (pino JSON), for start-up markers. */
  logText(): string {
    const file = join(this.logDir, `${this.name}.log`);
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }
}
