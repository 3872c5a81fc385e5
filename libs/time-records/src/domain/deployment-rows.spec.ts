import { randomUUID } from 'node:crypto';
import { DeploymentRows } from './deployment-rows';
import type { StatusChange } from './time-entries';

const STATUSES: Array<StatusChange['status']> = ['assigned', 'available', 'out_of_service', 'demobilized'];
const REASONS = [null, 'rest', 'injury', 'équipement'];

/** A deployment as a plain object, the model the rows must give back. */
interface Model {
  id: string;
  responderId: string;
  checkedInAt: number;
  checkedOutAt: number | null;
  changes: Array<{ at: number; status: StatusChange['status']; reason: string | null }>;
  departureAt: string | null;
  etaHome: number | null;
}

describe('DeploymentRows', () => {
  it('gives back every deployment as replayed, through many growths, in any order of their changes and check-outs', () => {
    const rows = new DeploymentRows();
    const models: Model[] = [];
    let seed = 7;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed % n;
    };
    for (let row = 0; row < 5_000; row++) {
      const m: Model = {
        id: row % 10 === 0 ? `deployment-${row}` : randomUUID(),
        responderId: `responder-${next(700)}`,
        checkedInAt: 1_780_000_000_000 + row * 60_000,
        checkedOutAt: null,
        changes: [],
        departureAt: next(4) === 0 ? '2026-06-01T06:00' : null,
        etaHome: null,
      };
      models.push(m);
      rows.add(m.id, m.responderId, m.checkedInAt, m.departureAt);
    }
    // Changes and check-outs interleaved across deployments, 0 to 7 changes each (past the three kept in the row).
    for (let step = 0; step < 20_000; step++) {
      const row = next(models.length);
      const m = models[row];
      if (next(9) === 0) {
        m.checkedOutAt = m.checkedInAt + next(50_000_000);
        rows.checkOut(row, m.checkedOutAt);
      } else if (m.changes.length < 7) {
        const change = { at: m.checkedInAt + step, status: STATUSES[next(4)], reason: REASONS[next(4)] };
        m.changes.push(change);
        rows.addChange(row, change.at, change.status, change.reason);
      }
      if (next(50) === 0) {
        m.etaHome = m.checkedInAt + 86_400_000;
        rows.setEtaHome(row, m.etaHome);
      }
      if (next(80) === 0) {
        m.departureAt = '2026-06-02T07:30';
        rows.setDeparture(row, m.departureAt);
      }
    }
    expect(models.some((m) => m.changes.length > 3)).toBe(true);
    models.forEach((m, row) => {
      expect(rows.row(m.id)).toBe(row);
      expect(rows.idAt(row)).toBe(m.id);
      expect(rows.responderAt(row)).toBe(m.responderId);
      expect(rows.deploymentAt(row)).toEqual({
        responderId: m.responderId,
        checkedInAt: new Date(m.checkedInAt),
        checkedOutAt: m.checkedOutAt === null ? null : new Date(m.checkedOutAt),
        changes: m.changes.map((c) => ({ at: new Date(c.at), status: c.status, reason: c.reason })),
        departureAt: m.departureAt,
        etaHome: m.etaHome === null ? null : new Date(m.etaHome),
      });
    });
  });

  it('keeps a check-out whose time could not be read as checked out (an invalid date, not an open deployment)', () => {
    const rows = new DeploymentRows();
    rows.add('d1', 'r1', 0, null);
    rows.checkOut(0, Number.NaN);
    const { checkedOutAt } = rows.deploymentAt(0);
    expect(checkedOutAt).toBeInstanceOf(Date);
    expect(Number.isNaN(checkedOutAt?.getTime())).toBe(true);
  });

  it('keeps the first check-in of a deployment checked in twice', () => {
    const rows = new DeploymentRows();
    rows.add('d1', 'r1', 1_000, null);
    rows.add('d1', 'r2', 2_000, '2026-06-01T06:00');
    expect(rows.row('d1')).toBe(0);
    expect(rows.deploymentAt(0)).toMatchObject({ responderId: 'r1', checkedInAt: new Date(1_000), departureAt: null });
    expect(rows.row('d2')).toBeUndefined();
  });
});
