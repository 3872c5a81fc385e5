/** @app/config: the typed configuration, parsed once from the environment. Imports nothing of ours. */
export * from './app-config';
export * from './config.schema';
export * from './load-config';
export * from './config.module';
