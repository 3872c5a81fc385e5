import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { AuditActor } from '@app/audit';
import { Clock } from '@app/common';
import { AppConfig } from '@app/config';
import { CredentialVerifier, TrustSource } from '@app/credentials';
import { JobRunDispatcher, JobRunRepository, type JobRun } from '@app/jobs';
import { LiveBroadcaster } from '@app/realtime';
import { verdictOf, type EngineVerdict } from '../evaluation/engine-verdict';
import { gravest, isPracticeFlag, replacesFlag, REVERSIBLE_FLAGS, type Problem } from '../evaluation/flag-codes';
import { RunFacts } from '../evaluation/run-facts';
import { screen, triage, type ActiveCredential, type Screening } from '../evaluation/screening';
import { ActiveCredentialsReader, FIRST_ID, scopeOf, shardRanges, type RunScope } from './active-credentials.reader';
import { ReverificationEffects, type ChangeEvidence } from './reverification-effects';
import { SweepFollowUp } from './sweep-follow-up';

/** What a run did; kept in job_run.result (also while it runs, so a resumed run continues the counts). */
export interface RunTally {
  checked: number;
  unchanged: number;
  /** Could not be checked completely (status list, keys or registry unreachable): nothing changed for them. */
  unavailable: number;
  /** Suspected changes re-checked with the verification engine. */
  rechecked: number;
  /** Of those, how many needed the signature re-computed (the issuer's keys changed). */
  signaturesRechecked: number;
  flagged: number;
  cleared: number;
  expiryWarnings: number;
  byFlag: Record<string, number>;
  statusLists: number;
}

export const EMPTY_TALLY: RunTally = {
  checked: 0,
  unchanged: 0,
  unavailable: 0,
  rechecked: 0,
  signaturesRechecked: 0,
  flagged: 0,
  cleared: 0,
  expiryWarnings: 0,
  byFlag: {},
  statusLists: 0,
};

export type RunOutcome = 'completed' | 'interrupted' | 'already_finished' | 'failed';

/**
 * Carries out one reverification run (a sweep of every active deployment, one incident's, or those on one status
 * list), block by block in deployment id order:
 *  1. read a block of active deployments with their credentials' stored facts;
 *  2. screen each against this run's facts (status bits from the shared decoded lists, validity end, registry entry,
 *     the issuer's current key thumbprints): a tight loop, no I/O;
 *  3. re-check only the suspected changes with the engine's revalidate() (the signature is re-computed only when the
 *     issuer no longer publishes the key that verified it), then flag / clear / warn, each in its own transaction;
 *  4. stamp the block's deployments as checked, then save the checkpoint (progress, resume point, counts).
 * A run killed anywhere resumes from its last checkpoint; repeating a block changes nothing (see ReverificationEffects).
 *
 * A large sweep is split: it opens shards (runs of kind `sweep_shard`, one deployment id range each) that every worker
 * takes from the queue and carries out as above, waits until all have completed, and adds up their counts.
 */
