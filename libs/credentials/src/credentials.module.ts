import { Module } from '@nestjs/common';
import { Clock, RedisConnection } from '@app/common';
import { AppConfig } from '@app/config';
import { Metrics } from '@app/telemetry';
import { BoundedFetcher } from './fetch/bounded-fetcher';
import { CredentialVerifier, type VerificationObserver } from './engine/credential-verifier';
import { RedisStatusListStore } from './status/redis-status-list-store';
import { StatusListStore } from './status/status-list-store';
import { TrustSource } from './trust/trust-source';

/** Builds the project's bounded HTTP client from the configuration (others inject BoundedFetcher and reuse it). */
export function fetcherFromConfig(config: AppConfig): BoundedFetcher {
  return new BoundedFetcher({
    insecureHosts: config.fetch.insecureHosts,
    allowPrivateNetwork: config.fetch.allowPrivateNetwork,
    timeoutMs: config.fetch.timeoutMs,
    maxBytes: config.fetch.maxBytes,
    cacheTtlMs: config.fetch.cacheTtlSeconds * 1000,
  });
}

/** The engine wired to the configuration; `trust` and `statusStore` decide where trust and status lists come from. */
export function verifierFromConfig(
  config: AppConfig,
  deps: { trust: TrustSource; statusStore?: StatusListStore; fetcher?: BoundedFetcher; clock?: { now(): Date }; observer?: VerificationObserver },
): CredentialVerifier {
  return new CredentialVerifier({
    fetcher: deps.fetcher ?? fetcherFromConfig(config),
    trust: deps.trust,
    statusStore: deps.statusStore,
    clock: deps.clock,
    clockSkewSeconds: config.verification.clockSkewSeconds,
    statusListMinBits: config.verification.statusListMinBits,
    cacheTtlMs: config.fetch.cacheTtlSeconds * 1000,
    insecureHosts: config.fetch.insecureHosts,
    jsonLdContextsDir: config.verification.jsonLdContextsDir,
    observer: deps.observer,
  });
}

/** Verifications and status-list reads as metrics. */
function countedIn(metrics: Metrics): VerificationObserver {
  return {
    verified: (result, mode, seconds) =>
      metrics.verificationSeconds.observe({ format: result.credential?.format ?? 'unrecognised', mode, verified: String(result.verified) }, seconds),
    statusListRead: (served) => metrics.statusListReads.inc({ served }),
  };
}

/**
 * Provides CredentialVerifier (inject it by class), BoundedFetcher and the Redis-backed StatusListStore, so every
 * process shares fetched status lists. Needs a TrustSource provider in scope: import TrustModule (@app/trust, global)
 * next to it.
 */
@Module({
  providers: [
    { provide: BoundedFetcher, useFactory: fetcherFromConfig, inject: [AppConfig] },
    { provide: StatusListStore, useFactory: (redis: RedisConnection) => new RedisStatusListStore(redis), inject: [RedisConnection] },
    {
      provide: CredentialVerifier,
      useFactory: (config: AppConfig, fetcher: BoundedFetcher, trust: TrustSource, statusStore: StatusListStore, clock: Clock, metrics?: Metrics) =>
        verifierFromConfig(config, { trust, statusStore, fetcher, clock, observer: metrics && countedIn(metrics) }),
      // Processes without metrics (the demo issuer, some tests) verify all the same.
      inject: [AppConfig, BoundedFetcher, TrustSource, StatusListStore, Clock, { token: Metrics, optional: true }],
    },
  ],
  exports: [CredentialVerifier, BoundedFetcher, StatusListStore],
})
export class CredentialsModule {}
