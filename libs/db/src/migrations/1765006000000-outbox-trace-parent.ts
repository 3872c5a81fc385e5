import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The W3C trace context of the request that wrote a board event, when tracing is on: the relay publishes the event
 * in a span of that trace, so one check-in is one trace from the HTTP request to the board.
 */
export class OutboxTraceParent1765006000000 implements MigrationInterface {
  name = 'OutboxTraceParent1765006000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox_event ADD COLUMN trace_parent text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox_event DROP COLUMN trace_parent`);
  }
}
