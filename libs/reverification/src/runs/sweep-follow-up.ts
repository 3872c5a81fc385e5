/**
 * Work another library does at the end of every reverification run, over the same deployments (work and rest limits,
 * in @app/accountability). `incidentId` null: every incident. Returns how many warnings it raised.
 */
export abstract class SweepFollowUp {
  abstract afterRun(incidentId: string | null, now: Date): Promise<number>;
}
