export * from './licence-board-server';
export * from './licence-data';
