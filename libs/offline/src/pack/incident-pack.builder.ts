import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ServerKeysService } from '@app/auth';
import { Clock } from '@app/common';
import { AppConfig } from '@app/config';
import { CredentialVerifier, jurisdictionCovers, TrustSource, type DecodedStatusList, type KeyDiscovery } from '@app/credentials';
import { DeployedCredentialsRepository, DeploymentReader, IncidentsService } from '@app/incidents';
import { TrustRegistryService } from '@app/trust';
import { PACK_FORMAT, PACK_TYP, type IncidentPack, type PackIssuerKeys, type PackStatusList, type SignedIncidentPack } from './incident-pack';

/** A pack whose content did not change is served again (same bytes, same ETag) for this long, then re-signed with fresh fetch times. */
export const PACK_REUSE_MS = 10 * 60_000;

export interface BuiltPack {
  etag: string;
  contentKey: string;
  /** The pack key that signed it. */
  kid: string;
  signed: SignedIncidentPack;
  packedAt: Date;
}

/**
 * Builds and signs an incident's pack. The last signed pack per incident is served again (same bytes, same ETag, so a
 * station asking with If-None-Match gets 304) while its content is the same and it is younger than PACK_REUSE_MS.
 */
@Injectable()
export class IncidentPackBuilder {
  private readonly logger = new Logger(IncidentPackBuilder.name);
  private readonly last = new Map<string, BuiltPack>();

