import { readFileSync } from 'node:fs';
import { Pool } from 'undici';

/** A tiny HTTP load generator for the benchmarks: closed loop (N workers back to back) and open loop (fixed arrival rate). */
export interface LoadResult {
  requests: number;
  ok: number;
  errors: number;
  seconds: number;
  rate: number;
  latenciesMs: number[];
}

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * An HTTP/1.1 keep-alive client over `maxSockets` connections, with undici: the load generator shares the 2 cores
 * with the server it measures, so the less it spends the truer the figures. Against node:http's client, in
 * alternating bench:checkin runs: 0.36-0.39 ms of CPU per check-in instead of 0.44-0.53 ms, and the trivial route
 * measured 15-25% higher (bench:checkin prints the load generator's share).
 */
export function makeClient(baseUrl: string, maxSockets: number): (spec: RequestSpec) => Promise<number> {
  const pool = new Pool(baseUrl, { connections: maxSockets });
  return async (spec) => {
    try {
      const headers = { ...(spec.body ? { 'content-type': 'application/json' } : {}), ...spec.headers };
      const res = await pool.request({ method: spec.method, path: spec.path, headers, body: spec.body });
      await res.body.dump();
      return res.statusCode;
    } catch {
      return 0;
    }
  };
}

/** Spreads requests over several api processes round robin, as a load balancer in front of them would. */
export function makeBalancedClient(baseUrls: string[], maxSockets: number): (spec: RequestSpec) => Promise<number> {
  const clients = baseUrls.map((url) => makeClient(url, Math.ceil(maxSockets / baseUrls.length)));
  let next = 0;
  return (spec) => clients[next++ % clients.length](spec);
}

export async function closedLoop(
  send: (spec: RequestSpec) => Promise<number>,
  next: () => RequestSpec | undefined,
  concurrency: number,
  seconds: number,
  okStatus: (s: number) => boolean,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const spec = next();
        if (!spec) return;
        const t = performance.now();
        const status = await send(spec);
        latencies.push(performance.now() - t);
        if (okStatus(status)) ok++;
        else errors++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { requests: ok + errors, ok, errors, seconds: elapsed, rate: ok / elapsed, latenciesMs: latencies };
}

/** Arrivals at a fixed rate whether or not earlier requests have answered (as at a real staging area). */
export async function openLoop(
  send: (spec: RequestSpec) => Promise<number>,
  next: () => RequestSpec | undefined,
  perSecond: number,
  seconds: number,
  okStatus: (s: number) => boolean,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  const total = Math.floor(perSecond * seconds);
  const started = performance.now();
  const inflight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const spec = next();
    if (!spec) break;
    // Latency counts from the scheduled arrival, so a stalled client cannot hide queueing (coordinated omission).
    inflight.push(
      send(spec).then((status) => {
        latencies.push(performance.now() - due);
        if (okStatus(status)) ok++;
        else errors++;
      }),
    );
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { requests: ok + errors, ok, errors, seconds: elapsed, rate: ok / elapsed, latenciesMs: latencies };
}

/** CPU seconds (user + system) a set of processes has used so far, from /proc (Linux); 0 for a process gone. */
export function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      /* exited */
    }
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * How long a process's main thread (for Node: the event loop) has run on a core and waited, runnable, for one, in
 * seconds, from /proc (Linux schedstat; zeros where unavailable). The wait is time a request is ready to be served
 * and nothing serves it: on a machine shared with PostgreSQL, queueing no profile of the process shows.
 */
export function mainThreadSchedule(pid: number): { running: number; waiting: number } {
  try {
    const [running, waiting] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
    return { running: running / 1e9, waiting: waiting / 1e9 };
  } catch {
    return { running: 0, waiting: 0 };
  }
}

/** CPU seconds the whole machine has been busy so far (all cores, every process and the kernel), from /proc/stat. */
export function machineCpuSeconds(): number {
  // cpu  user nice system idle iowait irq softirq steal ...
  const [, user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  return (user + nice + system + irq + softirq) / CLOCK_TICKS_PER_SECOND;
}
