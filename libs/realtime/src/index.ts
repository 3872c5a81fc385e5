/**
 * @app/realtime: the live board's typed event map, the transactional outbox, the relay that publishes committed
 * events, and the socket.io gateway (rooms per incident, snapshot, resync). Imports @app/auth, @app/common, @app/config.
 */
export * from './live-events';
export * from './outbox';
export * from './realtime.module';
