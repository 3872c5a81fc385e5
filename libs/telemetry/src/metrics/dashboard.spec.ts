import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Metrics } from './metrics';

/** The Grafana dashboard in docker/ queries only metrics the processes export (a rename breaks this test). */
describe('docker/grafana/responder-checkin.json', () => {
  const dashboard = JSON.parse(readFileSync(join(__dirname, '../../../../docker/grafana/responder-checkin.json'), 'utf8')) as {
    panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
  };

  it('shows every metric of ours (a metric renamed in the code and not here fails)', async () => {
    const metrics = new Metrics('test');
    const exported = new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));
    const ours = [...exported].filter((name) => !name.startsWith('process_') && !name.startsWith('nodejs_'));
    const queried = new Set<string>();
    for (const panel of dashboard.panels) {
      for (const { expr } of panel.targets) {
        for (const [word] of expr.matchAll(/[a-z][a-z_]+/g)) {
          const name = word.replace(/_(bucket|count|sum)$/, '');
          if (exported.has(name)) queried.add(name);
        }
      }
    }
    expect([...queried].sort()).toEqual(ours.sort());
  });
});
