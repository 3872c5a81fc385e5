import type { ScannedJws } from '../../input/scan-input';
import { decodeScannedJws, type DecodedJws } from '../../jws/compact-jws';
import { detectFormat, type JwtCredentialFormat, type SecuredFormat } from '../../model/credential-format';
import type { ReasonCode } from '../../verification-result';
import type { CheckBoard } from '../check-board';

const FORMAT_NAMES: Record<JwtCredentialFormat, string> = {
  'vc+jwt': 'A VC 2.0 credential secured with JOSE',
  'ob3-jwt': 'An Open Badges 3.0 JWT credential (the payload is the credential)',
  'jwt-vc': 'A VC-JWT 1.1 credential (in a vc claim)',
};

export const NOT_DECODED = 'The credential could not be decoded.';
export const NOT_SUPPORTED = 'The credential format is not supported.';

export interface JwsReading {
  jws: DecodedJws;
  format: SecuredFormat;
}

/** The format check ends the verification: it fails, and every other check is skipped for `rest`. */
export function refuseFormat(board: CheckBoard, code: ReasonCode, message: string, rest: string): undefined {
  board.fail('format', code, message);
  board.skipRest(rest);
  return undefined;
}

/**
 * A scanned compact JWS, decoded (nothing verified yet) with the format its header and payload declare; undefined
 * when it cannot be read, the board then holding the failed format check.
 */
export function readJws(scanned: ScannedJws, board: CheckBoard): JwsReading | undefined {
  const decoded = decodeScannedJws(scanned.text, scanned.parts);
  if (!decoded.ok) return refuseFormat(board, 'malformed', decoded.message, NOT_DECODED);
  if (typeof decoded.jws.header.alg !== 'string') return refuseFormat(board, 'malformed', 'The JWS header names no algorithm.', NOT_DECODED);
  const detected = detectFormat(decoded.jws.header, decoded.jws.payload);
  if (!detected.ok) return refuseFormat(board, 'unsupported_format', detected.message, NOT_SUPPORTED);
  return { jws: decoded.jws, format: detected.format };
}

export function passCredentialFormat(board: CheckBoard, format: JwtCredentialFormat, jws: DecodedJws): void {
  board.pass('format', `${FORMAT_NAMES[format]} (${String(jws.header.alg)}).`);
}

export function passPresentationFormat(board: CheckBoard, jws: DecodedJws): void {
  board.pass('format', `A presentation secured with JOSE (${String(jws.header.alg)}).`);
}
