import type { ErrorCode } from '@app/common';

/** Why time input was refused; each code is registered (with its HTTP status) in the error-code table of @app/common. */
export type TimeRecordErrorCode = Extract<
  ErrorCode,
  | 'time_entry_overlap'
  | 'time_entry_negative'
  | 'time_entry_outside_incident'
  | 'time_travel_implausible'
  | 'time_day_reapproval_required'
  | 'time_day_already_approved'
  | 'time_correction_self_approved'
  | 'time_rate_missing'
>;

/** Refused time input. Plain TypeScript so the rules run without Nest; the HTTP layer turns it into a DomainError. */
export class TimeRecordError extends Error {
  constructor(
    readonly code: TimeRecordErrorCode,
    message: string,
    readonly details: Record<string, string | number> = {},
  ) {
    super(message);
    this.name = 'TimeRecordError';
  }
}
