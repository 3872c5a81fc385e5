import { IdIndex, type IdBytes } from './id-index';
import type { StatusChange } from './time-entries';

/** A deployment as the recomputation reads it back from its row. */
export interface ReplayedDeployment {
  responderId: string;
  checkedInAt: Date;
  checkedOutAt: Date | null;
  changes: StatusChange[];
  departureAt: string | null;
  etaHome: Date | null;
}

/** A status change's status and reason, kept once per different pair. */
interface ChangeKind {
  status: StatusChange['status'];
  reason: string | null;
}

// One row of 64 bytes (a cache line) per deployment: 8 float64 slots, the same bytes as 16 int32 slots.
const ROW_F64 = 8;
const ROW_I32 = 16;
const CHECKED_IN = 0;
const CHECKED_OUT = 1;
/** The float64 slots of the first INLINE_CHANGES changes' times. */
const CHANGE_AT = 2;
const INLINE_CHANGES = 3;
/** Int32 slots after the five float64 ones (int32 slots 0 to 9). */
const RESPONDER = 10;
const CHANGE_COUNT = 11;
/** The int32 slots of the first INLINE_CHANGES changes' kinds. */
const CHANGE_KIND = 12;
const IS_CHECKED_OUT = 15;

/**
 * The replayed deployments: a full-size incident has millions of deployments and several status changes each, which
 * as objects with dates would take several times the memory, and whose fields kept in separate columns would each
 * cost a cache miss. So each deployment is one row of 64 bytes holding its check-in and check-out, its responder and
 * its first three status changes (a day's deployment has about that many); a deployment's further changes are kept
 * beside, as travel is for the deployments that have it (the departure as recorded, read in the incident's zone when
 * the time is computed, and the ETA home). Responder ids and the changes' status and reason are kept once each.
 */
export class DeploymentRows {
  private readonly index = new IdIndex();
  private readonly ids: string[] = [];
  private f64 = new Float64Array(1024 * ROW_F64);
  private i32 = new Int32Array(this.f64.buffer);
  private readonly responders: string[] = [];
  private readonly responderIndex = new Map<string, number>();
  private readonly kinds: ChangeKind[] = [];
  private readonly kindIndex = new Map<string, Map<string | null, number>>();
  /** Changes after a row's first INLINE_CHANGES, in order. */
  private readonly moreChanges = new Map<number, Array<{ at: number; kind: number }>>();
  private readonly departure = new Map<number, string>();
  private readonly etaHome = new Map<number, number>();

  /** A deployment's row, found once where its id is read; the deployment is then read by row. */
  row(id: string | IdBytes): number | undefined {
    return typeof id === 'string' ? this.index.get(id) : this.index.getBytes(id);
  }

  idAt(row: number): string {
    return this.ids[row];
  }

  /** Adds a deployment checked in, unless it is here already. */
  add(id: string, responderId: string, checkedInAt: number, departureAt: string | null): void {
    const row = this.ids.length;
    if (!this.index.add(id, row)) return;
    if ((row + 1) * ROW_F64 > this.f64.length) {
      const grown = new Float64Array(this.f64.length * 2);
      grown.set(this.f64);
      this.f64 = grown;
      this.i32 = new Int32Array(grown.buffer);
    }
    this.ids.push(id);
    const f = row * ROW_F64;
    const i = row * ROW_I32;
    this.f64[f + CHECKED_IN] = checkedInAt;
    this.i32[i + RESPONDER] = this.responderNumber(responderId);
    this.i32[i + CHANGE_COUNT] = 0;
    this.i32[i + IS_CHECKED_OUT] = 0;
    if (departureAt !== null) this.departure.set(row, departureAt);
  }

  /** A correction of the departure (ICS 211). */
  setDeparture(row: number, departureAt: string): void {
    this.departure.set(row, departureAt);
  }

  /** The ETA home recorded at demobilization (ICS 221). */
  setEtaHome(row: number, at: number): void {
    this.etaHome.set(row, at);
  }

  addChange(row: number, at: number, status: StatusChange['status'], reason: string | null): void {
    const kind = this.kindNumber(status, reason);
    const i = row * ROW_I32;
    const n = this.i32[i + CHANGE_COUNT]++;
    if (n < INLINE_CHANGES) {
      this.f64[row * ROW_F64 + CHANGE_AT + n] = at;
      this.i32[i + CHANGE_KIND + n] = kind;
      return;
    }
    const more = this.moreChanges.get(row);
    if (more) more.push({ at, kind });
    else this.moreChanges.set(row, [{ at, kind }]);
  }

  checkOut(row: number, at: number): void {
    this.f64[row * ROW_F64 + CHECKED_OUT] = at;
    this.i32[row * ROW_I32 + IS_CHECKED_OUT] = 1;
  }

  responderAt(row: number): string {
    return this.responders[this.i32[row * ROW_I32 + RESPONDER]];
  }

  /** A deployment as replayed so far. */
  deploymentAt(row: number): ReplayedDeployment {
    const f = row * ROW_F64;
    const i = row * ROW_I32;
    const count = this.i32[i + CHANGE_COUNT];
    const changes: StatusChange[] = [];
    for (let n = 0; n < count && n < INLINE_CHANGES; n++) changes.push(this.change(this.f64[f + CHANGE_AT + n], this.i32[i + CHANGE_KIND + n]));
    if (count > INLINE_CHANGES) for (const c of this.moreChanges.get(row) ?? []) changes.push(this.change(c.at, c.kind));
    const eta = this.etaHome.get(row);
    return {
      responderId: this.responders[this.i32[i + RESPONDER]],
      checkedInAt: new Date(this.f64[f + CHECKED_IN]),
      checkedOutAt: this.i32[i + IS_CHECKED_OUT] === 1 ? new Date(this.f64[f + CHECKED_OUT]) : null,
      changes,
      departureAt: this.departure.get(row) ?? null,
      etaHome: eta === undefined ? null : new Date(eta),
    };
  }

  private change(at: number, kind: number): StatusChange {
    const { status, reason } = this.kinds[kind];
    return { at: new Date(at), status, reason };
  }

  private responderNumber(responderId: string): number {
    let n = this.responderIndex.get(responderId);
    if (n === undefined) {
      n = this.responders.length;
      this.responders.push(responderId);
      this.responderIndex.set(responderId, n);
    }
    return n;
  }

  private kindNumber(status: StatusChange['status'], reason: string | null): number {
    let byReason = this.kindIndex.get(status);
    if (!byReason) this.kindIndex.set(status, (byReason = new Map()));
    let n = byReason.get(reason);
    if (n === undefined) {
      n = this.kinds.length;
      this.kinds.push({ status, reason });
      byReason.set(reason, n);
    }
    return n;
  }
}
