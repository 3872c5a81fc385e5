import { Injectable, Logger } from '@nestjs/common';

/** A signed deployment record ready for its holder: what an e-mail carries (the .jwt and the JSON as attachments). */
export interface RecordDelivery {
  recordId: string;
  to: string;
  responderName: string;
  incidentName: string;
  jwt: string;
  json: Record<string, unknown>;
}

/**
 * Sends a record to its holder by e-mail. No sender is built in: an operator provides one (SMTP, a mail API) in place
 * of LogRecordMailer. Called after the record is signed; a failure never affects the record.
 */
export abstract class RecordMailer {
  abstract send(delivery: RecordDelivery): Promise<void>;
}

/** Development: logs that a record would be sent (never its contents: a record is a credential). */
@Injectable()
export class LogRecordMailer extends RecordMailer {
  private readonly logger = new Logger('RecordMailer');
  readonly sent: Array<{ recordId: string; to: string }> = [];

  async send(delivery: RecordDelivery): Promise<void> {
    this.sent.push({ recordId: delivery.recordId, to: delivery.to });
    this.logger.log(`deployment record ${delivery.recordId} for ${delivery.responderName} (${delivery.incidentName}) would be e-mailed now`);
  }
}
