export * from './error-codes';
export * from './domain-error';
export * from './problem-details.filter';
export * from './problem-details.dto';
