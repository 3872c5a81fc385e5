export * from './local-time';
export * from './time-record-error';
export * from './time-entries';
export * from './ledger';
export * from './pay-rules';
export * from './labour-summary';
export * from './labour-summary-csv';
export * from './time-package';
