/**
 * @app/offline: check-in that keeps working when a site loses its network (docs/offline.md). The signed incident
 * pack, stations' device keys, and sync of their hash-chained logs, re-verified through @app/incidents' check-in.
 * Imports @app/incidents, @app/credentials, @app/trust, @app/auth, @app/audit, @app/realtime, @app/common, @app/db.
 */
export * from './pack/incident-pack';
export * from './pack/verify-incident-pack';
export * from './pack/incident-pack.builder';
export * from './devices/device-log';
export * from './devices/offline-devices.repository';
export * from './devices/offline-devices.service';
export * from './devices/device-chain-evidence';
export * from './sync/offline-scans.repository';
export * from './sync/offline-sync.service';
export * from './http/dto/offline.dto';
export * from './http/offline.controller';
export * from './offline.module';
