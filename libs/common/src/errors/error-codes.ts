/**
 * Every stable error code the API can answer with, and its HTTP status. The filter maps codes through this table
 * only, so adding a code without a status does not compile. Codes are part of the public API: never rename one.
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  malformed_request: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  // signed in with a temporary password: only POST /auth/password is open until it is changed
  password_change_required: 403,
  access_rule_missing: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  idempotency_key_reused: 422,
  rate_limited: 429,
  internal_error: 500,
  database_unavailable: 503,
  service_unavailable: 503,
  // verification engine (POST /credentials/verify answers 400 with these in its body; see libs/credentials)
  credential_not_verified: 400,
  // incidents and check-in
  incident_closed: 409,
  responder_active_elsewhere: 409,
  deployment_not_active: 409,
  position_unknown: 422,
  location_unknown: 422,
  invalid_status_change: 422,
  // walk-up volunteers (docs/walk-ups.md)
  walk_up_not_verified: 422,
  walk_up_not_qualified: 422,
  walk_up_credential_refused: 422,
  walk_up_already_verified: 409,
  walk_up_identity_conflict: 409,
  // accountability (PAR roll calls, limits, demobilization)
  par_running: 409,
  par_not_running: 409,
  par_already_marked: 409,
  par_not_in_scope: 422,
  par_scope_empty: 422,
  par_scan_unverified: 422,
  par_scan_not_on_scene: 422,
  rest_override_required: 422,
  demob_incomplete: 422,
  // trust registry
  issuer_exists: 409,
  trust_list_invalid: 422,
  // offline stations (docs/offline.md)
  device_revoked: 403,
  device_key_exists: 409,
  device_log_invalid: 422,
  // time records (libs/time-records): refused time input, never summed
  time_entry_overlap: 422,
  time_entry_negative: 422,
  time_entry_outside_incident: 422,
  time_travel_implausible: 422,
  time_day_reapproval_required: 409,
  time_day_already_approved: 409,
  time_period_already_approved: 409,
  time_period_unknown: 422,
  time_correction_self_approved: 422,
  time_rate_missing: 422,
  time_day_not_approved: 409,
  time_package_certified: 409,
  // practice authority
  practice_rules_invalid: 422,
  // primary-source licence checks (docs/primary-source.md)
  primary_source_not_configured: 422,
  primary_source_not_accepted: 422,
  identity_not_confirmed: 422,
  notice_signature_invalid: 400,
  notice_invalid: 400,
  notice_licence_unknown: 422,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Every code, in table order: the ProblemDetails schema's `code` enum in the OpenAPI document. */
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** The statuses an error answers with. */
export type ErrorStatus = (typeof ERROR_STATUS)[ErrorCode];
