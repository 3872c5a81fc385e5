/**
 * @app/accountability: accountability on scene. PAR roll calls (expected list fixed at the start, acknowledgements,
 * missing people, deadline and PAR timer raised by the worker), division/group supervisors and the assignments they
 * answer for, and the per-incident work and rest limits. Uses @app/incidents (who is on scene), @app/audit and
 * @app/realtime (outbox) inside its transactions. See docs/accountability.md.
 */
export * from './par/par';
export * from './par/par.service';
export * from './settings/accountability-settings.repository';
export * from './settings/accountability-settings.service';
export * from './http/par.view';
export * from './limits/work-limits';
export * from './limits/work-limits.service';
export * from './activity/activity-log.service';
export * from './activity/ics214';
export * from './activity/work-descriptions';
export * from './demob/demob.service';
export * from './demob/travel-home';
export * from './accountability.module';
