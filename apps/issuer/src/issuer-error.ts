/** Why the issuer refused something, with the HTTP status the management API answers with. */
export type IssuerErrorCode =
  | 'invalid_request'
  | 'malformed_json'
  | 'unknown_board'
  | 'unknown_status_index'
  | 'status_list_full'
  | 'payload_too_large'
  | 'not_found'
  | 'method_not_allowed'
  | 'not_ready';

const HTTP_STATUS: Record<IssuerErrorCode, number> = {
  invalid_request: 422,
  malformed_json: 400,
  unknown_board: 404,
  unknown_status_index: 404,
  status_list_full: 409,
  payload_too_large: 413,
  not_found: 404,
  method_not_allowed: 405,
  not_ready: 503,
};

export class IssuerError extends Error {
  constructor(
    readonly code: IssuerErrorCode,
    message: string,
    readonly details?: Array<{ field: string; message: string }>,
  ) {
    super(message);
    this.name = 'IssuerError';
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }
}