  constructor(
    private readonly incidents: IncidentsService,
    private readonly deployments: DeploymentReader,
    private readonly deployed: DeployedCredentialsRepository,
    private readonly registry: TrustRegistryService,
    private readonly trust: TrustSource,
    private readonly verifier: CredentialVerifier,
    private readonly keys: ServerKeysService,
    private readonly clock: Clock,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async build(incidentId: string): Promise<BuiltPack> {
    const content = await this.content(incidentId);
    // Fetch times move at every refresh of a list or key set; they alone do not make a new pack before PACK_REUSE_MS.
    const key = createHash('sha256')
      .update(JSON.stringify(content, (k, v: unknown) => (k === 'fetchedAt' ? undefined : v)))
      .digest('base64url');
    const now = this.clock.now();
    const previous = this.last.get(incidentId);
    // Not after a rotation: a pack signed by a key that no longer signs must not outlive that key's window.
    const signingKid = (await this.keys.signingKey('incident_pack')).kid;
    if (previous?.contentKey === key && previous.kid === signingKid && now.getTime() - previous.packedAt.getTime() < PACK_REUSE_MS) return previous;
    const pack: IncidentPack = { format: PACK_FORMAT, packedAt: now.toISOString(), ...content };
    const payload = JSON.stringify(pack);
    const { protected: header, signature, kid } = await this.keys.signPack(payload, PACK_TYP);
    const etag = `"${createHash('sha256').update(payload).digest('base64url').slice(0, 32)}"`;
    const built = { etag, packedAt: now, contentKey: key, kid, signed: { payload, protected: header, signature } };
    if (this.last.size >= 256 && !this.last.has(incidentId)) this.last.delete(this.last.keys().next().value as string);
    this.last.set(incidentId, built);
    return built;
  }

  private async content(incidentId: string): Promise<Omit<IncidentPack, 'format' | 'packedAt'>> {
    const incident = await this.incidents.getWithSetup(incidentId);
    const regions = [incident.jurisdiction, ...incident.mutualAidJurisdictions];
    const [registered, rules, roster, listUrls] = await Promise.all([
      this.registry.listIssuers({}),
      this.trust.qualificationRules(),
      this.deployments.list(incidentId, { activeOnly: true }),
      this.deployed.statusListsInUse(),
    ]);
    // The trust slice: issuers in force whose jurisdictions cover the incident's or a mutual-aid state's.
    const issuers = registered
      .filter((i) => i.active && i.jurisdictions.some((j) => regions.some((r) => jurisdictionCovers(j, r))))
      .sort((a, b) => a.id.localeCompare(b.id));
    const issuerIds = new Set(issuers.map((i) => i.id));
    const [keys, lists] = await Promise.all([
      Promise.all(issuers.map((i) => this.issuerKeys(i.id))),
      Promise.all([...listUrls].sort().map((u) => this.statusList(u))),
    ]);
    return {
      incident: {
        id: incident.id,
        name: incident.name,
        number: incident.number,
        state: incident.state,
        jurisdiction: incident.jurisdiction,
        mutualAidJurisdictions: incident.mutualAidJurisdictions,
        timeZone: incident.timeZone,
        locations: incident.locations.map((l) => ({ id: l.id, name: l.name, kind: l.kind })),
        positions: incident.positions.map((p) => ({ id: p.id, name: p.name, requiredQualifications: p.requiredQualifications })),
      },
      policy: {
        statusUnavailable: incident.statusUnavailablePolicy,
        offlineStatusMaxAgeSeconds: incident.offlineStatusMaxAgeHours * 3600,
        clockSkewSeconds: this.config.verification.clockSkewSeconds,
      },
      trust: {
        issuers: issuers.map((i) => ({
          id: i.id,
          name: i.name,
          jurisdictions: i.jurisdictions,
          qualifications: i.qualifications,
          algorithms: i.algorithms,
          ...(i.validFrom ? { validFrom: i.validFrom } : {}),
          ...(i.validUntil ? { validUntil: i.validUntil } : {}),
        })),
        qualificationRules: rules.map((r) => ({ ...r })),
      },
      keys: keys.flat(),
      statusLists: lists.filter((l): l is PackStatusList => l !== undefined && issuerIds.has(l.issuer)),
      roster: roster.map((d) => ({
        deploymentId: d.id,
        responderId: d.responder.id,
        name: d.responder.name,
        qualifications: d.credential.qualification ? [d.credential.qualification] : [],
        checkedInAt: d.checkedInAt,
      })),
    };
  }

  /**
   * The issuer's keys as resolved now (DID document, JWKS or profile; bounded fetches), and for an https issuer also
   * those of its JWT VC Issuer Metadata, which its SD-JWT VCs are verified with. Keys that cannot be read are left
   * out (the station then refuses that issuer's badges with `key_not_found`); an https issuer without the metadata
   * simply issues no SD-JWT VC.
   */
  private async issuerKeys(issuer: string): Promise<PackIssuerKeys[]> {
    const read = async (discovery: KeyDiscovery): Promise<PackIssuerKeys> => {
      const set = await this.verifier.keys.keySet(issuer, { discovery });
      return {
        issuer,
        method: set.method,
        fetchedAt: new Date(set.fetchedAt).toISOString(),
        keys: set.keys.map((k) => ({ id: k.id, jwk: { ...k.jwk } as Record<string, string>, algorithms: k.algorithms })),
      };
    };
    const [own, ...metadata] = await Promise.allSettled([read('issuer'), ...(issuer.startsWith('did:') ? [] : [read('jwt-vc-issuer')])]);
    if (own.status === 'rejected') this.logger.warn({ issuer, err: (own.reason as Error).message }, 'issuer keys left out of an incident pack');
    return [own, ...metadata].flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  /** A status list as verified now (or the last copy, with its own fetch time, when it cannot be fetched), bits gzip-compressed. */
  private async statusList(url: string): Promise<PackStatusList | undefined> {
    let list: DecodedStatusList | undefined;
    try {
      list = await this.verifier.statusLists.get(url);
    } catch {
      list = await this.verifier.statusLists.peek(url).catch(() => undefined);
    }
    if (!list) return undefined;
    return {
      url: list.url,
      issuer: list.issuer,
      purposes: list.purposes,
      bitLength: list.bitLength,
      ...(list.tokenBits ? { tokenBits: list.tokenBits } : {}),
      gzip: gzipSync(list.bits, { level: 9 }).toString('base64url'),
      fetchedAt: new Date(list.fetchedAt).toISOString(),
      ...(list.validUntil ? { validUntil: new Date(list.validUntil).toISOString() } : {}),
    };
  }
}
