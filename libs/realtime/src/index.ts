/**
 * @app/realtime: the live board's typed event map and wire protocol, the transactional outbox, the relay that
 * publishes committed events, the Redis fan-out between processes, and the `/live` socket.io gateway (rooms per
 * incident, snapshot, resync). Imports @app/auth, @app/common, @app/config only; it knows nothing of incident
 * tables: @app/incidents implements LiveSnapshotSource (and IncidentAccess from @app/auth).
 * The browser client (src/client/live-client.ts) is a separate entry, not exported here.
 */
export * from './live-events';
export * from './live-protocol';
export * from './outbox';
export { OutboxRepository } from './outbox.repository';
export * from './snapshot/live-snapshot-source';
export * from './fanout/live-broadcaster';
export * from './fanout/live-publisher';
export * from './relay/outbox-relay';
export * from './outbox.module';
export * from './live-emitter.module';
export * from './live-board.module';
