/**
 * npm run bench:compare-builds -- --base DIR — the engine's time per verification in this build against another
 * build (DIR: that build's `dist`, e.g. `git worktree add /tmp/base <commit> && (cd /tmp/base && npm ci && npm run
 * build)`), on one credential format of bench:verify, cached as there.
 *
 * Each build runs in a worker thread of its own, so in its own V8 isolate: two copies of the engine loaded in one
 * isolate share object layouts, and the copy loaded second pays 14 to 17% more for the same code (its modules' export
 * objects become dictionaries), which no comparison should carry. The two workers take turns, each timing its own
 * blocks of verifications; a round's ratio is this build's time over the base's, and the result is the median of the
 * rounds. Which worker starts second runs about 1% faster, so the comparison is run both ways round and the two
 * medians combined by their geometric mean.
 *
 * Options: --format NAME (of bench:verify's formats, default ob3-jwt), --rounds N (default 60), --batches N (blocks of
 * 20 verifications per turn, default 150), --stub-signature (ES256 `crypto.verify` answers true at once: the
 * JavaScript alone, which a signature would otherwise drown).
 * Not a test: numbers depend on the machine; docs/benchmarks.md records measured figures.
 */
import crypto from 'node:crypto';
import { resolve } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type * as VerifyFormats from './verify-formats';

interface BuildJob {
  dist: string;
  format: string;
  stubSignature: boolean;
}
type FromWorker = { ready: true } | { microseconds: number } | { error: string };

const args = process.argv.slice(2);
const value = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};

async function main(): Promise<void> {
  const base = value('base');
  if (!base) throw new Error('--base DIR: the dist folder of the build to compare with');
  const format = value('format') ?? 'ob3-jwt';
  const rounds = Number(value('rounds') ?? 60);
  const batches = Number(value('batches') ?? 150);
  const stubSignature = args.includes('--stub-signature');
  const builds = { base: resolve(base), this: resolve(__dirname, '..') };
  console.log(`compare-builds: ${format}${stubSignature ? ', signature stubbed' : ''}; this build ${builds.this}, base ${builds.base}`);

  const medians: number[] = [];
  for (const order of [['base', 'this'] as const, ['this', 'base'] as const]) {
    const workers: Record<string, Worker> = {};
    for (const name of order) {
      workers[name] = new Worker(__filename, { workerData: { dist: builds[name], format, stubSignature } satisfies BuildJob });
      workers[name].on('error', (err) => {
        console.error(`the ${name} build's worker failed: ${err.message}`);
        process.exit(1);
      });
      await reply(workers[name]);
    }
    const turn = async (name: 'base' | 'this', n: number): Promise<number> => {
      workers[name].postMessage(n);
      const message = await reply(workers[name]);
      if (!('microseconds' in message)) throw new Error('unexpected message from a worker');
      return message.microseconds;
    };
    for (let i = 0; i < 6; i++) for (const name of order) await turn(name, 300);
    const ratios: number[] = [];
    const times = { base: [] as number[], this: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      const [first, second] = r % 2 === 0 ? order : [order[1], order[0]];
      const firstTime = await turn(first, batches);
      const secondTime = await turn(second, batches);
      const [base, mine] = first === 'base' ? [firstTime, secondTime] : [secondTime, firstTime];
      times.base.push(base);
      times.this.push(mine);
      ratios.push(mine / base);
    }
    await Promise.all(Object.values(workers).map((w) => w.terminate()));
    medians.push(median(ratios));
    console.log(
      `  base started ${order[0] === 'base' ? 'first' : 'second'}: base ${median(times.base).toFixed(2)} µs, this build ${median(times.this).toFixed(2)} µs per verification; this/base ${median(ratios).toFixed(4)}`,
    );
  }
  console.log(`this build / base, both ways round: ${Math.sqrt(medians[0] * medians[1]).toFixed(4)} (below 1: this build is faster)`);
}

function reply(worker: Worker): Promise<FromWorker> {
  return new Promise((done, fail) => worker.once('message', (m: FromWorker) => ('error' in m ? fail(new Error(m.error)) : done(m))));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

async function worker(job: BuildJob): Promise<void> {
  const port = parentPort!;
  if (job.stubSignature) {
    const real = crypto.verify;
    Object.defineProperty(crypto, 'verify', { value: (...a: Parameters<typeof real>) => (a[0] === 'sha256' ? true : real(...a)) });
  }
  // Another build's module, chosen at run time.
  const formats = require(`${job.dist}/bench/verify-formats.js`) as typeof VerifyFormats;
  const { setup, fixtures } = await formats.startFormatsIssuer();
  const fixture = fixtures.find((f) => f.name === job.format);
  if (!fixture) throw new Error(`no format ${job.format} (${fixtures.map((f) => f.name).join(', ')})`);
  const batch = await formats.engineFormatBatch(setup, fixture);
  port.on('message', (n: number) => {
    void (async () => {
      const started = process.hrtime.bigint();
      let verifications = 0;
      for (let i = 0; i < n; i++) verifications += await batch();
      port.postMessage({ microseconds: Number(process.hrtime.bigint() - started) / 1000 / verifications } satisfies FromWorker);
    })();
  });
  port.postMessage({ ready: true } satisfies FromWorker);
}

if (isMainThread) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
} else {
  worker(workerData as BuildJob).catch((err: unknown) => parentPort?.postMessage({ error: String(err) } satisfies FromWorker));
}
