import { describeQualification, type Board } from '../../issuer/src';
import type { DemoResponder } from './demo-roster';
import { QR_MAX_BYTES } from './qr-png';

/** A responder with the credential their board issued (and, for some, revoked or suspended since). */
export interface IssuedBadge extends DemoResponder {
  /** The credential as presented (compact JWS, SD-JWT, or ldp-vc / ldp-vp JSON text): what the badge's QR code holds. */
  jws: string;
  credentialId: string;
  statusIndex: number;
  boardName: string;
  /** e.g. Registered Nurse */
  qualificationName: string;
}

/** Where the boards are: the demo issuer in this process. */
export interface BoardDirectory {
  board(slug: string): Board;
}

/**
 * Has each responder's board issue their credential (in the format the roster says), then revokes and suspends
 * the ones whose scenario says so. Every credential must fit one QR code.
 */
export async function issueBadges(issuer: BoardDirectory, roster: readonly DemoResponder[]): Promise<IssuedBadge[]> {
  const badges: IssuedBadge[] = [];
  for (const responder of roster) {
    const board = issuer.board(responder.board);
    const issued = await board.issue({
      format: responder.format,
      qualification: responder.qualification,
      subject: { name: responder.name },
      licenseNumber: responder.licenseNumber,
      multistate: responder.multistate,
      validFrom: responder.validFrom,
      validUntil: responder.validUntil,
    });
    if (Buffer.byteLength(issued.jws) > QR_MAX_BYTES) {
      throw new Error(`${responder.name}'s ${responder.format} credential is ${issued.jws.length} bytes: more than one QR code holds (${QR_MAX_BYTES})`);
    }
    if (responder.scenario === 'revoked') board.revoke(issued.statusIndex);
    if (responder.scenario === 'suspended') board.suspend(issued.statusIndex);
    badges.push({
      ...responder,
      jws: issued.jws,
      credentialId: issued.credentialId,
      statusIndex: issued.statusIndex,
      boardName: board.name,
      qualificationName: describeQualification(responder.qualification, board.kind).name,
    });
  }
  return badges;
}
