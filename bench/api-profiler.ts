/**
 * Preloaded into each api process by bench:checkin when BENCH_API_PROFILE names a folder: samples the CPU from start
 * and writes `api-<pid>.cpuprofile` there on SIGTERM (open it in Chrome DevTools or VS Code). Node's own --cpu-prof
 * writes nothing here: Nest's shutdown hook ends the process by re-raising the signal, not by exiting.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { Session, type Profiler } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.BENCH_API_PROFILE;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  process.once('SIGTERM', () => {
    session.post('Profiler.stop', (err, result: Profiler.StopReturnType) => {
      if (err) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `api-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
