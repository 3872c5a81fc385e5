import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The live relay asks "what is the oldest unpublished event of this incident?" on every claim, to publish each
 * incident's events in sequence order even when several relays run. This partial index answers it from the
 * unpublished rows only, however long an incident's published history grows.
 */
export class LiveRelay1764300400000 implements MigrationInterface {
  name = 'LiveRelay1764300400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX outbox_event_unpublished_by_incident ON outbox_event (incident_id, seq) WHERE published_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX outbox_event_unpublished_by_incident`);
  }
}
