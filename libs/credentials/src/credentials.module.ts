import { Module } from '@nestjs/common';
import { Clock, RedisConnection } from '@app/common';
import { AppConfig } from '@app/config';
import { BoundedFetcher } from './fetch/bounded-fetcher';
import { CredentialVerifier } from './engine/credential-verifier';
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
  deps: { trust: TrustSource; statusStore?: StatusListStore; fetcher?: BoundedFetcher; clock?: { now(): Date } },
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
  });
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
      useFactory: (config: AppConfig, fetcher: BoundedFetcher, trust: TrustSource, statusStore: StatusListStore, clock: Clock) =>
        verifierFromConfig(config, { trust, statusStore, fetcher, clock }),
      inject: [AppConfig, BoundedFetcher, TrustSource, StatusListStore, Clock],
    },
  ],
  exports: [CredentialVerifier, BoundedFetcher, StatusListStore],
})
export class CredentialsModule {}