@Injectable()
export class Reverifier {
  private readonly logger = new Logger(Reverifier.name);

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly runs: JobRunRepository,
    private readonly reader: ActiveCredentialsReader,
    private readonly effects: ReverificationEffects,
    private readonly verifier: CredentialVerifier,
    private readonly trust: TrustSource,
    private readonly live: LiveBroadcaster,
    private readonly clock: Clock,
    private readonly dispatcher: JobRunDispatcher,
    @Optional() private readonly followUp?: SweepFollowUp,
  ) {}

  async process(runId: string, opts: { stopping?: () => boolean; jobName?: string } = {}): Promise<RunOutcome> {
    const run = await this.runs.start(runId);
    if (!run) return 'already_finished';
    if (run.kind === 'sweep' && Array.isArray(run.checkpoint?.shards)) return this.runInShards(run, opts);
    const scope = scopeOf(run);
    const actor: AuditActor = { kind: 'system', process: 'worker', job: `${opts.jobName ?? 'reverify.run'} ${run.id}` };
    const now = this.clock.now();
    const facts = new RunFacts(
      this.verifier,
      this.trust,
      now.getTime(),
      this.config.verification.clockSkewSeconds * 1000,
      this.config.reverification.expiryWarningHours * 3600_000,
    );
    const tally: RunTally = {
      ...EMPTY_TALLY,
      ...(run.result as Partial<RunTally> | null),
      byFlag: { ...((run.result?.byFlag as Record<string, number>) ?? {}) },
    };
    let after = typeof run.checkpoint?.after === 'string' ? run.checkpoint.after : FIRST_ID;
    let done = run.progress.done;
    let total = run.progress.total;
    if (after === FIRST_ID) {
      total = await this.reader.count(scope);
      const { sweepShards, shardMinDeployments } = this.config.reverification;
      if (run.kind === 'sweep' && sweepShards > 1 && total >= shardMinDeployments) return this.runInShards(run, opts);
      await this.runs.checkpoint(run.id, { done, total }, { after }, { ...tally });
    }
    this.progress(run, done, total, 'running');

    // A pipeline: block N+1 is read while block N is screened, and block N's few changes are applied (a few at a
    // time, across blocks) while the next blocks are screened. Checkpoints are still written in block order, each
    // only once its block's changes are committed, so a resumed run never skips a change.
    const batch = this.config.reverification.batchSize;
    const limiter = new Limiter(CHANGE_CONCURRENCY);
    const inFlight: Array<Promise<void>> = [];
    let committed: Promise<void> = Promise.resolve();
    let failed = false;
    let next = this.prefetch(scope, after, batch);
    for (;;) {
      const block = await next;
      if (block.length === 0 || failed) break;
      next = this.prefetch(scope, block[block.length - 1].deploymentId, batch);
      await facts.prepare(block);
      const delta: RunTally = { ...EMPTY_TALLY, byFlag: {} };
      const checked: string[] = [];
      const changes = limiter.all(this.screenBlock(block, facts, delta, checked, run, actor, now));
      // Stamping a block may run alongside other blocks' (stamping again after a crash is harmless); only the
      // checkpoints are ordered, each after its block's changes and stamp.
      const stamped = changes.then(() => this.effects.markChecked(checked, now));
      stamped.catch(() => undefined);
      after = block[block.length - 1].deploymentId;
      done += block.length;
      total = Math.max(total, done);
      const mark = { after, done, total };
      committed = committed.then(async () => {
        await stamped;
        addTally(tally, delta);
        tally.statusLists = Math.max(tally.statusLists, facts.listCount);
        await this.runs.checkpoint(run.id, { done: mark.done, total: mark.total }, { after: mark.after }, { ...tally });
        this.progress(run, mark.done, mark.total, 'running');
      });
      committed.catch(() => {
        failed = true;
      });
      inFlight.push(committed);
      // Bounded: at most a few blocks ahead of the last checkpoint.
      if (inFlight.length > BLOCKS_IN_FLIGHT) await inFlight.shift()?.catch(() => undefined);
      if (opts.stopping?.()) {
        await committed;
        return 'interrupted';
      }
    }
    await committed;
    // Before the run is complete, so a run that dies here is resumed and the follow-up (idempotent) runs again. A
    // shard leaves it to its sweep, which runs it once over every incident.
    if (this.followUp && run.kind !== 'sweep_shard') await this.followUp.afterRun(run.incidentId, now);

    await this.runs.complete(run.id, { ...tally }, { done, total: done });
    this.progress(run, done, done, 'completed');
    if (tally.flagged || tally.cleared || tally.expiryWarnings) {
      this.logger.log(
        `run ${run.id} (${describe(scope)}): ${tally.checked} checked, ${tally.flagged} flagged, ${tally.cleared} cleared, ${tally.expiryWarnings} expiry warnings`,
      );
    }
    return 'completed';
  }

  /**
   * A sweep split across workers: opens its shards (once: a resumed or re-delivered sweep finds them in its checkpoint),
   * queues them, and waits, holding its job (so stalled-job recovery applies to it as to any run), until every shard
   * has completed; then it adds up their counts, runs the follow-up and completes. A shard that failed for good fails
   * the sweep.
   */
  private async runInShards(run: JobRun, opts: { stopping?: () => boolean }): Promise<RunOutcome> {
    const now = this.clock.now();
    const shards = await this.runs.openShards(run.id, shardRanges(this.config.reverification.sweepShards), run.requestedBy);
    // Queueing twice is harmless (the job id is the run's); shards Redis lost are queued again by the dispatcher's loop.
    for (const shard of shards) if (shard.state === 'queued' && !shard.enqueuedAt) await this.dispatcher.dispatch(shard);
    const checkpoint = { shards: shards.map((s) => s.id) };
    for (;;) {
      const children = await this.runs.children(run.id);
      const failed = children.find((c) => c.state === 'failed');
      if (failed) {
        await this.runs.fail(run.id, `shard ${String(failed.scope.shard)} failed: ${failed.error ?? 'unknown error'}`);
        return 'failed';
      }
      const tally: RunTally = { ...EMPTY_TALLY, byFlag: {} };
      let done = 0;
      let total = 0;
      for (const child of children) {
        addTally(tally, {
          ...EMPTY_TALLY,
          ...(child.result as Partial<RunTally> | null),
          byFlag: { ...((child.result?.byFlag as Record<string, number>) ?? {}) },
        });
        tally.statusLists = Math.max(tally.statusLists, Number(child.result?.statusLists ?? 0));
        done += child.progress.done;
        total += child.progress.total;
      }
      if (children.every((c) => c.state === 'completed')) {
        if (this.followUp) await this.followUp.afterRun(null, now);
        await this.runs.complete(run.id, { ...tally, shards: children.length }, { done, total: done });
        if (tally.flagged || tally.cleared || tally.expiryWarnings) {
          this.logger.log(
            `run ${run.id} (sweep, ${children.length} shards): ${tally.checked} checked, ${tally.flagged} flagged, ${tally.cleared} cleared, ${tally.expiryWarnings} expiry warnings`,
          );
        }
        return 'completed';
      }
      await this.runs.checkpoint(run.id, { done, total: Math.max(total, done) }, checkpoint, { ...tally });
      for (let waited = 0; waited < SHARD_POLL_MS; waited += 50) {
        if (opts.stopping?.()) return 'interrupted';
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  /** Tells the incident's board how a run for it is going (ephemeral; dropped while Redis is down). */
  progress(run: Pick<JobRun, 'id' | 'incidentId'>, done: number, total: number, state: 'queued' | 'running' | 'completed' | 'failed'): void {
    if (run.incidentId) this.live.ephemeral(run.incidentId, 'reverify.progress', { jobId: run.id, done, total, state });
  }

  /** A block read that is allowed to be abandoned (a run stopping early must not leave an unhandled rejection). */
  private prefetch(scope: RunScope, after: string, limit: number): Promise<ActiveCredential[]> {
    const read = this.reader.block(scope, after, limit);
    read.catch(() => undefined);
    return read;
  }

  /**
   * Screens a block (synchronously: the facts are resolved) and returns the work its few suspected changes and
   * expiry warnings need. `checked` receives the deployments checked completely (as their work finishes).
   */
  private screenBlock(
    block: ActiveCredential[],
    facts: RunFacts,
    tally: RunTally,
    checked: string[],
    run: JobRun,
    actor: AuditActor,
    now: Date,
  ): Array<() => Promise<void>> {
    const work: Array<() => Promise<void>> = [];
    const warnIfExpiring = async (c: ActiveCredential, screening: Screening): Promise<void> => {
      if (screening.expiresSoon && !c.expiryWarned && !c.currentFlag && screening.problems.length === 0) {
        if (await this.effects.warnExpiring(c, run.id, actor, now)) tally.expiryWarnings++;
      }
    };
    for (const c of block) {
      tally.checked++;
      const screening = screen(c, facts);
      const outcome = triage(c, screening);
      if (outcome === 'unavailable') {
        tally.unavailable++;
      } else if (outcome === 'confirm') {
        work.push(async () => {
          if (!(await this.confirm(c, screening, tally, run, actor, now))) {
            tally.unavailable++;
            return;
          }
          await warnIfExpiring(c, screening);
          checked.push(c.deploymentId);
        });
      } else {
        tally.unchanged++;
        checked.push(c.deploymentId);
        if (screening.expiresSoon && !c.expiryWarned) work.push(() => warnIfExpiring(c, screening));
      }
    }
    return work;
  }

  /** Re-checks a suspected change with the engine and applies what it confirms. False when it could not be decided. */
  private async confirm(c: ActiveCredential, screening: Screening, tally: RunTally, run: JobRun, actor: AuditActor, now: Date): Promise<boolean> {
    const jws = await this.reader.jws(c.credentialId);
    if (!jws) return false;
    tally.rechecked++;
    if (screening.keyChanged) tally.signaturesRechecked++;
    const result = await this.verifier.revalidate(jws, {
      jurisdiction: c.jurisdiction,
      mutualAidJurisdictions: c.mutualAidJurisdictions,
      knownKeyThumbprint: screening.keyChanged ? undefined : (c.keyThumbprint ?? undefined),
      now,
    });
    // The engine re-checks the credential; whether the basis to practise still holds is the rules' answer.
    const verdict = withPracticeProblems(
      verdictOf(result),
      screening.problems.filter((p) => isPracticeFlag(p.code)),
    );
    const evidence: ChangeEvidence = {
      runId: run.id,
      basis: 'engine',
      checks: result.checks.map((k) => ({ id: k.id, status: k.status, code: k.code })),
      status: result.evidence.status,
      signatureRechecked: screening.keyChanged,
    };
    const current = c.currentFlag?.code;

    if (verdict.kind === 'problem') {
      if (!replacesFlag(current, verdict.problem.code)) {
        tally.unchanged++;
        return true;
      }
      if (await this.effects.flag(c, verdict.problem, result, evidence, actor, now)) this.countFlag(tally, verdict.problem.code);
      else tally.unchanged++;
      return true;
    }
    if (verdict.kind === 'clean') {
      if (current && REVERSIBLE_FLAGS.has(current)) {
        const message =
          current === 'suspended'
            ? 'The issuer lifted the suspension.'
            : isPracticeFlag(current)
              ? 'The basis to practise here is in force again.'
              : 'The issuer is trusted for this credential again.';
        if (await this.effects.clear(c, current, message, result, evidence, actor, now)) tally.cleared++;
        else tally.unchanged++;
      } else {
        if (screening.keyChanged) await this.effects.recordRecheck(c, result, now);
        tally.unchanged++;
      }
      return true;
    }
    // The engine could not decide. If only the signature could not be re-checked (the issuer's keys are unreachable),
    // the status list (verified when fetched) and the registry still speak: act on what they show.
    const worst = gravest(screening.problems);
    const keysOnly = screening.unavailable.length === 1 && screening.unavailable[0] === "issuer's keys";
    if (worst && (screening.unavailable.length === 0 || keysOnly) && !screening.keyChanged && replacesFlag(current, worst.code)) {
      const fallback: ChangeEvidence = { ...evidence, basis: 'screening', note: verdict.reasons.join(' ') };
      if (await this.effects.flag(c, worst, null, fallback, actor, now)) this.countFlag(tally, worst.code);
      else tally.unchanged++;
      return true;
    }
    return false;
  }

  private countFlag(tally: RunTally, code: string): void {
    tally.flagged++;
    tally.byFlag[code] = (tally.byFlag[code] ?? 0) + 1;
  }
}

/** Changes are applied a few at a time: each is its own short transaction, and different incidents do not contend. */
const CHANGE_CONCURRENCY = 4;
/** How often a split sweep looks at its shards. */
const SHARD_POLL_MS = 250;
/** Blocks screened ahead of the last checkpoint (bounds memory and the work a crash makes a run repeat). */
const BLOCKS_IN_FLIGHT = 3;

/** At most `size` tasks at once, across every batch handed to it. */
class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  /** Runs every task (a failure does not stop the others half-way); rejects with the first failure once all are done. */
  async all(tasks: Array<() => Promise<void>>): Promise<void> {
    const failures: unknown[] = [];
    await Promise.all(tasks.map((task) => this.run(task).catch((err: unknown) => failures.push(err))));
    if (failures.length > 0) throw failures[0];
  }

  private async run(task: () => Promise<void>): Promise<void> {
    // A finishing task hands its slot straight to the next waiting one.
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

function addTally(into: RunTally, delta: RunTally): void {
  for (const key of ['checked', 'unchanged', 'unavailable', 'rechecked', 'signaturesRechecked', 'flagged', 'cleared', 'expiryWarnings'] as const)
    into[key] += delta[key];
  for (const [code, n] of Object.entries(delta.byFlag)) into.byFlag[code] = (into.byFlag[code] ?? 0) + n;
}

function describe(scope: RunScope): string {
  if (scope.kind === 'incident') return `incident ${scope.incidentId}`;
  if (scope.kind === 'status_list') return `status list ${scope.listUrl}`;
  if (scope.kind === 'sweep_shard') return `sweep shard ${scope.after}..${scope.upTo}`;
  return 'sweep';
}

/** The engine's verdict with the practice-authority problems screening found (those are decided from the rules alone). */
function withPracticeProblems(verdict: EngineVerdict, practice: Problem[]): EngineVerdict {
  if (practice.length === 0 || verdict.kind === 'unavailable') return verdict;
  const problems = verdict.kind === 'problem' ? [...verdict.problems, ...practice] : practice;
  return { kind: 'problem', problem: gravest(problems)!, problems };
}
