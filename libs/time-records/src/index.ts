/** @app/time-records: time entries per responder per day, corrections, approvals and the labour summary for reimbursement. */
export * from './domain';
